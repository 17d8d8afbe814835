// `hub` — the command line for authority operators and support: journal connections, sync runs,
// stuck registrations, OneRoster imports. Talks to the API over HTTP; words from i18n/ (Russian unless
// HUB_LANG or LANG says English), --json for scripts.
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { OneRosterCsvSource } from '../adapters/journals/oneroster-csv/adapter.js';
import { CliError, hubClient, type RawBody } from '../cli/http.js';
import { cliLang, cliText, stateText } from '../cli/words.js';
import type { Params, Words } from '../i18n/index.js';

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

const lang = cliLang();
const say = (key: keyof Words['cli'], params?: Params): string => cliText(lang, key, params);
const state = (code: string): string => stateText(lang, code);

const program = new Command();
program.name('hub').description(say('program')).option('--json', say('optJson'));
const json = (): boolean => Boolean(program.opts<{ json?: boolean }>().json);
const out = (data: unknown, human: () => string): void => {
  process.stdout.write(json() ? `${JSON.stringify(data, null, 2)}\n` : `${human()}\n`);
};
const api = hubClient();

const pairs = (v: string, prev: Record<string, string> = {}): Record<string, string> => {
  const i = v.indexOf('=');
  if (i < 1) throw new CliError(say('expectedPair', { value: v }));
  return { ...prev, [v.slice(0, i)]: v.slice(i + 1) };
};
const many = (v: string, prev: string[] = []): string[] => [...prev, v];

function connectionLine(c: Connection): string {
  return say('connectionLine', { id: c.id, name: c.name, kind: c.kind, status: state(c.status), schools: c.schools.length, nightlyAt: c.nightlyAt ?? '—', timezone: c.timezone ?? say('defaultZone') });
}

const connections = program.command('connections').description(say('connections'));
connections
  .command('list')
  .description(say('list'))
  .action(async () => {
    const { items } = await api.call<{ items: Connection[] }>('GET', '/v1/connections');
    out(items, () => (items.length ? items.map(connectionLine).join('\n') : say('noConnections')));
  });
connections
  .command('add')
  .description(say('add'))
  .requiredOption('--name <name>', say('optName'))
  .requiredOption('--kind <kind>', say('optKind'))
  .option('--setting <key=value>', say('optSetting'), pairs)
  .option('--credential <key=value>', say('optCredential'), pairs)
  .option('--school <externalId>', say('optSchool'), many)
  .option('--nightly <HH:MM>', say('optNightly'), '02:30')
  .option('--tz <zone>', say('optTz'), 'Europe/Moscow')
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
    out(c, () => say('created', { line: connectionLine(c) }));
  });
connections
  .command('test <connection>')
  .description(say('test'))
  .action(async (id: string) => {
    const r = await api.call<{ ok: boolean; schools?: number; sample?: string[]; error?: string; message?: string; ms: number }>('POST', `/v1/connections/${id}/test`, {});
    out(r, () =>
      r.ok
        ? `${say('sourceAnswers', { schools: r.schools ?? 0, ms: r.ms })} ${r.sample?.length ? say('sample', { names: r.sample.join(', ') }) : ''}`
        : say('sourceSilent', { error: r.error ?? '', message: r.message ?? '' }),
    );
    if (!r.ok) process.exitCode = 1;
  });
/** A file or folder as the upload body the API takes (api/journal-upload.ts). */
async function uploadBody(path: string): Promise<{ body: RawBody; type?: string }> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new CliError(say('noSuchPath', { path }));
  if (info.isDirectory()) {
    const names = (await readdir(path)).filter((n) => n.toLowerCase().endsWith('.csv'));
    if (names.length === 0) throw new CliError(say('noCsv', { path }));
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
  throw new CliError(say('unknownExport', { name: basename(path) }));
}

connections
  .command('upload <connection> <file>')
  .description(say('upload'))
  .action(async (id: string, file: string) => {
    const { body, type } = await uploadBody(resolve(file));
    const r = await api.send<{ layout: string; files: { name: string; bytes: number }[]; bytes: number; schools: number }>('POST', `/v1/connections/${id}/export`, body, type);
    out(r, () => say('uploaded', { files: r.files.length, bytes: r.bytes, schools: r.schools }));
  });
for (const [cmd, title] of [
  ['enable', state('enabled')],
  ['pause', state('paused')],
] as const) {
  connections
    .command(`${cmd} <connection>`)
    .description(say(cmd === 'enable' ? 'enable' : 'pause'))
    .action(async (id: string) => {
      const c = await api.call<Connection>('POST', `/v1/connections/${id}/${cmd}`, {});
      out(c, () => say('toggled', { state: title, line: connectionLine(c) }));
    });
}

