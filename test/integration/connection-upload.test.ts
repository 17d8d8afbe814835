// Issue 6 "upload of file exports through the API": an authority operator uploads the export a
// file-based connection reads (a OneRoster .zip, or the CSV files as multipart/form-data); the
// adapter checks it before it is kept; the next sync reads the upload and plans exactly what the
// same export read from a server-side path plans. Broken, oversized and wrong-type uploads are
// problem+json, and nothing is stored (a previous good upload stays). Nothing of an upload stays on
// disk either: the copy the adapter reads is removed and its files closed, accepted or refused.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../api/auth.js';
import { InMemoryMessenger } from '../../adapters/messenger/in-memory.js';
import { projectRoot } from '../../infra/paths.js';
import { secretBox } from '../../infra/secrets.js';
import { findCurrentExport } from '../../db/repositories/journal-exports.js';
import { materialiseExport } from '../../sync/journal-exports.js';
import { journalFactory } from '../../sync/journal-factory.js';
import { startNightlySync } from '../../sync/start-sync.js';
import { syncContext } from '../helpers/roster.js';
import { useTestApi, type TestApi } from '../helpers/api.js';
import { useTestDb } from '../helpers/db.js';
import { useTemporalWorker } from '../helpers/temporal.js';

const key = randomBytes(32);
const db = useTestDb();
const temporal = useTemporalWorker(() => ({ pool: db.pool, journals: journalFactory(db.pool, secretBox(key)), messenger: new InMemoryMessenger() }));
const api = useTestApi(db, temporal, { HUB_SECRETS_KEY: key.toString('base64') });
/** A second API over the same database with a tiny upload limit (the fixture zip is 2.4 KB). */
const small = useTestApi(db, temporal, { HUB_SECRETS_KEY: key.toString('base64'), JOURNAL_UPLOAD_MAX_BYTES: '2048' });
/** A third one that writes uploads out under a folder of this file's own, to see what stays behind. */
const scratch = realpathSync(mkdtempSync(join(tmpdir(), 'hub-upload-scratch-')));
const scratchApi = useTestApi(db, temporal, { HUB_SECRETS_KEY: key.toString('base64'), JOURNAL_UPLOAD_SCRATCH_DIR: scratch });
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const operator: Principal = { sub: 'op-kazan', role: 'authority', schools: [], classes: [], region: '16' };
const elsewhere: Principal = { sub: 'op-perm', role: 'authority', schools: [], classes: [], region: '59' };
const fixtures = join(projectRoot, 'test', 'fixtures', 'oneroster');
const zipPath = join(fixtures, 'catalyst-v1p1', 'Test_full_data_set.zip');
const csvDir = join(fixtures, 'catalyst-v1p2');
const zip = readFileSync(zipPath);

async function connection(settings: Record<string, string | number>, kind = 'oneroster-csv'): Promise<string> {
  const res = await api.call('POST', '/v1/connections', { as: operator, body: { name: 'Выгрузка', kind, settings } });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

async function upload(id: string, body: Uint8Array | FormData | string, contentType?: string, opts: { via?: TestApi; as?: Principal; lang?: string } = {}) {
  const via = opts.via ?? api;
  const headers: Record<string, string> = { authorization: `Bearer ${await via.tokens.sign(opts.as ?? operator)}` };
  if (contentType) headers['content-type'] = contentType;
  if (opts.lang) headers['accept-language'] = opts.lang;
  const res = await fetch(`${via.baseUrl}/v1/connections/${id}/export`, { method: 'POST', headers, body });
  const text = await res.text();
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', body: text ? JSON.parse(text) : undefined };
}

function csvForm(dir: string, only?: (name: string) => boolean): FormData {
  const form = new FormData();
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.csv') && (!only || only(n)))) {
    form.append('files', new Blob([readFileSync(join(dir, name))], { type: 'text/csv' }), name);
  }
  return form;
}

