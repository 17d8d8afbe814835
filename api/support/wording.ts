// How support reads a journey: words for stages, waiting parties, workflow events and audit actions,
// from the catalogue (i18n/, namespace `support`), in the request's language. Unknown codes fall
// through as the code itself, so a value from an older workflow is never hidden.
import { fill, words, type Lang } from '../../i18n/index.js';
import type { HubJourneyValue, HubStageValue, HubWaitingOnValue } from '../../workflows/search-attributes.js';

type Label = Record<Lang, string>;
const both = <K extends string>(pick: (lang: Lang) => Readonly<Record<K, string>>): Record<K, Label> => {
  const ru = pick('ru');
  const en = pick('en');
  return Object.fromEntries(Object.keys(ru).map((k) => [k, { ru: ru[k as K], en: en[k as K] }])) as Record<K, Label>;
};

/** Every journey the workflows set (HubJourney), in both languages; the type makes a missing one an error. */
export const JOURNEY_TITLES: Record<HubJourneyValue, Label> = both((l) => words(l).support.journeys);

/** Every stage the workflows set (HubStage, workflows/search-attributes.ts HUB_STAGES). */
export const STAGE_TITLES: Record<HubStageValue, Label> = both((l) => words(l).support.stages);

const pairUp = <K extends string>(short: Record<K, Label>, long: Record<K, Label>): Record<K, { short: Label; long: Label }> =>
  Object.fromEntries(Object.keys(short).map((k) => [k, { short: short[k as K], long: long[k as K] }])) as Record<K, { short: Label; long: Label }>;
/** Whom a journey waits on (HubWaitingOn): a short label for lists and a phrase for "Waiting on …". */
export const WAITING_ON_TITLES: Record<HubWaitingOnValue, { short: Label; long: Label }> = pairUp(
  both((l) => words(l).support.waitingShort),
  both((l) => words(l).support.waitingLong),
);

export const AUDIT_TITLES: Record<string, string> = { ...words('ru').support.audit };

export const ACTION_TITLES = words('ru').support.actions;
export const actionTitle = (action: keyof typeof ACTION_TITLES, lang: Lang = 'ru'): string => words(lang).support.actions[action];

const known = <T extends object>(table: T, key: string): T[keyof T] | undefined =>
  Object.hasOwn(table, key) ? table[key as keyof T] : undefined;

export const updateTitle = (name: string, lang: Lang = 'ru'): string =>
  known(words(lang).support.updates, name) ?? fill(words(lang).support.updateFallback, { name });
export const activityTitle = (name: string, lang: Lang = 'ru'): string =>
  known(words(lang).support.activities, name) ?? fill(words(lang).support.activityFallback, { name });
export const journeyTitle = (journey: string, lang: Lang = 'ru'): string => known(JOURNEY_TITLES, journey)?.[lang] ?? journey;
export const stageTitle = (stage: string | null, lang: Lang = 'ru'): string => (stage ? (known(STAGE_TITLES, stage)?.[lang] ?? stage) : '—');
/** Short label of whom a journey waits on (lists). */
export const waitingOnLabel = (w: string | null, lang: Lang = 'ru'): string => (w ? (known(WAITING_ON_TITLES, w)?.short[lang] ?? w) : '—');
/** The sentence the journey's detail shows. */
export function waitingOnText(w: string | null, running: boolean, lang: Lang = 'ru'): string {
  const t = words(lang).support.waiting;
  if (!running) return t.ended;
  if (!w) return t.nobody;
  return fill(t.on, { phrase: known(WAITING_ON_TITLES, w)?.long[lang] ?? w });
}
export const auditTitle = (action: string, lang: Lang = 'ru'): string => known(words(lang).support.audit, action) ?? action;
