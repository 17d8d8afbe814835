// `hub` — the command line for authority operators and support: journal connections, sync runs,
// stuck registrations, OneRoster imports. Talks to the API over HTTP; Russian output, --json for scripts.
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { OneRosterCsvSource } from '../adapters/journals/oneroster-csv/adapter.js';
import { CliError, hubClient, type RawBody } from '../cli/http.js';

interface Connection {
  id: string;
  name: string;
  kind: string;
  status: string;
  nightlyAt: string | null;
  timezone: string | null;
  schools: unknown[];
  hasCredentials: boolean;
}
interface Run {
  id: string;
  status: string;
  dryRun: boolean;
  progress: { done: number; total: number; rowsRead: number; applied: number } | null;
  report: {
    adds: number;
    removes: number;
    pending: number;
    errors: number;
    chats: number;
    /** Issue 13: people handed an invite link (VK community token) apart from people added. */
    added?: number;
    invited?: number;
    invitedWaiting?: number;
    joinedFromInvites?: number;
    refused?: number;
    messenger?: { calls: number; retries: number; rateLimited: number; serverErrors: number; timeouts: number };
  } | null;
  guard: unknown;
  startedAtLocal: string;
  error: string | null;
  /** Only in the run's detail (GET /v1/sync-runs/:id). */
  schools?: { schoolExternalId: string; warnings: { code: string; message?: string }[] }[];
}

const STATUS_RU: Record<string, string> = {
  enabled: 'включено',
  paused: 'приостановлено',
  disabled: 'выключено',
  running: 'выполняется',
  'awaiting-confirmation': 'ждёт подтверждения',
  applied: 'применено',
  planned: 'пробный запуск готов',
  discarded: 'отменено',
  failed: 'ошибка',
};

const program = new Command();
program.name('hub').description('Хаб школьных мессенджеров: подключения журналов, синхронизации, зависшие регистрации').option('--json', 'вывод в JSON для скриптов');
const json = (): boolean => Boolean(program.opts<{ json?: boolean }>().json);
const out = (data: unknown, human: () => string): void => {
  process.stdout.write(json() ? `${JSON.stringify(data, null, 2)}\n` : `${human()}\n`);
};
const api = hubClient();

const pairs = (v: string, prev: Record<string, string> = {}): Record<string, string> => {
  const i = v.indexOf('=');
  if (i < 1) throw new CliError(`Ожидается ключ=значение, получено: ${v}`);
  return { ...prev, [v.slice(0, i)]: v.slice(i + 1) };
};
const many = (v: string, prev: string[] = []): string[] => [...prev, v];

function connectionLine(c: Connection): string {
  return `${c.id}  ${c.name} [${c.kind}]  ${STATUS_RU[c.status] ?? c.status}  школ: ${c.schools.length}  ночью в ${c.nightlyAt ?? '—'} (${c.timezone ?? 'по умолчанию'})`;
}

const connections = program.command('connections').description('подключения электронных журналов');
connections
  .command('list')
  .description('список подключений')
  .action(async () => {
    const { items } = await api.call<{ items: Connection[] }>('GET', '/v1/connections');
    out(items, () => (items.length ? items.map(connectionLine).join('\n') : 'Подключений пока нет.'));
  });
connections
  .command('add')
  .description('зарегистрировать подключение')
  .requiredOption('--name <name>', 'название')
  .requiredOption('--kind <kind>', 'тип источника: oneroster-csv, oneroster-rest, eljur, dnevnik, epos-file, esh-file')
  .option('--setting <key=value>', 'настройка (baseUrl, path, …); можно повторять', pairs)
  .option('--credential <key=value>', 'секрет (clientSecret, password, …); хранится зашифрованным', pairs)
  .option('--school <externalId>', 'школа источника; можно повторять', many)
  .option('--nightly <HH:MM>', 'время ночного запуска', '02:30')
  .option('--tz <zone>', 'часовой пояс ночного запуска', 'Europe/Moscow')
  .action(async (o: { name: string; kind: string; setting?: Record<string, string>; credential?: Record<string, string>; school?: string[]; nightly: string; tz: string }) => {
    const c = await api.call<Connection>('POST', '/v1/connections', {
      name: o.name,
      kind: o.kind,
      settings: o.setting ?? {},
      ...(o.credential ? { credentials: o.credential } : {}),
      schools: (o.school ?? []).map((schoolExternalId) => ({ schoolExternalId })),
      nightlyAt: o.nightly,
      timezone: o.tz,
    });
    out(c, () => `Подключение создано: ${connectionLine(c)}`);
  });
connections
  .command('test <connection>')
  .description('проверить связь с источником и посчитать школы')
  .action(async (id: string) => {
    const r = await api.call<{ ok: boolean; schools?: number; sample?: string[]; error?: string; message?: string; ms: number }>('POST', `/v1/connections/${id}/test`, {});
    out(r, () => (r.ok ? `Источник отвечает: школ ${r.schools} (${r.ms} мс). ${r.sample?.length ? `Например: ${r.sample.join(', ')}` : ''}` : `Источник не отвечает: ${r.error} — ${r.message}`));
    if (!r.ok) process.exitCode = 1;
  });
