// Issue 12 item 4: one catalogue of words per language. Every key exists in Russian and English with the
// same placeholders, and the API's message facade reads the catalogue (the words a refusal shows).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import ts from 'typescript';
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

// ---- no text shown to people outside the catalogue ----

const root = resolve(import.meta.dirname, '../..');
const CYRILLIC = /[А-Яа-яЁё]/;

/** The files whose strings reach people: the API, the CLI and the console. */
function shownFiles(): string[] {
  const listed = execFileSync(
    'git',
    ['ls-files', '--cached', '--others', '--exclude-standard', 'api', 'cli', 'bin/cli.ts', 'console/static'],
    { cwd: root, encoding: 'utf8' },
  );
  return listed
    .split('\n')
    .filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.test.ts') && existsSync(join(root, f)));
}

/** Every string and template literal piece of a source file (comments are not strings). */
function literals(file: string, base = root): { line: number; text: string }[] {
  const source = ts.createSourceFile(
    file,
    readFileSync(join(base, file), 'utf8'),
    ts.ScriptTarget.Latest,
    true,
  );
  const found: { line: number; text: string }[] = [];
  const visit = (node: ts.Node) => {
    if (
      ts.isStringLiteralLike(node) ||
      ts.isTemplateHead(node) ||
      ts.isTemplateMiddle(node) ||
      ts.isTemplateTail(node) ||
      ts.isRegularExpressionLiteral(node)
    ) {
      found.push({
        line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1,
        text: node.getText(),
      });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Russian written outside i18n/ on purpose, each with why; keep it short. */
const ALLOWED: Record<string, { text: RegExp; why: string }> = {
  'api/surfaces.ts': {
    text: /\[скрыто\]/,
    why: 'the redaction marker in request logs: logs are for the team, one language, never translated',
  },
};

describe('no text shown to people is written outside the catalogue (issue 12 item 4)', () => {
  const files = shownFiles();

  it('finds the files it scans', () => {
    expect(files).toEqual(
      expect.arrayContaining(['api/routes/support.ts', 'cli/http.ts', 'bin/cli.ts', 'console/static/app.js']),
    );
  });

  it('the API, the CLI and the console hold no Russian string of their own', () => {
    const outside = files.flatMap((f) =>
      literals(f)
        .filter((l) => CYRILLIC.test(l.text) && !ALLOWED[f]?.text.test(l.text))
        .map((l) => `${f}:${l.line} ${l.text.slice(0, 80)}`),
    );
    expect(outside).toEqual([]);
  });

  it('the scan would see a Russian string, and not a Russian comment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'i18n-probe-'));
    writeFileSync(join(dir, 'probe.ts'), '// комментарий\nexport const x = `Текст ${1}`;\n');
    try {
      expect(
        literals('probe.ts', dir)
          .filter((l) => CYRILLIC.test(l.text))
          .map((l) => l.line),
      ).toEqual([2]);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  const consoleWords = { ...catalogues.ru.console, states: catalogues.ru.states } as unknown as Tree;
  const consoleKeys = new Set(flatten(consoleWords).keys());
  const html = readFileSync(join(root, 'console/static/index.html'), 'utf8');
  const js = readFileSync(join(root, 'console/static/app.js'), 'utf8');

  it('the console page holds only catalogue keys: no words of its own, every data-i18n key exists', () => {
    const text = html.replace(/<!--[\s\S]*?-->/g, '').replace(/<[^>]*>/g, ' ');
    expect(text.match(/[А-Яа-яЁё][^<]*/g) ?? []).toEqual([]);
    const keys = [...html.matchAll(/data-i18n(?:-placeholder)?="([^"]+)"/g)].map((m) => m[1]!);
    expect(keys.length).toBeGreaterThan(30);
    expect(keys.filter((k) => !consoleKeys.has(k))).toEqual([]);
  });

  it("every t('key') of the console's script exists in the catalogue", () => {
    const keys = [...js.matchAll(/\bt\('([\w.]+)'/g)].map((m) => m[1]!);
    expect(keys.length).toBeGreaterThan(30);
    expect(keys.filter((k) => !consoleKeys.has(k))).toEqual([]);
    // Keys built at run time name a whole table that must exist.
    for (const table of ['subject', 'fileHints', 'roles', 'states'])
      expect(
        [...consoleKeys].some((k) => k.startsWith(`${table}.`)),
        table,
      ).toBe(true);
  });

  it('the API serves the console its words in both languages', async () => {
    const { consoleWords: serve } = await import('../../api/console-words.js');
    const answer = (file: string) => {
      let status = 200;
      let body: unknown;
      const res = {
        status: (s: number) => ((status = s), res),
        type: () => res,
        set: () => res,
        send: (b: unknown) => ((body = b), res),
        json: (b: unknown) => ((body = b), res),
      };
      serve({ params: { file } } as never, res as never);
      return { status, body: body as Record<string, unknown> };
    };
    expect(answer('en.json').body).toMatchObject({ find: 'Search', states: { applied: 'applied' } });
    expect(answer('ru.json').body).toMatchObject({ find: 'Найти' });
    expect(answer('de.json').status).toBe(404);
  });
});
