// A region of several schools: the run goes through them in a sliding window of child workflows
// and continues as new after a page of schools (docs/reconcile.md "Shape"), so history stays small
// for thousands of schools. Real Temporal, real PostgreSQL, the Eljur adapter and the VK Teams
// adapter over HTTP against their simulators.
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDb } from '../helpers/db.js';
import { expectedMembership, linkDirectly, runSync, schoolMembership, startRosterWorld, syncContext, type RosterWorld } from '../helpers/roster.js';
import { testDataConverter, useTemporalWorker } from '../helpers/temporal.js';

const SCHOOLS = 5;
// A page of three schools, two at a time: the window has to wait inside a page, and the last page
// (two schools) is a partial one.
const tuning = { schoolsPerExecution: 3, schoolsInFlight: 2 };

const db = useTestDb();
let w: RosterWorld;
beforeAll(async () => {
  // The connection names no schools: a run reads every school the journal lists.
  w = await startRosterWorld(db.pool, { seed: 23, schools: SCHOOLS, grades: 1, studentsPerClass: 3, everySchool: true });
  await linkDirectly(db.pool, w, w.model.persons.keys());
});
const t = useTemporalWorker(() => ({ pool: db.pool, messenger: w.messenger, journals: w.journals }));
afterAll(async () => {
  await w?.close();
});

const sync = () => runSync(syncContext(db.pool, t.client, t.taskQueue, tuning), { connectionId: w.connection.id, dryRun: false });

interface Execution {
  runId: string;
  /** Most school workflows started and not yet finished at any one time. */
  maxInFlight: number;
  schoolsStarted: number;
  continuedAs: string | null;
  /** What the execution handed to the next one. */
  carry?: { next: number; done?: number; outcomes: unknown[] };
}

/** Every execution of the run's chain, first to last, read from Temporal's history. */
async function executions(client: Client, workflowId: string): Promise<Execution[]> {
  const described = await client.workflow.getHandle(workflowId).describe();
  const firstRunId = described.raw.workflowExecutionInfo?.firstRunId;
  if (!firstRunId) throw new Error('the server reports no first run id');
  const chain: Execution[] = [];
  for (let runId: string | null = firstRunId; runId; runId = chain.at(-1)!.continuedAs) {
    if (chain.length > 10) throw new Error('continue-as-new chain does not end');
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const e: Execution = { runId, maxInFlight: 0, schoolsStarted: 0, continuedAs: null };
    let inFlight = 0;
    for (const ev of history.events ?? []) {
      if (ev.startChildWorkflowExecutionInitiatedEventAttributes) {
        e.schoolsStarted++;
        e.maxInFlight = Math.max(e.maxInFlight, ++inFlight);
      }
      if (
        ev.childWorkflowExecutionCompletedEventAttributes ||
        ev.childWorkflowExecutionFailedEventAttributes ||
        ev.childWorkflowExecutionCanceledEventAttributes ||
        ev.childWorkflowExecutionTimedOutEventAttributes ||
        ev.childWorkflowExecutionTerminatedEventAttributes ||
        ev.startChildWorkflowExecutionFailedEventAttributes
      )
        inFlight--;
      const can = ev.workflowExecutionContinuedAsNewEventAttributes;
      if (can) {
        e.continuedAs = can.newExecutionRunId ?? null;
        // Payloads are encrypted (issue 14): decoded with the suite's codec before reading the carry.
        const payload = can.input?.payloads?.[0];
        const [decoded] = payload ? await testDataConverter.payloadCodecs![0]!.decode([payload]) : [];
        if (decoded?.data) e.carry = (JSON.parse(Buffer.from(decoded.data).toString('utf8')) as { carry?: Execution['carry'] }).carry;
      }
    }
    chain.push(e);
  }
  expect(chain.at(-1)!.runId).toBe(described.runId);
  return chain;
}

describe('reconciliation of a region of several schools', () => {
  it('R-C1..R-C4, R-C6: every school is reconciled, a few at a time, continuing as new after a page of schools', async () => {
    const { workflowId, run, report } = await sync();

    // Every school's chats hold exactly what the journal says (everyone is linked).
    expect(w.schools).toHaveLength(SCHOOLS);
    for (const school of w.schools) {
      expect(await schoolMembership(db.pool, w, school)).toEqual(expectedMembership(w, school));
    }
    // One messenger chat per desired chat: no school's chats were created twice.
    const chatsWanted = w.schools.reduce((n, s) => n + expectedMembership(w, s).size, 0);
    expect(w.messengerSim.store.chats.size).toBe(chatsWanted);

    // The run's row reports every school, across the executions.
    expect(run.status).toBe('applied');
    expect(run.totals.schools).toBe(SCHOOLS);
    expect(run.progress).toMatchObject({ schoolsTotal: SCHOOLS, schoolsDone: SCHOOLS });
    expect(run.totals.pending).toBe(0);
    expect(report.schools.map((s) => s.schoolExternalId).sort()).toEqual([...w.schools].sort());
    expect(report.schools.every((s) => s.status === 'applied')).toBe(true);

    // It continued as new after each page of `schoolsPerExecution` schools: 3 + 2.
    const chain = await executions(t.client, workflowId);
    expect(chain.length).toBe(Math.ceil(SCHOOLS / tuning.schoolsPerExecution));
    expect(chain[0]!.runId).not.toBe(chain.at(-1)!.runId);
    // The carry counts applied schools instead of listing them: it stays small for thousands of schools.
    expect(chain[0]!.carry).toMatchObject({ next: 3, done: 3, outcomes: [] });
    expect(chain.map((e) => e.schoolsStarted)).toEqual([3, 2]);
    // Never more than `schoolsInFlight` schools at once, and the window was used.
    for (const e of chain) expect(e.maxInFlight).toBeLessThanOrEqual(tuning.schoolsInFlight);
    expect(Math.max(...chain.map((e) => e.maxInFlight))).toBe(tuning.schoolsInFlight);
  }, 120_000);

  it('R-C5 (idempotence): a second run over every school with no journal change makes zero messenger write calls', async () => {
    const before = w.messengerSim.counters();
    const { run } = await sync();
    const after = w.messengerSim.counters();
    expect(run.status).toBe('applied');
    expect(run.totals.schools).toBe(SCHOOLS);
    expect(run.progress).toMatchObject({ schoolsDone: SCHOOLS });
    expect(run.totals.adds).toBe(0);
    expect(run.totals.removes).toBe(0);
    expect(after.writeCalls - before.writeCalls).toBe(0);
    // It did look: every school's chats were listed.
    expect(after.byMethod.getMembers - before.byMethod.getMembers).toBeGreaterThanOrEqual(w.messengerSim.store.chats.size);
  }, 120_000);
});
