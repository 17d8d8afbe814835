// ONE conformance suite for every JournalSource adapter. Each adapter's *.test.ts calls
// `journalSourceConformance` with a factory that wires the adapter to its simulator (or to files
// written from the same roster model), and this suite checks what the reconciler relies on.
import { describe, expect, it } from 'vitest';
import { isJournalSourceError } from '../../adapters/journals/errors.js';
import { rosterRecordSchema, recordKey, type JournalSource, type RosterPage, type RosterRecord } from '../../adapters/journals/port.js';
import type { RosterModel } from '../../adapters/journals/testing/roster-model.js';
import type { FaultPlan } from '../../adapters/journals/testing/sim-server.js';

export type OptionalPersonField = 'middleName' | 'birthDate' | 'phone' | 'email';

export interface SourceOptions {
  badCredentials?: boolean;
  /** Retries after the first attempt (HTTP sources). */
  retries?: number;
}

export interface ConformanceHarness {
  model: RosterModel;
  /** The school the suite reads. */
  schoolId: string;
  source(opts?: SourceOptions): JournalSource;
  /** File sources re-export the model after it changed; simulators serve it live. */
  sync?(): Promise<void>;
  /** HTTP sources: faults the simulator injects on the next requests. */
  faults?: FaultPlan;
  /** File sources: rewrite the export with every data row written twice. */
  writeDuplicates?(): Promise<void>;
  /** Person fields this source carries; the others are not compared. */
  personFields: readonly OptionalPersonField[];
  /** False for sources without credentials (files an authority uploads). */
  hasCredentials: boolean;
  close(): Promise<void>;
}

export async function readAll(source: JournalSource, school: string, opts: { checkpoint?: string; since?: string } = {}): Promise<RosterPage[]> {
  const pages: RosterPage[] = [];
  for await (const page of source.readRoster(school, opts)) pages.push(page);
  return pages;
}

function canonical(r: RosterRecord, fields: readonly OptionalPersonField[]): string {
  if (r.kind !== 'person') return JSON.stringify(Object.entries(r).sort(([a], [b]) => a.localeCompare(b)));
  const kept: Record<string, unknown> = { kind: r.kind, externalId: r.externalId, lastName: r.lastName, firstName: r.firstName };
  for (const f of fields) if (r[f] !== undefined) kept[f] = r[f];
  return JSON.stringify(Object.entries(kept).sort(([a], [b]) => a.localeCompare(b)));
}

function flatten(pages: RosterPage[]): RosterRecord[] {
  return pages.flatMap((p) => p.records);
}

/** Every required fact is there, nothing outside required ∪ optional, and no fact twice. */
function expectRoster(got: RosterRecord[], expected: { required: RosterRecord[]; optional: RosterRecord[] }, fields: readonly OptionalPersonField[]): void {
  for (const r of got) rosterRecordSchema.parse(r);
  const keys = got.map(recordKey);
  expect(keys.length, 'no record repeated').toBe(new Set(keys).size);
  const gotSet = new Set(got.map((r) => canonical(r, fields)));
  const required = expected.required.map((r) => canonical(r, fields));
  const allowed = new Set([...required, ...expected.optional.map((r) => canonical(r, fields))]);
  const missing = required.filter((k) => !gotSet.has(k));
  const unexpected = [...gotSet].filter((k) => !allowed.has(k));
  expect(missing, 'facts of the journal missing from the read').toEqual([]);
  expect(unexpected, 'facts the journal does not hold').toEqual([]);
}

async function withHarness(make: () => Promise<ConformanceHarness>, body: (h: ConformanceHarness) => Promise<void>): Promise<void> {
  const h = await make();
  try {
    await body(h);
  } finally {
    await h.close();
  }
}

