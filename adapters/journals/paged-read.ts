// Turns an adapter's plan of paged steps into the port's page stream with resumable checkpoints.
// A step is one upstream listing (a CSV file, an endpoint, one class's students); its cursor is
// whatever that listing pages by (offset, row number, index). The checkpoint names the step by key,
// not by position, so a resumed read refuses a plan that no longer has that step.
import { z } from 'zod';
import { JournalSourceError } from './errors.js';
import { recordKey, type RosterPage, type RosterRecord } from './port.js';

export interface StepPage {
  records: RosterRecord[];
  /** Cursor of the next page of this step; null when the step is finished. */
  next: string | null;
}

export interface ReadStep {
  key: string;
  fetch(cursor: string | null): Promise<StepPage>;
  /**
   * Lets go of what the step holds open between pages (a file stream, a zip). Called once the read
   * ends for any reason: finished, failed, or abandoned by its consumer after some pages.
   */
  close?(): Promise<void>;
}

const checkpointSchema = z.object({
  v: z.literal(1),
  source: z.string(),
  school: z.string(),
  since: z.string().optional(),
  step: z.string(),
  cursor: z.string().nullable(),
});
type Checkpoint = z.infer<typeof checkpointSchema>;
/** Step name of a checkpoint taken after the last page. */
const DONE = '$done';

export function encodeCheckpoint(c: Checkpoint): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

export function decodeCheckpoint(raw: string): Checkpoint {
  try {
    return checkpointSchema.parse(JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')));
  } catch (cause) {
    throw new JournalSourceError({ code: 'bad-data', problem: 'bad-checkpoint' }, { cause });
  }
}

/**
 * Drops records already seen within the last `capacity` keys. Upstream duplicates (a row sent twice,
 * offset pages overlapping after a concurrent insert) are close together, so a bounded window keeps
 * memory flat while removing them; a consumer must still treat records as set facts.
 */
export class RecentKeys {
  private readonly seen = new Set<string>();
  constructor(private readonly capacity = 100_000) {}
  fresh(key: string): boolean {
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    if (this.seen.size > this.capacity) {
      const oldest = this.seen.values().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    return true;
  }
}

export interface PagedReadOptions {
  source: string;
  school: string;
  checkpoint?: string;
  since?: string;
  /**
   * Listings requested ahead of the one being read (1 = strictly one request at a time). A school's
   * roster is dozens of small listings; reading them one after another leaves the worker waiting on
   * round trips. Pages are still yielded in plan order, so checkpoints mean the same thing.
   */
  lookahead?: number;
}

/** Starts a fetch whose failure is reported when (and only if) it is awaited. */
function started(fetch: () => Promise<StepPage>): Promise<StepPage> {
  const p = fetch();
  p.catch(() => undefined);
  return p;
}

/**
 * `plan` is asked once per read (it may list classes first); on resume it must contain the
 * checkpoint's step, or the read fails with `bad-checkpoint` instead of silently skipping data.
 */
export async function* pagedRead(
  opts: PagedReadOptions,
  plan: (since: string | undefined) => Promise<ReadStep[]> | ReadStep[],
): AsyncGenerator<RosterPage> {
  let since = opts.since;
  let startStep = 0;
  let cursor: string | null = null;
  let steps: ReadStep[];
  const finished = () => ({
    records: [],
    done: true,
    checkpoint: encodeCheckpoint({
      v: 1,
      source: opts.source,
      school: opts.school,
      since,
      step: DONE,
      cursor: null,
    }),
  });
  if (opts.checkpoint) {
    const cp = decodeCheckpoint(opts.checkpoint);
    if (cp.source !== opts.source || cp.school !== opts.school) {
      throw new JournalSourceError({
        code: 'bad-data',
        problem: 'bad-checkpoint',
        note: 'other source or school',
      });
    }
    since = cp.since;
    if (cp.step === DONE) {
      yield finished();
      return;
    }
    steps = await plan(since);
    startStep = steps.findIndex((s) => s.key === cp.step);
    if (startStep < 0) {
      throw new JournalSourceError({
        code: 'bad-data',
        problem: 'bad-checkpoint',
        note: `no step ${cp.step}`,
      });
    }
    cursor = cp.cursor;
  } else {
    steps = await plan(since);
  }
  const recent = new RecentKeys();
  if (steps.length === 0) {
    yield finished();
    return;
  }
  const lookahead = Math.max(1, opts.lookahead ?? 1);
  // First pages of the steps after the current one, requested early (each step starts at no cursor).
  const firstPages = new Map<number, Promise<StepPage>>();
  const firstPage = (j: number): Promise<StepPage> => {
    let p = firstPages.get(j);
    if (!p) firstPages.set(j, (p = started(() => steps[j]!.fetch(null))));
    return p;
  };
  // The page being fetched for the consumer (awaited, or read ahead while the consumer works).
  let pending: Promise<StepPage> | undefined;
  try {
    for (let i = startStep; i < steps.length; i++) {
      const step = steps[i]!;
      const resumeAt = cursor;
      pending = resumeAt === null ? firstPage(i) : started(() => step.fetch(resumeAt));
      for (;;) {
        for (let j = i + 1; j < Math.min(steps.length, i + lookahead); j++) void firstPage(j);
        const page = await pending;
        firstPages.delete(i);
        const records = page.records.filter((r) => recent.fresh(recordKey(r)));
        const last = page.next === null && i === steps.length - 1;
        // Resume point: the next page of this step, or the start of the next step.
        const resume =
          page.next !== null
            ? { step: step.key, cursor: page.next }
            : { step: steps[i + 1]?.key ?? DONE, cursor: null };
        cursor = page.next;
        // The next page of this step is on its way while the consumer stores this one.
        if (cursor !== null && lookahead > 1) {
          const next = cursor;
          pending = started(() => step.fetch(next));
        }
        yield {
          records,
          done: last,
          checkpoint: encodeCheckpoint({ v: 1, source: opts.source, school: opts.school, since, ...resume }),
        };
        if (cursor === null) break;
        if (lookahead === 1) pending = step.fetch(cursor);
      }
    }
  } finally {
    // A consumer may stop after any page (a check that reads one page, a cancelled activity): what
    // is still being fetched settles first, then every step lets go of its files.
    await Promise.allSettled([...firstPages.values(), ...(pending ? [pending] : [])]);
    await Promise.allSettled(steps.map((s) => s.close?.()));
  }
}