/** The zip with the local header of one entry broken; its central directory still lists it intact. */
function damagedEntry(archive: Buffer, name: string): Buffer {
  const out = Buffer.from(archive);
  for (let at = out.indexOf('PK\x03\x04', 0, 'latin1'); at >= 0; at = out.indexOf('PK\x03\x04', at + 4, 'latin1')) {
    const entry = out.toString('utf8', at + 30, at + 30 + out.readUInt16LE(at + 26));
    if (basename(entry) === name) {
      out.write('XXXX', at, 'latin1');
      return out;
    }
  }
  throw new Error(`no entry ${name}`);
}

/** A ZIP archive of the files, stored without compression (all an export needs in a test). */
function storedZip(files: { name: string; content: Buffer }[]): Buffer {
  const parts: Buffer[] = [];
  const directory: Buffer[] = [];
  let offset = 0;
  for (const f of files) {
    const name = Buffer.from(f.name);
    const crc = crc32(f.content);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(f.content.length, 18);
    local.writeUInt32LE(f.content.length, 22);
    local.writeUInt16LE(name.length, 26);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(f.content.length, 20);
    entry.writeUInt32LE(f.content.length, 24);
    entry.writeUInt16LE(name.length, 28);
    entry.writeUInt32LE(offset, 42);
    parts.push(local, name, f.content);
    directory.push(entry, name);
    offset += local.length + name.length + f.content.length;
  }
  const dir = Buffer.concat(directory);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, dir, end]);
}

/**
 * The OneRoster 1.2 export with 20 000 more classes of another school: far more than a stream buffers,
 * so a read stopped after its first page leaves the rest of classes.csv unread.
 */
function largeExport(): { name: string; content: Buffer }[] {
  const files = readdirSync(csvDir)
    .filter((n) => n.endsWith('.csv'))
    .map((name) => ({ name, content: readFileSync(join(csvDir, name)) }));
  const classes = files.find((f) => f.name === 'classes.csv')!;
  const padding = Array.from({ length: 20_000 }, (_, i) => `cls-pad-${i},active,2023-05-01T18:25:43.511Z,Padding ${i},10,,P${i},scheduled,Room ${i},org-elsewhere,as-trm-222-1234,,,1`);
  const eol = classes.content.includes('\r\n') ? '\r\n' : '\n'; // the file's own line ends
  classes.content = Buffer.concat([classes.content, Buffer.from(`${eol}${padding.join(eol)}${eol}`)]);
  // The other school is listed too: the upload check reads every reference (issue 16 item 5).
  const orgs = files.find((f) => f.name === 'orgs.csv')!;
  orgs.content = Buffer.concat([orgs.content, Buffer.from(`${orgs.content.at(-1) === 0x0a ? '' : eol}org-elsewhere,active,2023-05-01T18:25:43.511Z,Elsewhere,school,,${eol}`)]);
  return files;
}

/**
 * What uploads left under the scratch folder: its entries, and files there this process still holds
 * open (a deleted file held open keeps its bytes on disk).
 */
function leftovers(): string[] {
  const held = existsSync('/proc/self/fd')
    ? readdirSync('/proc/self/fd').flatMap((fd) => {
        try {
          const target = readlinkSync(`/proc/self/fd/${fd}`);
          return target.startsWith(scratch) ? [`open: ${target}`] : [];
        } catch {
          return []; // the descriptor readdir itself used, closed by now
        }
      })
    : [];
  return [...readdirSync(scratch), ...held];
}

/** Dry run to its report: what a sync plans, chat by chat. */
async function plannedChats(id: string) {
  const started = await api.call('POST', `/v1/connections/${id}/sync`, { as: operator, body: { dryRun: true } });
  expect(started.status).toBe(202);
  const runId = started.body.run.id as string;
  await expect.poll(async () => (await api.call('GET', `/v1/sync-runs/${runId}`, { as: operator })).body.status, { timeout: 30_000, interval: 300 }).not.toBe('running');
  const run = await api.call('GET', `/v1/sync-runs/${runId}`, { as: operator });
  expect(run.body.status).toBe('planned');
  return run.body.chats.map((c: { schoolExternalId: string; title: string; adds: number; removes: number; pending: number }) => ({
    school: c.schoolExternalId,
    title: c.title,
    adds: c.adds,
    removes: c.removes,
    pending: c.pending,
  }));
}

