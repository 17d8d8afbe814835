// Issue 12 item 4: one catalogue of words per language. Every key exists in Russian and English with the
// same placeholders, and the API's message facade reads the catalogue (the words a refusal shows).
import { describe, expect, it } from 'vitest';
import { catalogues, fill, placeholders } from '../../i18n/index.js';
import { message } from '../../api/messages.js';
import { waitingOnText } from '../../api/support/wording.js';

type Tree = { readonly [k: string]: string | Tree };

/** Every text of a catalogue as "path.to.key" → text. */
function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.set(path, v);
    else for (const [p, t] of flatten(v, path)) out.set(p, t);
  }
  return out;
}

const ru = flatten(catalogues.ru as unknown as Tree);
const en = flatten(catalogues.en as unknown as Tree);

describe('i18n catalogue (issue 12 item 4)', () => {
  it('holds the texts of the API, support, the CLI and the console', () => {
    for (const ns of ['problems.', 'support.stages.', 'support.events.', 'states.', 'cli.', 'console.']) {
      expect([...ru.keys()].filter((k) => k.startsWith(ns)).length, ns).toBeGreaterThan(5);
    }
  });

  it('every key exists in both languages', () => {
    expect([...en.keys()].filter((k) => !ru.has(k))).toEqual([]);
    expect([...ru.keys()].filter((k) => !en.has(k))).toEqual([]);
  });

  it('every text has the same placeholders in both languages, and none is empty', () => {
    const differ = [...ru]
      .filter(([k, t]) => placeholders(t).join() !== placeholders(en.get(k) ?? '').join())
      .map(([k]) => k);
    expect(differ).toEqual([]);
    expect([...ru, ...en].filter(([, t]) => t.trim() === '').map(([k]) => k)).toEqual([]);
  });

  it('English texts are not Russian left untranslated', () => {
    expect([...en].filter(([, t]) => /[А-Яа-яЁё]/.test(t)).map(([k]) => k)).toEqual([]);
  });

  it('fill puts values in and leaves a missing one visible', () => {
    expect(fill('Осталось попыток: {n}.', { n: 2 })).toBe('Осталось попыток: 2.');
    expect(fill('{a} и {b}', { a: 1 })).toBe('1 и {b}');
  });

  it('the API facade reads the catalogue, and words the values that depend on the language', () => {
    expect(message('wrong-code', 'ru', { attemptsLeft: 2 })).toBe('Неверный код. Осталось попыток: 2.');
    expect(message('wrong-code', 'en', { attemptsLeft: 2 })).toBe('Wrong code. Tries left: 2.');
    // R-A3: a locked code names the wait as the countdown shows it, or asks for a new code.
    expect(message('code-locked', 'ru', { retryAfterSeconds: 125 })).toContain('через 2:05.');
    expect(message('code-locked', 'en', { retryAfterSeconds: 0 })).toBe(
      'Too many wrong tries: the code is locked. Ask for a new code.',
    );
    expect(message('too-many-codes', 'ru', { retryAfterSeconds: 61 })).toContain('через 2 мин.');
    expect(message('sync-already-running', 'ru', { kind: 'nightly', startedAt: '02:30' })).toContain(
      '(ночной запуск, начат 02:30)',
    );
    expect(message('sync-already-running', 'en', { kind: 'manual', startedAt: '02:30' })).toContain(
      '(a run on demand, started 02:30)',
    );
    expect(message('export-invalid', 'en', { reasonRu: 'файл пуст.', reasonEn: 'the file is empty.' })).toBe(
      'The export was not accepted and nothing was stored: the file is empty.',
    );
    expect(waitingOnText('parent', true, 'en')).toBe('Waiting on a parent: consent is not given yet');
  });
});
