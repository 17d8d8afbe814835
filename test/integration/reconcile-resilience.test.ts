// Reconciliation under failure: messenger faults (429 + Retry-After, 5xx, hung requests), a worker
// killed hard in the middle of applying, and several scheduler replicas starting the same night.
import { outboxOtpSender } from '../../adapters/otp/outbox.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../../infra/logger.js';
import { projectRoot } from '../../infra/paths.js';
import { bundleWorkflows, createHubWorker } from '../../app/temporal-worker.js';
import { reconcileJobLoader } from '../../sync/schedule.js';
import { NightlyScheduler } from '../../scheduler/nightly.js';
import { startNightlySync } from '../../sync/start-sync.js';
import { loadConfig } from '../../infra/config.js';
import { useTestApi } from '../helpers/api.js';
import { useTestDb } from '../helpers/db.js';
import { actualMembership, expectedMembership, linkDirectly, rosterWorkerEnv, runSync, startRosterWorld, syncContext, userOf, type RosterWorld } from '../helpers/roster.js';
import { testDataConverter, useTemporalWorker } from '../helpers/temporal.js';

const db = useTestDb();
let w: RosterWorld;
beforeAll(async () => {
  // A short client timeout so hung requests fail fast and are retried.
  w = await startRosterWorld(db.pool, { seed: 11, timeoutMs: 400 });
  await linkDirectly(db.pool, w, w.model.persons.keys());
});
afterAll(async () => {
  await w?.close();
});
const t = useTemporalWorker(() => ({ pool: db.pool, messenger: w.messenger, journals: w.journals }));
const api = useTestApi(db, t);
const authority = { sub: 'operator-16', role: 'authority' as const, schools: [], classes: [], region: '16' };

const countRows = async (sql: string, params: unknown[]) => ((await db.pool.query(sql, params)).rows[0] as { n: number }).n;

