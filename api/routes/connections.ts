// Authority operators (role `authority`, scoped to their region): journal connections and their
// sync runs. Credentials are sealed on the way in (infra/secrets.ts) and never come back out.
import { Router, type Request } from 'express';
import { isJournalSourceError } from '../../adapters/journals/errors.js';
import { emptyStats } from '../../adapters/messenger/port.js';
import { writeAudit } from '../../db/repositories/audit.js';
import {
  findConnection,
  insertConnection,
  listConnections,
  updateConnection,
  type JournalConnection,
} from '../../db/repositories/connections.js';
import { findCurrentExport, readExportFiles, replaceExport } from '../../db/repositories/journal-exports.js';
import { sumSummaries } from '../../db/repositories/run-summary.js';
import { findSyncRun, findSyncRunByWorkflowId, listSyncRuns, syncRunReport, type RunWarning, type SyncRun, type SyncRunChat, type SyncRunSchool } from '../../db/repositories/sync-runs.js';
import { secretBoxFromConfig, type SecretBox } from '../../infra/secrets.js';
import { checkExport, isFileKind } from '../../sync/journal-exports.js';
import { placePolicyFromConfig, refusedPlace } from '../../sync/connection-places.js';
import { exportReadView, runSourceView } from '../export-read-view.js';
import { journalFactory } from '../../sync/journal-factory.js';
import { decideRun, startSync, SyncRefused } from '../../sync/start-sync.js';
import type { ApiDeps } from '../deps.js';
import { principalOf } from '../auth.js';
import { fill, words } from '../../i18n/index.js';
import { exportReason, readUpload, uploadLimitsFromConfig } from '../journal-upload.js';
import { formatLocalTime, message, type Lang } from '../messages.js';
import { Problem } from '../problem.js';
import { connectionParams, createConnectionBody, decisionBody, runParams, syncBody, uploadQuery } from '../schemas/connections.js';
import { isGone, refusalOf } from '../temporal-errors.js';
import { ApplicationFailure } from '@temporalio/common';
import { ROSTER_REFUSALS, type BusyRun } from '../../workflows/roster-definitions.js';

const cronFor = (hhmm: string): string => {
  const [h, m] = hhmm.split(':');
  return `${Number(m)} ${Number(h)} * * *`;
};
const nightlyAtOf = (cron: string | null): string | null => {
  const m = cron ? /^(\d+) (\d+) \* \* \*$/.exec(cron) : null;
  return m ? `${m[2]!.padStart(2, '0')}:${m[1]!.padStart(2, '0')}` : cron;
};

export function connectionView(c: JournalConnection) {
  return {
    id: c.id,
    name: c.name,
    kind: c.kind,
    settings: c.settings,
    hasCredentials: c.hasCredentials,
    region: c.region,
    nightlyAt: nightlyAtOf(c.cron),
    timezone: c.timezone,
    status: !c.enabled ? 'disabled' : c.paused ? 'paused' : 'enabled',
    schools: c.schools,
    createdAt: c.createdAt.toISOString(),
  };
}

/** A run's times: the instant, and as read in the connection's zone (its schools' region), which is named. */
function runView(r: SyncRun, timeZone: string, lang: Lang) {
  return {
    id: r.id,
    connectionId: r.connectionId,
    workflowId: r.workflowId,
    kind: r.kind,
    dryRun: r.dryRun,
    status: r.status,
    progress: r.status === 'running' ? { done: r.progress.schoolsDone ?? 0, total: r.progress.schoolsTotal ?? 0, rowsRead: r.progress.rowsRead ?? 0, applied: r.progress.applied ?? 0 } : null,
    report:
      r.status === 'running'
        ? null
        : {
            adds: r.totals.adds ?? 0,
            removes: r.totals.removes ?? 0,
            pending: r.totals.pending ?? 0,
            errors: r.totals.errors ?? 0,
            chats: r.totals.chats ?? 0,
            // Issue 13: people added directly apart from people handed an invite link (VK community
            // token): `invited` got a link this run, `invitedWaiting` still have not come, `joinedFromInvites`
            // came in since; `refused` the messenger would not take (privacy settings, unknown user).
            added: r.totals.appliedAdds ?? 0,
            invited: r.totals.appliedInvites ?? 0,
            invitedWaiting: r.totals.invitedWaiting ?? 0,
            joinedFromInvites: r.totals.joinedFromInvites ?? 0,
            refused: r.totals.refused ?? 0,
            // Issue 7: how hard the messenger was to talk to (retries after 429, 5xx, timeouts).
            messenger: { ...emptyStats(), ...r.totals.messenger },
          },
    guard: r.guard,
    startedAt: r.startedAt.toISOString(),
    startedAtLocal: formatLocalTime(r.startedAt, timeZone, lang),
    timezone: timeZone,
    finishedAt: r.finishedAt?.toISOString() ?? null,
    decidedBy: r.decidedBy,
    error: r.error,
  };
}