function bar(done: number, total: number, width = 30): string {
  const share = total > 0 ? Math.min(1, done / total) : 0;
  const filled = Math.round(share * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${say('bar', { done, total })}`;
}

async function follow(runId: string, waitSeconds: number): Promise<Run> {
  const tty = process.stderr.isTTY && !json();
  const until = Date.now() + waitSeconds * 1000;
  let last = '';
  for (;;) {
    const run = await api.call<Run>('GET', `/v1/sync-runs/${runId}`);
    const line = run.progress
      ? `${bar(run.progress.done, run.progress.total)}  ${say('progress', { rows: run.progress.rowsRead, applied: run.progress.applied })}`
      : state(run.status);
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
  const head = `${say('runHead', { id: run.id, status: state(run.status) })}${run.dryRun ? say('dryRunNote') : ''}`;
  const m = r?.messenger;
  const calls = m?.calls ? `\n${say('messengerCalls', { ...m })}` : '';
  // Invited people are not members yet: they are shown apart from the added ones (issue 13).
  const invites =
    r && (r.invited || r.invitedWaiting || r.joinedFromInvites || r.refused)
      ? `\n${say('invites', { invited: r.invited ?? 0, added: r.added ?? 0, invitedWaiting: r.invitedWaiting ?? 0, joinedFromInvites: r.joinedFromInvites ?? 0, refused: r.refused ?? 0 })}`
      : '';
  const body = r ? `${say('report', { adds: r.adds, removes: r.removes, pending: r.pending, errors: r.errors, chats: r.chats })}${invites}${calls}` : '';
  const guard = run.status === 'awaiting-confirmation' ? `\n${say('guard')}` : '';
  // Warnings the API words for people (a chat created again: look for a duplicate); failures are in run.error.
  const warnings = (run.schools ?? []).flatMap((s) =>
    s.warnings.filter((w) => w.code !== 'failed' && w.message).map((w) => `\n${say('warning', { school: s.schoolExternalId, message: w.message ?? '' })}`),
  );
  return `${head}\n${body}${run.error ? `\n${say('runError', { error: run.error })}` : ''}${warnings.join('')}${guard}`;
}

async function syncAndFollow(connectionId: string, o: { school?: string; dryRun?: boolean; wait?: string }): Promise<void> {
  const started = await api.call<{ workflowId: string; run: Run | null }>('POST', `/v1/connections/${connectionId}/sync`, {
    dryRun: Boolean(o.dryRun),
    ...(o.school ? { schoolExternalId: o.school } : {}),
  });
  if (!started.run) throw new CliError(say('notYetListed', { workflowId: started.workflowId }));
  const run = await follow(started.run.id, Number(o.wait ?? 3600));
  out(run, () => (run.status === 'running' ? say('stillRunning', { id: run.id }) : runSummary(run)));
  if (run.status === 'failed') process.exitCode = 1;
}

program
  .command('sync <connection>')
  .description(say('sync'))
  .option('--school <externalId>', say('optOneSchool'))
  .option('--dry-run', say('optDryRun'))
  .option('--wait <seconds>', say('optWait'), '3600')
  .action(async (id: string, o: { school?: string; dryRun?: boolean; wait?: string }) => syncAndFollow(id, o));

program
  .command('registrations')
  .description(say('registrations'))
  .command('stuck')
  .description(say('stuck'))
  .addOption(new Option('--journey <journey>', say('optJourney')).choices(['signup', 'invite', 'application', 'guardians']))
  .option('--stage <stage>', say('optStage'))
  .option('--school <id>', say('optSchoolId'))
  .option('--waiting-on <who>', say('optWaitingOn'))
  .option('--min-age <minutes>', say('optMinAge'))
  .action(async (o: { journey?: string; stage?: string; school?: string; waitingOn?: string; minAge?: string }) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries({ journey: o.journey, stage: o.stage, school: o.school, waitingOn: o.waitingOn, minAgeMinutes: o.minAge })) if (v) q.set(k, v);
    const { items } = await api.call<{ items: { workflowId: string; journey: string; stage: string | null; waitingOn: string | null; ageMinutes: number; school: { name: string } | null; stuckSinceLocal: string }[] }>(
      'GET',
      `/v1/support/registrations/stuck?${q}`,
    );
    out(items, () =>
      items.length
        ? items
            .map((i) =>
              say('stuckLine', { workflowId: i.workflowId, journey: i.journey, stage: i.stage ?? '—', waitingOn: i.waitingOn ?? '—', school: i.school?.name ?? '', since: i.stuckSinceLocal, minutes: i.ageMinutes }),
            )
            .join('\n')
        : say('noStuck'),
    );
  });

program
  .command('import <oneroster-dir>')
  .description(say('import'))
  .option('--name <name>', say('optConnectionName'))
  .option('--dry-run', say('optImportDryRun'))
  .option('--tz <zone>', say('optImportTz'), 'Europe/Moscow')
  .option('--wait <seconds>', say('optWait'), '3600')
  .action(async (dir: string, o: { name?: string; dryRun?: boolean; tz: string; wait?: string }) => {
    const path = resolve(dir);
    // Read it here first: a broken export is reported before anything is registered.
    let schools;
    try {
      schools = await new OneRosterCsvSource({ kind: 'oneroster-csv', path }).listSchools();
    } catch (error) {
      throw new CliError(say('unreadableExport', { path, message: (error as Error).message }));
    }
    if (schools.length === 0) throw new CliError(say('noSchools', { path }));
    if (!json()) process.stderr.write(`${say('exportRead', { count: schools.length, names: schools.map((s) => s.name).join(', ') })}\n`);
    const c = await api.call<Connection>('POST', '/v1/connections', {
      name: o.name ?? say('importName', { path }),
      kind: 'oneroster-csv',
      settings: { path },
      schools: schools.map((s) => ({ schoolExternalId: s.externalId })),
      timezone: o.tz,
    });
    if (!json()) process.stderr.write(`${say('connectionCreated', { id: c.id })}\n`);
    await syncAndFollow(c.id, { dryRun: Boolean(o.dryRun), ...(o.wait ? { wait: o.wait } : {}) });
  });

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CliError) {
    process.stderr.write(`hub: ${error.message}\n`);
    process.exit(error.exitCode);
  }
  process.stderr.write(`hub: ${say('unexpected', { message: (error as Error).message })}\n`);
  process.exit(1);
});