describe('reconciliation resilience', () => {
  it('R-C5: a worker killed hard in the middle of applying; a new worker finishes with every change applied exactly once', async () => {
    const taskQueue = `${t.taskQueue}-crash`;
    // node itself runs the worker (not a tsx wrapper), so SIGKILL ends the very process that works.
    // Slow writes so the kill lands in the middle of the apply phase.
    w.messengerSim.setFaults({ slowShare: 1, slowMs: 60, methods: ['members/add'] });
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'test/fixtures/roster-worker.ts')], {
      cwd: projectRoot,
      env: rosterWorkerEnv(db, w, inject('temporalAddress'), taskQueue),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => d.toString().includes('worker ready') && resolve());
      child.once('exit', (code) => reject(new Error(`worker exited ${code}`)));
    });
    const ctx = syncContext(db.pool, t.client, taskQueue, { heartbeatTimeoutMs: 2_000, applyChunk: 1000 });
    const started = runSync(ctx, { connectionId: w.connection.id, dryRun: false });
    for (let i = 0; i < 600 && w.messengerSim.counters().byMethod['members/add'] < 6; i++) await new Promise((r) => setTimeout(r, 50));
    const addCallsAtKill = w.messengerSim.counters().byMethod['members/add'];
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    child.stdout?.destroy();
    expect(addCallsAtKill).toBeGreaterThanOrEqual(6);

    const native = await NativeConnection.connect({ address: inject('temporalAddress') });
    const rescuer: Worker = await createHubWorker({
      connection: native,
      namespace: 'default',
      taskQueue,
      bundle: await bundleWorkflows(),
      dataConverter: testDataConverter,
      deps: {
        pool: db.pool,
        logger: createLogger('silent'),
        otp: outboxOtpSender({ db: db.pool, logger: createLogger('silent'), keepCodes: false }),
        messenger: w.messenger,
        journals: w.journals,
      },
    });
    const { run, report } = await rescuer.runUntil(started);
    await native.close();
    w.messengerSim.setFaults({ slowShare: 0 });

    expect(run.status).toBe('applied');
    expect(actualMembership(w.messengerSim)).toEqual(expectedMembership(w));
    // The true diff (everything is new) was applied once each: effective adds = planned adds = final members.
    const planned = report.chats.reduce((n, c) => n + c.adds, 0);
    const finalMembers = [...actualMembership(w.messengerSim).values()].reduce((n, m) => n + m.length, 0);
    const c = w.messengerSim.counters();
    expect(c.membersAdded).toBe(planned);
    expect(c.membersAdded).toBe(finalMembers);
    expect(c.membersRemoved).toBe(0);
    expect(c.chatsCreated).toBe(report.chats.length);
    expect(report.chats.reduce((n, x) => n + x.appliedAdds, 0)).toBe(planned);
    expect(await countRows(`SELECT count(*)::int AS n FROM managed_memberships`, [])).toBe(finalMembers);
  });

  it('R-C5, issue 7: messenger faults on 20 % of calls (429 with Retry-After, 5xx, hung requests) slow a run down; it converges and its report counts the retries', async () => {
    w.messengerSim.resetCounters();
    const student = w.model.enrollmentsOf(w.school)[0]!;
    const target = w.model.classesOf(w.school).find((x) => x.id !== student.classId)!;
    w.model.transfer(student.studentId, target.id);
    w.model.expel(w.model.enrollmentsOf(w.school)[3]!.studentId);
    const hired = w.model.hire(w.school, 'teacher');
    await linkDirectly(db.pool, w, [hired]);
    w.messengerSim.setFaults({ rateLimitShare: 0.08, retryAfterSeconds: 1, serverErrorShare: 0.08, hangShare: 0.04, seed: 5 });
    const { run } = await runSync(syncContext(db.pool, t.client, t.taskQueue), { connectionId: w.connection.id, dryRun: false });
    const faults = w.messengerSim.counters().faults;
    w.messengerSim.setFaults({ rateLimitShare: 0, serverErrorShare: 0, hangShare: 0 });
    expect(run.status).toBe('applied');
    expect(faults.rateLimited + faults.serverErrors + faults.hung).toBeGreaterThan(0);
    expect(actualMembership(w.messengerSim)).toEqual(expectedMembership(w));
    expect(actualMembership(w.messengerSim).get('Учительская')).toContain(userOf(hired));
    // The report says what the faults cost: every fault the simulator served was seen and counted.
    const shown = await api.call('GET', `/v1/sync-runs/${run.id}`, { as: authority });
    expect(shown.status).toBe(200);
    const m = shown.body.report.messenger;
    expect(m.retries).toBeGreaterThan(0);
    expect({ rateLimited: m.rateLimited, serverErrors: m.serverErrors, timeouts: m.timeouts }).toEqual({
      rateLimited: faults.rateLimited,
      serverErrors: faults.serverErrors,
      timeouts: faults.hung,
    });
    expect(m.calls).toBeGreaterThan(m.retries);
    console.log(`drill: messenger faults on 20 % of calls — report: ${JSON.stringify(m)}`);
    // Converged means a further run has nothing to do.
    const before = w.messengerSim.counters().writeCalls;
    await runSync(syncContext(db.pool, t.client, t.taskQueue), { connectionId: w.connection.id, dryRun: false });
    expect(w.messengerSim.counters().writeCalls).toBe(before);
  });

  it('nightly, issue 13 item 5: the loader makes one job per connection; two scheduler replicas firing the same night start one workflow, and only the one that started it says so', async () => {
    const config = loadConfig({ LOG_LEVEL: 'silent' });
    const jobs = await reconcileJobLoader({ config, pool: db.pool, temporal: t.client });
    expect(jobs.map((j) => j.key)).toEqual([`reconcile/${w.connection.id}`]);
    expect(jobs[0]!.cron).toBe(config.SYNC_CRON);
    expect(jobs[0]!.timezone).toBe('Europe/Moscow');

    // Two replicas, each with its own log; the job's start goes to this file's worker.
    const ctx = syncContext(db.pool, t.client, t.taskQueue);
    const job = { ...jobs[0]!, start: async (runDate: string) => ({ started: (await startNightlySync(ctx, w.connection.id, runDate)).started }) };
    const replicas = [0, 1].map(() => {
      const lines: Array<{ level: number; msg: string; runDate?: string }> = [];
      const logger = createLogger('debug', 'scheduler', { write: (line: string) => void lines.push(JSON.parse(line)) });
      return { scheduler: new NightlyScheduler(logger), lines };
    });
    const night = new Date('2031-09-01T00:00:00Z'); // 03:00 in Moscow
    await Promise.all(replicas.map((r) => r.scheduler.fire(job, night)));
    const said = (level: number) => replicas.flatMap((r) => r.lines.filter((l) => l.level === level).map((l) => l.msg));
    expect(said(30)).toEqual(['nightly run started']);
    expect(said(20)).toEqual(['nightly run already started by another replica; nothing to do']);
    const workflowId = `reconcile/${w.connection.id}/2031-09-01`;
    await t.client.workflow.getHandle(workflowId).result();
    // A replica firing late, after the night's run finished, does not run it again, nor says it did.
    await replicas[0]!.scheduler.fire(job, night);
    expect(said(30)).toEqual(['nightly run started']);
    expect(await startNightlySync(ctx, w.connection.id, '2031-09-01')).toEqual({ workflowId, runId: null, started: false });
    expect(await countRows(`SELECT count(*)::int AS n FROM sync_runs WHERE workflow_id = $1`, [workflowId])).toBe(1);
  });
});