/** A file or folder as the upload body the API takes (api/journal-upload.ts). */
async function uploadBody(path: string): Promise<{ body: RawBody; type?: string }> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new CliError(`Нет такого файла или папки: ${path}`);
  if (info.isDirectory()) {
    const names = (await readdir(path)).filter((n) => n.toLowerCase().endsWith('.csv'));
    if (names.length === 0) throw new CliError(`В папке ${path} нет файлов .csv`);
    const form = new FormData();
    for (const n of names) form.append('files', new Blob([await readFile(join(path, n))], { type: 'text/csv' }), n);
    return { body: form };
  }
  const ext = extname(path).toLowerCase();
  const content = await readFile(path);
  if (ext === '.zip') return { body: content, type: 'application/zip' };
  if (ext === '.jsonl') return { body: content, type: 'application/x-ndjson' };
  if (ext === '.csv') {
    const form = new FormData();
    form.append('files', new Blob([content], { type: 'text/csv' }), basename(path));
    return { body: form };
  }
  throw new CliError(`Неизвестный формат выгрузки ${basename(path)}: нужен .zip, .jsonl или папка с .csv`);
}

connections
  .command('upload <connection> <file>')
  .description('загрузить выгрузку для подключения из файлов: .zip или папка с .csv (OneRoster, ЭШ), .jsonl (ЭПОС)')
  .action(async (id: string, file: string) => {
    const { body, type } = await uploadBody(resolve(file));
    const r = await api.send<{ layout: string; files: { name: string; bytes: number }[]; bytes: number; schools: number }>('POST', `/v1/connections/${id}/export`, body, type);
    out(r, () => `Выгрузка загружена: файлов ${r.files.length}, ${r.bytes} байт, школ ${r.schools}. Следующая синхронизация прочитает её.`);
  });
for (const [cmd, title] of [
  ['enable', 'включено'],
  ['pause', 'приостановлено'],
] as const) {
  connections
    .command(`${cmd} <connection>`)
    .description(cmd === 'enable' ? 'включить подключение' : 'приостановить ночные запуски')
    .action(async (id: string) => {
      const c = await api.call<Connection>('POST', `/v1/connections/${id}/${cmd}`, {});
      out(c, () => `Подключение ${title}: ${connectionLine(c)}`);
    });
}