export function journalSourceConformance(name: string, make: () => Promise<ConformanceHarness>): void {
  describe(`JournalSource conformance: ${name}`, () => {
    it('R-L1: lists the schools the connection covers', async () => {
      await withHarness(make, async (h) => {
        const schools = await h.source().listSchools();
        const want = [...h.model.schools.values()].map((s) => ({ externalId: s.id, name: s.name }));
        expect([...schools].sort((a, b) => a.externalId.localeCompare(b.externalId))).toEqual(want.sort((a, b) => a.externalId.localeCompare(b.externalId)));
      });
    });

    it('R-C1..R-C4: the roster streams in several pages and equals the journal (classes, subjects, teaching, enrollments, staff, class teachers, guardians, people)', async () => {
      await withHarness(make, async (h) => {
        const pages = await readAll(h.source(), h.schoolId);
        expect(pages.length).toBeGreaterThan(1);
        expect(pages.at(-1)?.done).toBe(true);
        expect(pages.slice(0, -1).every((p) => !p.done)).toBe(true);
        expectRoster(flatten(pages), h.model.expected(h.schoolId), h.personFields);
        const kinds = new Set(flatten(pages).map((r) => r.kind));
        expect([...kinds].sort()).toEqual(['class', 'class-teacher', 'enrollment', 'guardianship', 'person', 'staff', 'subject', 'teaching']);
      });
    });

    it('R-C5: a read resumed from a checkpoint yields exactly the rest, without repeats', async () => {
      await withHarness(make, async (h) => {
        const source = h.source();
        const pages = await readAll(source, h.schoolId);
        for (const cut of [0, Math.floor(pages.length / 2), pages.length - 2]) {
          if (cut < 0) continue;
          const resumed = await readAll(source, h.schoolId, { checkpoint: pages[cut]!.checkpoint });
          expect(flatten(resumed).map(recordKey)).toEqual(flatten(pages.slice(cut + 1)).map(recordKey));
          expect(resumed.at(-1)?.done).toBe(true);
        }
        const afterEnd = await readAll(source, h.schoolId, { checkpoint: pages.at(-1)!.checkpoint });
        expect(flatten(afterEnd)).toEqual([]);
      });
    });

    it('R-C5, R-L4: transfer, expulsion, enrollment, hire and dismissal show in the next read', async () => {
      await withHarness(make, async (h) => {
        const { model, schoolId } = h;
        const since = Date.now();
        await new Promise((r) => setTimeout(r, 5));
        const [a, b] = model.classesOf(schoolId);
        const [first, second] = model.enrollmentsOf(schoolId, { classId: a!.id });
        model.transfer(first!.studentId, b!.id);
        model.expel(second!.studentId);
        const newcomer = model.enroll(b!.id);
        const hired = model.hire(schoolId, 'teacher');
        const spare = model.staffOf(schoolId).find((s) => s.role === 'teacher' && model.teachingOf(schoolId).every((t) => t.teacherId !== s.personId) && ![...model.classTeachers.values()].some((c) => c.teacherId === s.personId))!;
        model.dismiss(spare.personId);
        await h.sync?.();
        const source = h.source();

        const full = flatten(await readAll(source, schoolId));
        expectRoster(full, model.expected(schoolId), h.personFields);
        const active = (s: string, c: string) => full.some((r) => r.kind === 'enrollment' && r.studentId === s && r.classId === c && r.status === 'active');
        expect(active(first!.studentId, b!.id)).toBe(true);
        expect(active(first!.studentId, a!.id)).toBe(false);
        expect(active(second!.studentId, a!.id)).toBe(false);
        expect(active(newcomer, b!.id)).toBe(true);
        expect(full.some((r) => r.kind === 'staff' && r.personId === hired && r.status === 'employed')).toBe(true);
        expect(full.some((r) => r.kind === 'staff' && r.personId === spare.personId && r.status === 'employed')).toBe(false);

        if (source.supportsDelta) {
          const delta = flatten(await readAll(source, schoolId, { since: new Date(since).toISOString() }));
          const want = model.changesSince(schoolId, since);
          expectRoster(delta, { required: want, optional: [] }, h.personFields);
          expect(delta.length).toBeLessThan(full.length / 4);
          expect(delta).toContainEqual({ kind: 'enrollment', studentId: second!.studentId, classId: a!.id, status: 'expelled' });
          expect(delta).toContainEqual({ kind: 'enrollment', studentId: first!.studentId, classId: a!.id, status: 'expelled' });
          expect(delta).toContainEqual({ kind: 'staff', personId: spare.personId, role: 'teacher', status: 'dismissed' });
        }
      });
    });

    it('R-C1..R-C4: duplicated rows and pages from the source still yield the exact roster', async () => {
      await withHarness(make, async (h) => {
        if (h.faults) h.faults.inject({ kind: 'duplicate' }, { times: 1000 });
        else await h.writeDuplicates?.();
        const pages = await readAll(h.source(), h.schoolId);
        expectRoster(flatten(pages), h.model.expected(h.schoolId), h.personFields);
      });
    });

    it('R-C1..R-C4: 429 with Retry-After, 5xx and slow replies are retried and the roster is still exact', async (ctx) => {
      await withHarness(make, async (h) => {
        if (!h.faults) return ctx.skip();
        h.faults.inject({ kind: 'status', status: 429, retryAfterSeconds: 1 });
        h.faults.inject({ kind: 'status', status: 503 }, { times: 2 });
        h.faults.inject({ kind: 'status', status: 500 });
        h.faults.inject({ kind: 'slow', ms: 50 }, { times: 2 });
        const started = Date.now();
        const pages = await readAll(h.source(), h.schoolId);
        expect(Date.now() - started, 'Retry-After was honoured').toBeGreaterThanOrEqual(1000);
        expect(h.faults.pending).toBe(0);
        expectRoster(flatten(pages), h.model.expected(h.schoolId), h.personFields);
      });
    });

    it('R-C1..R-C4: when faults outlast the retries the read fails with a typed, retryable error', async (ctx) => {
      await withHarness(make, async (h) => {
        if (!h.faults) return ctx.skip();
        h.faults.inject({ kind: 'status', status: 503 }, { times: 50 });
        const err1 = await readAll(h.source({ retries: 2 }), h.schoolId).catch((e: unknown) => e);
        expect(isJournalSourceError(err1, 'unavailable')).toBe(true);
        expect(isJournalSourceError(err1) && err1.retryable).toBe(true);
        h.faults.clear();
        h.faults.inject({ kind: 'status', status: 429, retryAfterSeconds: 3600 }, { times: 50 });
        const err2 = await readAll(h.source({ retries: 2 }), h.schoolId).catch((e: unknown) => e);
        expect(isJournalSourceError(err2, 'rate-limited')).toBe(true);
        expect(isJournalSourceError(err2, 'rate-limited') && err2.detail.code === 'rate-limited' && err2.detail.retryAfterMs).toBe(3_600_000);
      });
    });

    it('R-L1: a bad credential gives the `auth` error, not a retry loop', async (ctx) => {
      await withHarness(make, async (h) => {
        if (!h.hasCredentials) return ctx.skip();
        const source = h.source({ badCredentials: true });
        const err = await readAll(source, h.schoolId).catch((e: unknown) => e);
        expect(isJournalSourceError(err, 'auth')).toBe(true);
        expect(isJournalSourceError(err) && err.retryable).toBe(false);
        const err2 = await source.listSchools().catch((e: unknown) => e);
        expect(isJournalSourceError(err2, 'auth')).toBe(true);
      });
    });
  });
}