/** A warning as operators read it: the stored one, with a sentence in the reader's language. */
function warningView(w: RunWarning, lang: Lang): RunWarning & { message: string } {
  switch (w.code) {
    case 'chat-created-again':
      return { ...w, message: message('run-warning-chat-created-again', lang, { title: w.title }) };
    case 'failed':
      return { ...w, message: message('run-warning-failed', lang, { reason: w.message }) };
    default:
      return { ...w, message: message(`run-warning-${w.code}`, lang, { ref: w.ref }) };
  }
}

const schoolView = (s: SyncRunSchool, lang: Lang) => ({ ...s, warnings: s.warnings.map((w) => warningView(w, lang)) });

/** A chat's line; one with refused changes says why and what to do, in the reader's language. */
function chatView(c: SyncRunChat, lang: Lang): SyncRunChat & { message?: string } {
  if (c.errors === 0) return c;
  const code = (c.errorDetail as { code?: string } | null)?.code;
  const key = code === 'forbidden' ? 'run-chat-forbidden' : code === 'not-found' ? 'run-chat-not-found' : 'run-chat-error';
  return { ...c, message: message(key, lang, { title: c.title, errors: c.errors }) };
}

export function connectionRoutes(deps: ApiDeps): Router {
  const { pool, temporal, config } = deps;
  const router = Router();
  let box: SecretBox | undefined;
  const secrets = (): SecretBox => (box ??= secretBoxFromConfig(config));
  const places = placePolicyFromConfig(config);

  /** The connection, if it is in the operator's region (others look absent). */
  async function ownConnection(req: Request): Promise<JournalConnection> {
    const p = principalOf(req);
    const { connectionId } = connectionParams.parse(req.params);
    const c = await findConnection(pool, connectionId);
    if (!c || (p.region !== undefined && c.region !== p.region)) throw new Problem(404, 'connection-not-found');
    return c;
  }

  async function ownRun(req: Request): Promise<{ run: SyncRun; connection: JournalConnection }> {
    const p = principalOf(req);
    const { runId } = runParams.parse(req.params);
    const run = await findSyncRun(pool, runId);
    const connection = run ? await findConnection(pool, run.connectionId) : undefined;
    if (!run || !connection || (p.region !== undefined && connection.region !== p.region)) throw new Problem(404, 'sync-run-not-found');
    return { run, connection };
  }

  const zoneOf = (c: JournalConnection): string => c.timezone ?? config.SYNC_TIMEZONE;

  router.get('/connections', async (req, res) => {
    const p = principalOf(req);
    const rows = await listConnections(pool, p.region !== undefined ? { region: p.region } : {});
    res.json({ items: rows.map(connectionView) });
  });

  router.post('/connections', async (req, res) => {
    const p = principalOf(req);
    const body = createConnectionBody.parse(req.body);
    const refusal = await refusedPlace(body.settings, places);
    if (refusal) throw new Problem(422, 'connection-place-not-allowed', { setting: refusal.setting }, { reason: refusal.code, setting: refusal.setting });
    const c = await insertConnection(pool, secrets(), {
      name: body.name,
      kind: body.kind,
      settings: body.settings,
      ...(body.credentials ? { credentials: body.credentials } : {}),
      region: p.region ?? null,
      cron: cronFor(body.nightlyAt),
      timezone: body.timezone,
      createdBy: p.sub,
      schools: body.schools.map((s) => ({ schoolExternalId: s.schoolExternalId, schoolId: s.schoolId ?? null })),
    });
    await writeAudit(pool, {
      actor: p.sub,
      actorRole: p.role,
      action: 'connection.created',
      subjectType: 'connection',
      subjectId: c.id,
      details: { kind: c.kind, schools: c.schools.length },
      requestId: req.requestId,
    });
    res.status(201).location(`/v1/connections/${c.id}`).json(connectionView(c));
  });

  router.get('/connections/:connectionId', async (req, res) => {
    res.json(connectionView(await ownConnection(req)));
  });

  /** Uploads stream to scratch under JOURNAL_UPLOAD_MAX_BYTES; a zip is held to the JOURNAL_UPLOAD_ZIP_* limits. */
  const uploadLimits = uploadLimitsFromConfig(config);

  /**
   * An export for a file-based connection: read by its adapter first (a bad one is refused with the
   * adapter's own words: file, row, column), then stored in one transaction replacing the previous one.
   */
  router.post('/connections/:connectionId/export', async (req, res) => {
    const c = await ownConnection(req);
    if (!isFileKind(c.kind)) throw new Problem(409, 'connection-not-file-based', { kind: c.kind });
    const upload = await readUpload(c.kind, req, uploadLimits);
    let checked: Awaited<ReturnType<typeof checkExport>>;
    try {
      // A OneRoster delta is applied as changes to the export the connection reads now (issue 16 item 5).
      const previous = async () => {
        const before = await findCurrentExport(pool, c.id);
        return before && { layout: before.layout, files: readExportFiles(pool, before.id, before.files.map((f) => f.name)) };
      };
      checked = await checkExport(c.kind, c.settings, upload.layout, upload.files, config.JOURNAL_UPLOAD_SCRATCH_DIR, previous);
    } catch (error) {
      if (isJournalSourceError(error)) throw new Problem(422, 'export-invalid', { reasonRu: error.text('ru'), reasonEn: error.text('en') });
      throw error;
    }
    const { schools } = checked;
    if (schools === 0) {
      throw new Problem(422, 'export-invalid', exportReason('noSchool'));
    }
    const p = principalOf(req);
    const i = checked.inspection;
    const inspection = i ? { counts: i.counts, warnings: i.warnings, warningsNotListed: i.warningsNotListed } : undefined;
    const stored = await replaceExport(pool, { connectionId: c.id, layout: checked.layout, files: checked.files, uploadedBy: p.sub, ...(inspection ? { inspection } : {}) });
    await writeAudit(pool, {
      actor: p.sub,
      actorRole: p.role,
      action: 'connection.export-uploaded',
      subjectType: 'connection',
      subjectId: c.id,
      details: { layout: stored.layout, files: stored.files, bytes: stored.byteSize, sha256: stored.sha256 },
      requestId: req.requestId,
    });
    // Issue 16 item 6: what the next sync would do, as a dry run of the export just kept.
    let plan: { workflowId: string; runId: string | null } | { refused: string } | undefined;
    if (uploadQuery.parse(req.query).plan === 'true') {
      try {
        const { workflowId } = await startSync({ pool, temporal, config, taskQueue: deps.taskQueues.roster }, { connectionId: c.id, dryRun: true, requestedBy: p.sub });
        plan = { workflowId, runId: (await runRowOf(workflowId))?.id ?? null };
      } catch (error) {
        // The upload is kept all the same; the dry run is what could not start (a disabled connection).
        if (!(error instanceof SyncRefused)) throw error;
        plan = { refused: error.code };
      }
    }
    res.status(201).json({
      ...(plan ? { plan } : {}),
      connectionId: c.id,
      layout: stored.layout,
      files: stored.files,
      bytes: stored.byteSize,
      sha256: stored.sha256,
      schools,
      uploadedAt: stored.uploadedAt.toISOString(),
      // Issue 16 items 5, 6: what the check read, and what is odd but readable (file, row, column).
      ...exportReadView(checked, req.lang),
    });
  });

  /** Reaches the source with the stored settings and credentials and counts its schools. */
  router.post('/connections/:connectionId/test', async (req, res) => {
    const c = await ownConnection(req);
    const started = Date.now();
    try {
      const source = await journalFactory(pool, secrets(), undefined, places)(c);
      const schools = await Promise.race([
        source.listSchools(),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(fill(words(req.lang).connectionTest.noAnswer, { seconds: 15 }))), 15_000).unref()),
      ]);
      res.json({ ok: true, schools: schools.length, sample: schools.slice(0, 5).map((s) => s.name), ms: Date.now() - started });
    } catch (error) {
      const code = (error as { code?: string }).code;
      res.json({ ok: false, error: code ?? 'unreachable', message: (error as Error).message.slice(0, 300), ms: Date.now() - started });
    }
  });

  for (const [action, patch] of [
    ['enable', { enabled: true, paused: false }],
    ['pause', { paused: true }],
  ] as const) {
    router.post(`/connections/:connectionId/${action}`, async (req, res) => {
      const p = principalOf(req);
      const c = await ownConnection(req);
      const after = await updateConnection(pool, secrets(), c.id, patch);
      await writeAudit(pool, { actor: p.sub, actorRole: p.role, action: `connection.${action}d`, subjectType: 'connection', subjectId: c.id, requestId: req.requestId });
      res.json(connectionView(after ?? c));
    });
  }

  /** The run row of a just started run, once its first activity wrote it (up to ~5 s), else undefined. */
  async function runRowOf(workflowId: string): Promise<SyncRun | undefined> {
    for (let i = 0; i < 50; i++) {
      const run = await findSyncRunByWorkflowId(pool, workflowId);
      if (run) return run;
      await new Promise((r) => setTimeout(r, 100));
    }
    return undefined;
  }

  /** The run in the way, if this run's workflow refused to start because another one was running. */
  async function refusedAsBusy(workflowId: string): Promise<BusyRun | undefined> {
    const handle = temporal.workflow.getHandle(workflowId);
    const { status } = await handle.describe();
    if (status.name !== 'FAILED') return undefined;
    try {
      await handle.result();
    } catch (e) {
      const cause = (e as { cause?: unknown }).cause;
      if (cause instanceof ApplicationFailure && cause.type === ROSTER_REFUSALS.syncAlreadyRunning) return cause.details?.[0] as BusyRun;
    }
    return undefined;
  }

  router.post('/connections/:connectionId/sync', async (req, res) => {
    const p = principalOf(req);
    const c = await ownConnection(req);
    const body = syncBody.parse(req.body ?? {});
    try {
      const { workflowId } = await startSync(
        { pool, temporal, config, taskQueue: deps.taskQueues.roster },
        { connectionId: c.id, dryRun: body.dryRun, requestedBy: p.sub, ...(body.schoolExternalId ? { schoolExternalId: body.schoolExternalId } : {}) },
      );
      await writeAudit(pool, {
        actor: p.sub,
        actorRole: p.role,
        action: 'sync.requested',
        subjectType: 'connection',
        subjectId: c.id,
        details: { workflowId, dryRun: body.dryRun, school: body.schoolExternalId ?? null },
        requestId: req.requestId,
      });
      // The run row appears when the workflow's first activity runs; wait briefly so the caller gets its id.
      // A run started in the same instant as this one may have won the connection: then it refuses too.
      let run: SyncRun | undefined;
      for (let i = 0; i < 50 && !run; i++) {
        run = await findSyncRunByWorkflowId(pool, workflowId);
        if (run) break;
        if (i % 5 === 4) {
          const holder = await refusedAsBusy(workflowId);
          if (holder) throw new SyncRefused('sync-already-running', holder);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      res.status(202).json({ workflowId, run: run ? runView(run, zoneOf(c), req.lang) : null });
    } catch (error) {
      if (!(error instanceof SyncRefused)) throw error;
      if (error.code === 'sync-already-running' && error.holder) {
        const h = error.holder;
        throw new Problem(
          409,
          'sync-already-running',
          { startedAt: formatLocalTime(new Date(h.startedAt), zoneOf(c), req.lang), kind: h.kind },
          { run: { id: h.runId, workflowId: h.workflowId, kind: h.kind, status: h.status, startedAt: h.startedAt } },
        );
      }
      if (error.code === 'nothing-to-read') throw new Problem(409, 'connection-nothing-to-read');
      throw new Problem(409, error.code === 'connection-disabled' ? 'connection-disabled' : 'connection-not-found');
    }
  });

  router.get('/connections/:connectionId/runs', async (req, res) => {
    const c = await ownConnection(req);
    res.json({ items: (await listSyncRuns(pool, c.id)).map((r) => runView(r, zoneOf(c), req.lang)) });
  });

  router.get('/sync-runs/:runId', async (req, res) => {
    const { run, connection } = await ownRun(req);
    const report = await syncRunReport(pool, run.id);
    res.json({
      ...runView(run, zoneOf(connection), req.lang),
      // Issue 16 item 6: read per kind, what will be done, messenger reads apart from writes.
      summary: sumSummaries(report?.schools ?? []),
      // The file export as the run read it: counts and warnings by file, row and column.
      source: runSourceView(run.progress.source, req.lang),
      schools: (report?.schools ?? []).map((s) => schoolView(s, req.lang)),
      chats: (report?.chats ?? []).map((c) => chatView(c, req.lang)),
    });
  });

  for (const decision of ['confirm', 'discard'] as const) {
    router.post(`/sync-runs/:runId/${decision}`, async (req, res) => {
      const p = principalOf(req);
      const { run, connection } = await ownRun(req);
      const { reason } = decisionBody.parse(req.body);
      if (run.status !== 'awaiting-confirmation') throw new Problem(409, 'run-not-awaiting-confirmation', { status: run.status });
      try {
        await decideRun(temporal, run.workflowId, decision, p.sub, reason);
      } catch (error) {
        if (refusalOf(error) || isGone(error)) throw new Problem(409, 'run-not-awaiting-confirmation', { status: run.status });
        throw error;
      }
      await writeAudit(pool, { actor: p.sub, actorRole: p.role, action: `sync.${decision}ed`, subjectType: 'sync_run', subjectId: run.id, reason, requestId: req.requestId });
      res.json(runView((await findSyncRun(pool, run.id)) ?? run, zoneOf(connection), req.lang));
    });
  }

  return router;
}
