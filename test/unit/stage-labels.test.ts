// Issue 6 "stage names untranslated": every journey, stage and waiting party a workflow can put in
// its search attributes has a Russian and an English label, so the console and the support detail
// never show a raw code such as "active" or "invitee".
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { journeyTitle, stageTitle, waitingOnLabel, waitingOnText } from '../../api/support/wording.js';
import { projectRoot } from '../../infra/paths.js';
import { HUB_JOURNEYS, HUB_STAGE_VALUES, HUB_STAGES, HUB_WAITING_ON } from '../../workflows/search-attributes.js';

const CYRILLIC = /[а-яё]/i;
const LANGS = ['ru', 'en'] as const;

function expectLabel(code: string, label: string, lang: (typeof LANGS)[number]) {
  expect(label.trim(), `${code} (${lang})`).not.toBe('');
  if (lang === 'ru') expect(label, `${code} has no Russian label`).toMatch(CYRILLIC);
  else expect(label, `${code} has no English label`).not.toMatch(CYRILLIC);
}

describe('labels of search attribute values', () => {
  it('the stage list covers the journeys the workflows name and the stages the issue reported', () => {
    expect(HUB_JOURNEYS).toEqual(expect.arrayContaining(['signup', 'invite', 'application', 'guardians', 'journal-link', 'reconcile']));
    expect(HUB_STAGE_VALUES).toEqual(expect.arrayContaining(['active', 'pending', 'code', 'waiting-proof', 'awaiting-confirmation']));
    expect(HUB_WAITING_ON).toContain('invitee');
    expect(HUB_STAGE_VALUES.length).toBe(new Set(Object.values(HUB_STAGES).flat()).size);
  });

  it('every stage has a Russian and an English label', () => {
    for (const stage of HUB_STAGE_VALUES) for (const lang of LANGS) expectLabel(stage, stageTitle(stage, lang), lang);
  });

  it('every journey and every waiting party has a Russian and an English label', () => {
    for (const journey of HUB_JOURNEYS) for (const lang of LANGS) expectLabel(journey, journeyTitle(journey, lang), lang);
    for (const w of HUB_WAITING_ON) {
      for (const lang of LANGS) {
        expectLabel(w, waitingOnLabel(w, lang), lang);
        expectLabel(w, waitingOnText(w, true, lang), lang);
      }
    }
  });

  it('workflows set stages and waiting parties only through the typed helpers (so the list above is complete)', () => {
    const dir = join(projectRoot, 'workflows');
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'search-attributes.ts')) {
      const source = readFileSync(join(dir, file), 'utf8');
      expect(source, file).not.toMatch(/key:\s*Hub(Stage|WaitingOn|Journey)\b/);
      expect(source, file).not.toMatch(/\b(HubStage|HubWaitingOn|HubJourney)\b/);
    }
  });

  it('an unknown code from an older workflow is shown as it is, not hidden', () => {
    expect(stageTitle('some-new-stage', 'en')).toBe('some-new-stage');
    expect(stageTitle(null)).toBe('—');
  });
});