const storedExports = async (id: string) =>
  (await db.pool.query(`SELECT id, sha256, layout FROM journal_exports WHERE connection_id = $1`, [id])).rows as { id: string; sha256: string; layout: string }[];

describe('uploading a journal export (authority)', () => {
  it('a OneRoster .zip uploaded through the API plans the same chats as the same zip read from a server path', async () => {
    const byPath = await connection({ path: zipPath });
    const byUpload = await connection({});

    const res = await upload(byUpload, zip, 'application/zip');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ layout: 'zip', bytes: zip.length, schools: expect.any(Number) });
    expect(res.body.schools).toBeGreaterThan(0);

    const expected = await plannedChats(byPath);
    expect(expected.length).toBeGreaterThan(0);
    expect(await plannedChats(byUpload)).toEqual(expected);
    const audit = await db.pool.query(`SELECT actor FROM audit_log WHERE action = 'connection.export-uploaded' AND subject_id = $1`, [byUpload]);
    expect(audit.rows).toEqual([{ actor: 'op-kazan' }]);
  });

  it('the CSV files of a OneRoster 1.2 export, sent as multipart/form-data, plan the same chats as the folder path', async () => {
    const byPath = await connection({ path: csvDir });
    const byUpload = await connection({});
    const res = await upload(byUpload, csvForm(csvDir));
    expect(res.status).toBe(201);
    expect(res.body.layout).toBe('files');
    expect(res.body.files.map((f: { name: string }) => f.name)).toEqual(expect.arrayContaining(['manifest.csv', 'orgs.csv', 'users.csv']));
    expect(await plannedChats(byUpload)).toEqual(await plannedChats(byPath));
  });

  it('broken, wrong-type and oversized uploads are problem+json and store nothing; a good upload before them stays', async () => {
    const id = await connection({});
    const good = await upload(id, zip, 'application/zip');
    expect(good.status).toBe(201);
    const before = await storedExports(id);
    expect(before).toHaveLength(1);

    const wrongType = await upload(id, 'hello', 'text/plain');
    expect(wrongType.status).toBe(415);
    expect(wrongType.contentType).toContain('application/problem+json');
    expect(wrongType.body.type).toBe('/problems/export-wrong-type');
    expect(wrongType.body.detail).toContain('application/zip');

    const notZip = await upload(id, 'just some text', 'application/zip');
    expect(notZip.status).toBe(422);
    expect(notZip.body.type).toBe('/problems/export-invalid');
    expect(notZip.body.detail).toMatch(/не является ZIP-архивом/);

    const truncated = await upload(id, zip.subarray(0, 600), 'application/zip', { lang: 'en' });
    expect(truncated.status).toBe(422);
    expect(truncated.body.type).toBe('/problems/export-invalid');
    expect(truncated.body.detail).toMatch(/^The export was not accepted and nothing was stored/);

    // CSV files without the manifest: the adapter's own words name the missing file.
    const noManifest = await upload(id, csvForm(csvDir, (n) => n !== 'manifest.csv'));
    expect(noManifest.status).toBe(422);
    expect(noManifest.body.detail).toContain('manifest.csv');

    // orgs.csv without its "type" column: the file and the column are named.
    const form = csvForm(csvDir, (n) => n !== 'orgs.csv');
    form.append('files', new Blob(['sourcedId,status,name\norg-1,active,Школа\n'], { type: 'text/csv' }), 'orgs.csv');
    const badColumn = await upload(id, form);
    expect(badColumn.status).toBe(422);
    expect(badColumn.body.detail).toMatch(/orgs\.csv.*type/);

    const tooLarge = await upload(id, zip, 'application/zip', { via: small });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.contentType).toContain('application/problem+json');
    expect(tooLarge.body.type).toBe('/problems/export-too-large');

    expect(await storedExports(id)).toEqual(before);
  });

  it('nothing of an upload stays in the scratch folder, refused or accepted: no files, no open descriptors', async () => {
    // One row per page: the check stops reading in the middle of a file, which must be closed all the same.
    const id = await connection({ pageSize: 1 });
    expect(leftovers()).toEqual([]);

    // orgs.csv listed in the zip's directory but damaged where it is stored: refused naming the file.
    const damaged = await upload(id, damagedEntry(zip, 'orgs.csv'), 'application/zip', { via: scratchApi });
    expect(damaged.status).toBe(422);
    expect(damaged.body.type).toBe('/problems/export-invalid');
    expect(damaged.body.detail).toMatch(/orgs\.csv.*повреждён/);
    await expect.poll(leftovers, { timeout: 3_000 }).toEqual([]);

    const form = csvForm(csvDir, (n) => n !== 'orgs.csv');
    form.append('files', new Blob(['sourcedId,status,name\norg-1,active,Школа\n'], { type: 'text/csv' }), 'orgs.csv');
    const badColumn = await upload(id, form, undefined, { via: scratchApi });
    expect(badColumn.status).toBe(422);
    await expect.poll(leftovers, { timeout: 3_000 }).toEqual([]);

    const large = largeExport();
    const acceptedZip = await upload(id, storedZip(large), 'application/zip', { via: scratchApi });
    expect(acceptedZip.status).toBe(201);
    expect(acceptedZip.body.bytes).toBeGreaterThan(1024 * 1024);
    await expect.poll(leftovers, { timeout: 3_000 }).toEqual([]);

    const form2 = new FormData();
    for (const f of large) form2.append('files', new Blob([f.content], { type: 'text/csv' }), f.name);
    const acceptedFiles = await upload(id, form2, undefined, { via: scratchApi });
    expect(acceptedFiles.status).toBe(201);
    expect(acceptedFiles.body.layout).toBe('files');
    await expect.poll(leftovers, { timeout: 3_000 }).toEqual([]);
  });

  it('issue 16 item 6: a sync of a connection with nothing to read (no upload, no path) is refused at once, the night\'s run fails at once saying why, and neither holds the connection', async () => {
    const id = await connection({});
    const refused = await api.call('POST', `/v1/connections/${id}/sync`, { as: operator, body: { dryRun: false } });
    expect(refused.status).toBe(409);
    expect(refused.body.type).toBe('/problems/connection-nothing-to-read');
    expect(refused.body.detail).toMatch(/нечего читать.*Загрузите выгрузку/);
    const inEnglish = await api.call('POST', `/v1/connections/${id}/sync`, { as: operator, body: { dryRun: true }, headers: { 'accept-language': 'en' } });
    expect(inEnglish.status).toBe(409);
    expect(inEnglish.body.detail).toMatch(/^The connection has nothing to read/);
    expect((await db.pool.query(`SELECT 1 FROM sync_runs WHERE connection_id = $1`, [id])).rowCount).toBe(0);

    // The night's run is not asked first: it starts, finds nothing to read and ends failed, once.
    const started = Date.now();
    const ctx = syncContext(db.pool, temporal.client, temporal.taskQueue);
    const night = await startNightlySync(ctx, id, '2031-10-01');
    await expect(temporal.client.workflow.getHandle(night.workflowId).result()).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(20_000); // not a retry a minute
    const runs = await api.call('GET', `/v1/connections/${id}/runs`, { as: operator });
    expect(runs.body.items).toHaveLength(1);
    expect(runs.body.items[0]).toMatchObject({ kind: 'nightly', status: 'failed' });
    expect(runs.body.items[0].error).toMatch(/нечего читать/);
    expect(runs.body.items[0].finishedAt).not.toBeNull();

    // Once an export arrives, a sync that writes starts (no 409 from the failed night).
    expect((await upload(id, zip, 'application/zip')).status).toBe(201);
    const after = await api.call('POST', `/v1/connections/${id}/sync`, { as: operator, body: { dryRun: false } });
    expect(after.status).toBe(202);
    const runId = after.body.run.id as string;
    await expect.poll(async () => (await api.call('GET', `/v1/sync-runs/${runId}`, { as: operator })).body.status, { timeout: 30_000, interval: 300 }).toBe('applied');
  });

  it('issue 16 items 5, 6: the upload answer counts what was read per kind and lists warnings by file, row and column (Russian, English on request)', async () => {
    const id = await connection({});
    const res = await upload(id, csvForm(csvDir));
    expect(res.status).toBe(201);
    expect(res.body.oneRosterVersion).toBe('1.2');
    expect(res.body.appliedAsDelta).toBe(false);
    expect(res.body.read).toMatchObject({ schools: 1, classes: 1, enrollments: 2, people: { students: 2 } });
    expect(res.body.read.people.teachers).toBeGreaterThan(0);
    expect(res.body.read.guardianships).toBeGreaterThan(0);
    expect(res.body.warnings).toContainEqual(expect.objectContaining({ code: 'not-iso-date', file: 'users.csv', row: 2, column: 'dateLastModified', value: '1/05/2023', message: expect.stringMatching(/^файл users\.csv, строка 2/) }));
    expect(res.body.warnings).toContainEqual(expect.objectContaining({ code: 'unknown-column', file: 'roles.csv', column: 'dataLastModified', suggestion: 'dateLastModified' }));
    const en = await upload(id, csvForm(csvDir), undefined, { lang: 'en' });
    expect(en.body.warnings.find((w: { code: string }) => w.code === 'unknown-column').message).toMatch(/^file .*OneRoster defines no such column/);
    // The run's report says the same, and counts what it read and will do.
    const started = await api.call('POST', `/v1/connections/${id}/sync`, { as: operator, body: { dryRun: true } });
    const runId = started.body.run.id as string;
    await expect.poll(async () => (await api.call('GET', `/v1/sync-runs/${runId}`, { as: operator })).body.status, { timeout: 30_000, interval: 300 }).toBe('planned');
    const run = (await api.call('GET', `/v1/sync-runs/${runId}`, { as: operator })).body;
    expect(run.source.read).toEqual(res.body.read);
    expect(run.source.warnings).toContainEqual(expect.objectContaining({ code: 'not-iso-date', file: 'users.csv', row: 2, column: 'dateLastModified', message: expect.stringMatching(/не в формате ISO 8601/) }));
    expect(run.summary.read.enrollments).toBe(res.body.read.enrollments);
    // Nobody has joined yet: no chat is created (a chat is made by its first add), everyone is pending.
    expect(run.summary.plan).toEqual({ chatsToCreate: 0, adds: 0, removes: 0, pending: run.report.pending });
    expect(run.summary.plan.pending).toBeGreaterThan(0);
    expect(run.summary.calls).toEqual({ messengerReads: 0, messengerWrites: 0 });
    expect(run.guard).toMatchObject({ verdict: 'would-pass' });
  });

  it('issue 16 item 6: an upload with plan=true answers a dry run of it, whose report says what the sync would do', async () => {
    const id = await connection({});
    const headers = { authorization: `Bearer ${await api.tokens.sign(operator)}`, 'content-type': 'application/zip' };
    const res = await fetch(`${api.baseUrl}/v1/connections/${id}/export?plan=true`, { method: 'POST', headers, body: zip });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { plan: { workflowId: string; runId: string } };
    expect(body.plan.runId).toEqual(expect.any(String));
    await expect.poll(async () => (await api.call('GET', `/v1/sync-runs/${body.plan.runId}`, { as: operator })).body.status, { timeout: 30_000, interval: 300 }).toBe('planned');
    const run = (await api.call('GET', `/v1/sync-runs/${body.plan.runId}`, { as: operator })).body;
    expect(run.dryRun).toBe(true);
    expect(run.summary.read.students).toBeGreaterThan(0);
    expect(run.summary.plan).toEqual({ chatsToCreate: 0, adds: 0, removes: 0, pending: run.report.pending });
    expect(run.guard.verdict).toBe('would-pass');
  });

  it('issue 16 item 5: a delta upload is applied as changes to the export before it (the sync plans what the changed full export plans); a delta with nothing before it is refused', async () => {
    // The change: one student's enrollment in the physics class ends.
    const changedRow = 'enr-s-222-12345-987654,tobedeleted,2024-09-01T08:00:00.000Z,cls-222-123456,org-sch-222-456,usr-222-987654,student,false,2022-03-15,2022-06-15';
    const header = 'sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary,beginDate,endDate';
    const deltaForm = () => {
      const form = new FormData();
      form.append('files', new Blob(['propertyName,value\nmanifest.version,1.0\noneroster.version,1.2\nfile.enrollments,delta\nfile.users,absent\n'], { type: 'text/csv' }), 'manifest.csv');
      form.append('files', new Blob([`${header}\n${changedRow}\n`], { type: 'text/csv' }), 'enrollments.csv');
      return form;
    };
    const fresh = await connection({});
    const alone = await upload(fresh, deltaForm());
    expect(alone.status).toBe(422);
    expect(alone.body.detail).toMatch(/delta.*полной выгрузке/);

    const full = mkdtempSync(join(tmpdir(), 'oneroster-after-'));
    try {
      for (const name of readdirSync(csvDir)) writeFileSync(join(full, name), readFileSync(join(csvDir, name)));
      const text = readFileSync(join(csvDir, 'enrollments.csv'), 'utf8');
      const eol = text.includes('\r\n') ? '\r\n' : '\n'; // the file's own line ends
      writeFileSync(join(full, 'enrollments.csv'), text.split(eol).map((l) => (l.startsWith('enr-s-222-12345-987654,') ? changedRow : l)).join(eol));
      const byPath = await connection({ path: full });

      const id = await connection({});
      expect((await upload(id, csvForm(csvDir))).status).toBe(201);
      const before = await plannedChats(id);
      const applied = await upload(id, deltaForm());
      expect(applied.status).toBe(201);
      expect(applied.body.appliedAsDelta).toBe(true);
      expect(applied.body.layout).toBe('files');
      const after = await plannedChats(id);
      expect(after).toEqual(await plannedChats(byPath));
      expect(after).not.toEqual(before);
      // Everything else stays: the same chats, the other student still pending in the class chat.
      expect(after.map((c: { title: string }) => c.title)).toEqual(before.map((c: { title: string }) => c.title));
    } finally {
      rmSync(full, { recursive: true, force: true });
    }
  });

  it('own region only; a connection that is not file-based refuses uploads', async () => {
    const id = await connection({});
    const other = await upload(id, zip, 'application/zip', { as: elsewhere });
    expect(other.status).toBe(404);
    expect(other.body.type).toBe('/problems/connection-not-found');
    const support = await upload(id, zip, 'application/zip', { as: { sub: 'agent', role: 'support', schools: [], classes: [] } });
    expect(support.status).toBe(403);
    const eljur = await connection({ baseUrl: 'http://127.0.0.1:9/apiv3', vendor: 'school' }, 'eljur');
    const refused = await upload(eljur, zip, 'application/zip');
    expect(refused.status).toBe(409);
    expect(refused.body.type).toBe('/problems/connection-not-file-based');
    expect(await storedExports(id)).toEqual([]);
  });

  it('a new upload replaces the previous one in one step', async () => {
    const id = await connection({});
    expect((await upload(id, zip, 'application/zip')).status).toBe(201);
    const second = await upload(id, csvForm(csvDir));
    expect(second.status).toBe(201);
    const stored = await storedExports(id);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.layout).toBe('files');
  });

  it("a worker's copy of a replaced upload is removed once unused for the grace period; other connections' copies stay", async () => {
    const cache = mkdtempSync(join(tmpdir(), 'hub-export-cache-'));
    try {
      const id = await connection({});
      const other = await connection({});
      expect((await upload(id, zip, 'application/zip')).status).toBe(201);
      expect((await upload(other, zip, 'application/zip')).status).toBe(201);
      const copyOf = async (conn: string, graceMs?: number) =>
        materialiseExport(db.pool, (await findCurrentExport(db.pool, conn))!, cache, graceMs);
      const first = await copyOf(id);
      const otherCopy = await copyOf(other);
      expect(existsSync(first)).toBe(true);
      expect((await upload(id, csvForm(csvDir))).status).toBe(201);
      const second = await copyOf(id);
      expect(second).not.toBe(first);
      expect(existsSync(first)).toBe(true); // used a moment ago: a run may still be reading it
      await copyOf(id, 0);
      expect(existsSync(first)).toBe(false);
      expect(existsSync(second)).toBe(true);
      expect(existsSync(otherCopy)).toBe(true);
      expect(readdirSync(join(cache, id))).toHaveLength(1);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });
});
