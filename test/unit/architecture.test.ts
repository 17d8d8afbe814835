// Issue 12: the dependency direction and the absence of import cycles are checked on every test run
// (CI runs `npm test`, not `npm run lint`). ESLint's import-x/no-cycle ignores type-only imports, so
// the cycle check here reads every relative import, types included: a type cycle still couples two
// modules that should not know each other (the ApiDeps loop between api/app.ts and its routes).
import { existsSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname, join, relative, resolve } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const SOURCE_FOLDERS = ['activities', 'adapters', 'api', 'app', 'bin', 'cli', 'db', 'domain', 'i18n', 'identity', 'infra', 'notices', 'scheduler', 'sync', 'workflows'];

function sourceFiles(): string[] {
  const listed = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts'], { cwd: root, encoding: 'utf8' });
  return listed
    .split('\n')
    .filter((f) => f && existsSync(join(root, f)) && SOURCE_FOLDERS.includes(f.split('/')[0]!) && !f.endsWith('.test.ts') && !f.includes('/testing/'));
}

/** Every relative import (value or type, static or dynamic) as repository paths of .ts files. */
function importGraph(files: string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const known = new Set(files);
  const pattern = /(?:\bfrom|\bimport)\s*\(?\s*['"](\.\.?\/[^'"]+)['"]/g;
  for (const file of files) {
    const text = readFileSync(join(root, file), 'utf8');
    const targets: string[] = [];
    for (const m of text.matchAll(pattern)) {
      const target = relative(root, resolve(root, dirname(file), m[1]!)).replace(/\.js$/, '.ts');
      if (known.has(target)) targets.push(target);
    }
    graph.set(file, targets);
  }
  return graph;
}

function findCycles(graph: Map<string, string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return cycles;
}

describe('architecture (issue 12)', () => {
  const files = sourceFiles();
  const graph = importGraph(files);

  it('finds the sources it checks', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(graph.get('app/processes.ts')).toContain('api/app.ts');
  });

  it('has no import cycle, type-only imports included', () => {
    expect(findCycles(graph).map((c) => c.join(' → '))).toEqual([]);
  });

  it('infra/ imports only libraries', () => {
    const reachingUp = [...graph].filter(([f]) => f.startsWith('infra/')).flatMap(([f, ts]) => ts.filter((t) => !t.startsWith('infra/')).map((t) => `${f} → ${t}`));
    expect(reachingUp).toEqual([]);
  });

  it('issue 12 item 4: i18n/ (the catalogue of words) imports nothing of the hub', () => {
    const reaching = [...graph].filter(([f]) => f.startsWith('i18n/')).flatMap(([f, ts]) => ts.filter((t) => !t.startsWith('i18n/')).map((t) => `${f} → ${t}`));
    expect(graph.has('i18n/ru.ts')).toBe(true);
    expect(reaching).toEqual([]);
  });

  it('the cycle check would see a cycle', () => {
    const g = new Map([['a.ts', ['b.ts']], ['b.ts', ['a.ts']]]);
    expect(findCycles(g)).toEqual([['a.ts', 'b.ts', 'a.ts']]);
  });

  it('ESLint passes, the boundary and cycle rules included', { timeout: 180_000 }, async () => {
    const eslint = new ESLint({ cwd: root });
    const results = await eslint.lintFiles(['.']);
    const problems = results.flatMap((r) => r.messages.filter((m) => m.severity === 2).map((m) => `${relative(root, r.filePath)}:${m.line} ${m.ruleId}: ${m.message}`));
    expect(problems).toEqual([]);
  });
});
