// The `hub` CLI run as a child process against a test API: Russian output, --json for scripts,
// a non-zero exit and a clear message on errors.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { Principal } from '../../api/auth.js';
import { InMemoryMessenger } from '../../adapters/messenger/in-memory.js';
import { projectRoot } from '../../infra/paths.js';
import { secretBox } from '../../infra/secrets.js';
import { journalFactory } from '../../sync/journal-factory.js';
import { useTestApi } from '../helpers/api.js';
import { useTestDb } from '../helpers/db.js';
import { useTemporalWorker } from '../helpers/temporal.js';

const key = randomBytes(32);
const db = useTestDb();
const temporal = useTemporalWorker(() => ({ pool: db.pool, journals: journalFactory(db.pool, secretBox(key)), messenger: new InMemoryMessenger() }));
const api = useTestApi(db, temporal, { HUB_SECRETS_KEY: key.toString('base64') });

const operator: Principal = { sub: 'op-cli', role: 'authority', schools: [], classes: [], region: '16' };
const support: Principal = { sub: 'agent-cli', role: 'support', schools: [], classes: [] };
const fixture = join(projectRoot, 'test', 'fixtures', 'oneroster', 'catalyst-v1p2');
const tsx = join(projectRoot, 'node_modules', '.bin', 'tsx');

async function hub(args: string[], as?: Principal, lang = 'ru'): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, HUB_LANG: lang, HUB_API_URL: api.baseUrl, HUB_TOKEN: as ? await api.tokens.sign(as) : '' };
  try {
    const { stdout, stderr } = await promisify(execFile)(tsx, [join(projectRoot, 'bin', 'cli.ts'), ...args], { env, cwd: projectRoot, timeout: 40_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('hub CLI', () => {
  it('adds, lists, tests, pauses and enables a connection; --json for scripts', async () => {
    const added = await hub(['--json', 'connections', 'add', '--name', 'Выгрузка', '--kind', 'oneroster-csv', '--setting', `path=${fixture}`, '--credential', 'token=cli-secret-1', '--nightly', '04:00', '--tz', 'Asia/Omsk'], operator);
    expect(added.code).toBe(0);
    const c = JSON.parse(added.stdout);
    expect(c).toMatchObject({ kind: 'oneroster-csv', nightlyAt: '04:00', timezone: 'Asia/Omsk' });
    expect(added.stdout).not.toContain('cli-secret-1');
    const list = await hub(['connections', 'list'], operator);
    expect(list.stdout).toContain('Выгрузка [oneroster-csv]  включено');
    const tested = await hub(['connections', 'test', c.id], operator);
    expect(tested.code).toBe(0);
    expect(tested.stdout).toMatch(/Источник отвечает: школ \d+/);
    expect((await hub(['connections', 'pause', c.id], operator)).stdout).toContain('приостановлено');
    expect((await hub(['connections', 'enable', c.id], operator)).stdout).toContain('включено');
  });

  it('R-C5: import <oneroster-dir> reads the export, connects it and follows a dry run to its report', async () => {
    const res = await hub(['import', fixture, '--dry-run', '--wait', '30'], operator);
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(/Выгрузка прочитана: школ \d+/);
    expect(res.stderr).toMatch(/Подключение создано: [0-9a-f-]{36}/);
    expect(res.stderr).toMatch(/\[[#.]{30}\] \d+\/\d+ школ/);
    expect(res.stdout).toMatch(/Запуск [0-9a-f-]{36}: пробный запуск готов/);
  });

  it('issue 6: connections upload sends a folder of CSV files or a .zip; a broken file exits non-zero with the API\'s Russian detail', async () => {
    const created = await api.call('POST', '/v1/connections', { as: operator, body: { name: 'Загрузка', kind: 'oneroster-csv', settings: {} } });
    const folder = await hub(['connections', 'upload', created.body.id, fixture], operator);
    expect(folder.code).toBe(0);
    expect(folder.stdout).toMatch(/Выгрузка загружена: файлов 8, \d+ байт, школ \d+/);
    const zip = await hub(['--json', 'connections', 'upload', created.body.id, join(projectRoot, 'test', 'fixtures', 'oneroster', 'catalyst-v1p1', 'Test_full_data_set.zip')], operator);
    expect(zip.code).toBe(0);
    expect(JSON.parse(zip.stdout)).toMatchObject({ layout: 'zip' });
    const broken = join(mkdtempSync(join(tmpdir(), 'hub-cli-')), 'broken.zip');
    writeFileSync(broken, 'not a zip');
    const refused = await hub(['connections', 'upload', created.body.id, broken], operator);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('Ошибка 422: Выгрузка не принята, ничего не сохранено: файл не является ZIP-архивом');
  });

  it('registrations stuck prints Russian lines; errors exit non-zero with a clear message', async () => {
    const stuck = await hub(['registrations', 'stuck', '--journey', 'invite'], support);
    expect(stuck.code).toBe(0);
    expect(stuck.stdout).toMatch(/Зависших регистраций нет|invite\//);
    const noToken = await hub(['connections', 'list']);
    expect(noToken.code).not.toBe(0);
    expect(noToken.stderr).toContain('HUB_TOKEN');
    const wrongRole = await hub(['connections', 'list'], support);
    expect(wrongRole.code).toBe(1);
    expect(wrongRole.stderr).toContain('Ошибка 403: Недостаточно прав');
    const missingDir = await hub(['import', '/nonexistent/export'], operator);
    expect(missingDir.code).toBe(1);
    expect(missingDir.stderr).toContain('Не удалось прочитать выгрузку OneRoster');
  });

  it('issue 12 item 4: with HUB_LANG=en the CLI and the API problems it relays speak English', async () => {
    await api.call('POST', '/v1/connections', { as: operator, body: { name: 'English check', kind: 'oneroster-csv', settings: { path: fixture }, timezone: 'Asia/Irkutsk' } });
    const list = await hub(['connections', 'list'], operator, 'en');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/English check \[oneroster-csv\] {2}enabled {2}schools: 0 {2}nightly at \S+ \(Asia\/Irkutsk\)/);
    const wrongRole = await hub(['connections', 'list'], support, 'en');
    expect(wrongRole.code).toBe(1);
    expect(wrongRole.stderr).toContain('Error 403: You are not allowed to do this.');
    const missingDir = await hub(['import', '/nonexistent/export'], operator, 'en');
    expect(missingDir.stderr).toContain('Could not read the OneRoster export in /nonexistent/export');
    expect((await hub(['--help'], undefined, 'en')).stdout).toContain('School messenger hub');
  });
});