function bar(done: number, total: number, width = 30): string {
  const share = total > 0 ? Math.min(1, done / total) : 0;
  const filled = Math.round(share * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} школ`;
}

async function follow(runId: string, waitSeconds: number): Promise<Run> {
  const tty = process.stderr.isTTY && !json();
  const until = Date.now() + waitSeconds * 1000;
  let last = '';
  for (;;) {
    const run = await api.call<Run>('GET', `/v1/sync-runs/${runId}`);
    const line = run.progress ? `${bar(run.progress.done, run.progress.total)}  строк: ${run.progress.rowsRead}  применено: ${run.progress.applied}` : STATUS_RU[run.status] ?? run.status;
    if (!json() && line !== last) {
      process.stderr.write(tty ? `\r${line}   ` : `${line}\n`);
      last = line;
    }
    if (run.status !== 'running' || Date.now() > until) {
      if (tty) process.stderr.write('\n');
      return run;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

function runSummary(run: Run): string {
  const r = run.report;
  const head = `Запуск ${run.id}: ${STATUS_RU[run.status] ?? run.status}${run.dryRun ? ' (пробный, ничего не изменено)' : ''}`;
  const m = r?.messenger;
  const calls = m?.calls
    ? `\nвызовов мессенджера: ${m.calls}, повторов: ${m.retries} (429: ${m.rateLimited}, 5xx: ${m.serverErrors}, таймаутов: ${m.timeouts})`
    : '';
  // Invited people are not members yet: they are shown apart from the added ones (issue 13).
  const invites =
    r && (r.invited || r.invitedWaiting || r.joinedFromInvites || r.refused)
      ? `\nприглашено по ссылке: ${r.invited ?? 0}, ещё не вступили: ${r.invitedWaiting ?? 0}, вступили по приглашению: ${r.joinedFromInvites ?? 0}, мессенджер отказал: ${r.refused ?? 0}`
      : '';
  const body = r
    ? `добавлений: ${r.adds}${r.invited ? ` (добавлено напрямую: ${r.added ?? 0})` : ''}, удалений: ${r.removes}, ожидают привязки: ${r.pending}, ошибок: ${r.errors}, чатов: ${r.chats}${invites}${calls}`
    : '';
  const guard = run.status === 'awaiting-confirmation' ? '\nСработала защита от массовых изменений: подтвердите или отмените запуск в консоли.' : '';
  // Warnings the API words for people (a chat created again: look for a duplicate); failures are in run.error.
  const warnings = (run.schools ?? []).flatMap((s) =>
    s.warnings.filter((w) => w.code !== 'failed' && w.message).map((w) => `\nВнимание (школа ${s.schoolExternalId}): ${w.message}`),
  );
  return `${head}\n${body}${run.error ? `\nОшибка: ${run.error}` : ''}${warnings.join('')}${guard}`;
}

async function syncAndFollow(connectionId: string, o: { school?: string; dryRun?: boolean; wait?: string }): Promise<void> {
  const started = await api.call<{ workflowId: string; run: Run | null }>('POST', `/v1/connections/${connectionId}/sync`, {
    dryRun: Boolean(o.dryRun),
    ...(o.school ? { schoolExternalId: o.school } : {}),
  });
  if (!started.run) throw new CliError(`Запуск начат (${started.workflowId}), но ещё не появился в отчётах. Посмотрите позже: hub connections list.`);
  const run = await follow(started.run.id, Number(o.wait ?? 3600));
  out(run, () => (run.status === 'running' ? `Запуск ${run.id} продолжается; ход виден в консоли (/console/) и в GET /v1/sync-runs/${run.id}.` : runSummary(run)));
  if (run.status === 'failed') process.exitCode = 1;
}

program
  .command('sync <connection>')
  .description('запустить синхронизацию сейчас и показать ход выполнения')
  .option('--school <externalId>', 'только одна школа')
  .option('--dry-run', 'пробный запуск: посчитать изменения, ничего не применяя')
  .option('--wait <seconds>', 'следить за ходом не дольше стольких секунд', '3600')
  .action(async (id: string, o: { school?: string; dryRun?: boolean; wait?: string }) => syncAndFollow(id, o));

program
  .command('registrations')
  .description('регистрации')
  .command('stuck')
  .description('зависшие регистрации, самые давние первыми')
  .addOption(new Option('--journey <journey>', 'процесс').choices(['signup', 'invite', 'application', 'guardians']))
  .option('--stage <stage>', 'этап')
  .option('--school <id>', 'школа')
  .option('--waiting-on <who>', 'кого ждёт')
  .option('--min-age <minutes>', 'ждёт не меньше, минут')
  .action(async (o: { journey?: string; stage?: string; school?: string; waitingOn?: string; minAge?: string }) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries({ journey: o.journey, stage: o.stage, school: o.school, waitingOn: o.waitingOn, minAgeMinutes: o.minAge })) if (v) q.set(k, v);
    const { items } = await api.call<{ items: { workflowId: string; journey: string; stage: string | null; waitingOn: string | null; ageMinutes: number; school: { name: string } | null; stuckSinceLocal: string }[] }>(
      'GET',
      `/v1/support/registrations/stuck?${q}`,
    );
    out(items, () =>
      items.length
        ? items.map((i) => `${i.workflowId}  ${i.journey}/${i.stage ?? '—'}  ждёт: ${i.waitingOn ?? '—'}  ${i.school?.name ?? ''}  с ${i.stuckSinceLocal} (${i.ageMinutes} мин)`).join('\n')
        : 'Зависших регистраций нет.',
    );
  });

program
  .command('import <oneroster-dir>')
  .description('импортировать выгрузку OneRoster (CSV): проверить, подключить и синхронизировать')
  .option('--name <name>', 'название подключения')
  .option('--dry-run', 'пробный запуск')
  .option('--tz <zone>', 'часовой пояс', 'Europe/Moscow')
  .option('--wait <seconds>', 'следить за ходом не дольше стольких секунд', '3600')
  .action(async (dir: string, o: { name?: string; dryRun?: boolean; tz: string; wait?: string }) => {
    const path = resolve(dir);
    // Read it here first: a broken export is reported before anything is registered.
    let schools;
    try {
      schools = await new OneRosterCsvSource({ kind: 'oneroster-csv', path }).listSchools();
    } catch (error) {
      throw new CliError(`Не удалось прочитать выгрузку OneRoster в ${path}: ${(error as Error).message}`);
    }
    if (schools.length === 0) throw new CliError(`В выгрузке ${path} нет школ (orgs.csv с type=school).`);
    if (!json()) process.stderr.write(`Выгрузка прочитана: школ ${schools.length} (${schools.map((s) => s.name).join(', ')})\n`);
    const c = await api.call<Connection>('POST', '/v1/connections', {
      name: o.name ?? `Импорт OneRoster: ${path}`,
      kind: 'oneroster-csv',
      settings: { path },
      schools: schools.map((s) => ({ schoolExternalId: s.externalId })),
      timezone: o.tz,
    });
    if (!json()) process.stderr.write(`Подключение создано: ${c.id}\n`);
    await syncAndFollow(c.id, { dryRun: Boolean(o.dryRun), ...(o.wait ? { wait: o.wait } : {}) });
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CliError) {
    process.stderr.write(`hub: ${error.message}\n`);
    process.exit(error.exitCode);
  }
  process.stderr.write(`hub: непредвиденная ошибка: ${(error as Error).message}\n`);
  process.exit(1);
});
