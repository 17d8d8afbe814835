// One catalogue of words per language (issue 12 item 4). Everyone may import this folder; it imports
// nothing of the hub.
import type { Catalogue, Lang } from './catalogue.js';
import { en } from './en.js';
import { ru } from './ru.js';

export {
  DEFAULT_LANG,
  fill,
  langOf,
  LANGS,
  placeholders,
  type Catalogue,
  type Lang,
  type Params,
} from './catalogue.js';
export type Words = Catalogue<typeof ru>;

export const catalogues: Record<Lang, Words> = { ru, en };

/** All the words of one language. */
export const words = (lang: Lang): Words => catalogues[lang];
