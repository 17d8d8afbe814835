// The shape every language follows and the one way a text is filled in. Texts are plain strings with
// {name} placeholders, so the same catalogue serves the API, the CLI and the console's browser code.
export type Lang = 'ru' | 'en';
export const LANGS: readonly Lang[] = ['ru', 'en'];
export const DEFAULT_LANG: Lang = 'ru';

/** The reference catalogue's shape with every text widened to string: a missing or extra key is a type error. */
export type Catalogue<T> = { readonly [K in keyof T]: T[K] extends string ? string : Catalogue<T[K]> };

export type Params = Record<string, string | number>;

const PLACEHOLDER = /\{(\w+)\}/g;

/** Puts params into a text; a placeholder without a value stays visible, so a missing one is noticed. */
export function fill(text: string, params: Params = {}): string {
  return text.replace(PLACEHOLDER, (whole, name: string) =>
    Object.hasOwn(params, name) ? String(params[name]) : whole,
  );
}

/** The placeholder names of a text, sorted (the test compares them across languages). */
export function placeholders(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!))].sort();
}

/** A language tag ("en-GB", "ru_RU.UTF-8") as one of ours, or undefined. */
export function langOf(tag: string | undefined): Lang | undefined {
  const t = tag?.trim().toLowerCase() ?? '';
  if (t.startsWith('en')) return 'en';
  if (t.startsWith('ru')) return 'ru';
  return undefined;
}
