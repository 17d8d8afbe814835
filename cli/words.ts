// The CLI's words come from the catalogue (i18n/, namespace `cli`). Language: HUB_LANG, else the
// locale's LANG (ru_RU.UTF-8, en_GB.UTF-8), else Russian; the API is asked in the same language.
import { DEFAULT_LANG, fill, langOf, words, type Lang, type Params, type Words } from '../i18n/index.js';

export function cliLang(env: NodeJS.ProcessEnv = process.env): Lang {
  return langOf(env.HUB_LANG) ?? langOf(env.LC_ALL) ?? langOf(env.LANG) ?? DEFAULT_LANG;
}

/** A CLI text in the given language, its {placeholders} filled. */
export const cliText = (lang: Lang, key: keyof Words['cli'], params?: Params): string =>
  fill(words(lang).cli[key], params);

/** A connection, run or school state in words; an unknown one as it is. */
export const stateText = (lang: Lang, code: string): string => {
  const states = words(lang).states;
  return Object.hasOwn(states, code) ? states[code as keyof typeof states] : code;
};
