// node-cron fires each connection's nightly run in that connection's time zone. Several scheduler
// replicas may fire the same night: `start` uses a deterministic workflow id, so the night runs once,
// and only the replica whose start started it says so at info (the others at debug).
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from '../infra/logger.js';

export interface NightlyJob {
  key: string;
  cron: string;
  timezone: string;
  /**
   * Starts the night's run; `runDate` is the local date of the firing in the job's zone (yyyy-mm-dd).
   * `started` is false when another replica (or an earlier firing) started it already.
   */
  start(runDate: string): Promise<{ started: boolean }>;
}

export function localDate(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

export class NightlyScheduler {
  private readonly tasks = new Map<string, { task: ScheduledTask; signature: string }>();

  constructor(private readonly logger: Logger) {}

  /** Makes the scheduled set equal to `jobs`: new ones added, changed ones replaced, gone ones stopped. */
  sync(jobs: NightlyJob[]): void {
    const wanted = new Map(jobs.map((j) => [j.key, j]));
    for (const [key, entry] of this.tasks) {
      const job = wanted.get(key);
      if (!job || `${job.cron}|${job.timezone}` !== entry.signature) {
        void entry.task.stop();
        this.tasks.delete(key);
      }
    }
    for (const job of jobs) {
      if (this.tasks.has(job.key)) continue;
      if (!cron.validate(job.cron)) {
        this.logger.error({ job: job.key, cron: job.cron }, 'invalid cron expression; job not scheduled');
        continue;
      }
      const task = cron.schedule(job.cron, () => this.fire(job), { timezone: job.timezone });
      this.tasks.set(job.key, { task, signature: `${job.cron}|${job.timezone}` });
    }
  }

  /** One firing of a job (what cron calls). */
  async fire(job: NightlyJob, at: Date = new Date()): Promise<void> {
    const runDate = localDate(at, job.timezone);
    try {
      const { started } = await job.start(runDate);
      if (started) this.logger.info({ job: job.key, runDate }, 'nightly run started');
      else this.logger.debug({ job: job.key, runDate }, 'nightly run already started by another replica; nothing to do');
    } catch (err) {
      this.logger.error({ err, job: job.key, runDate }, 'nightly run failed to start');
    }
  }

  scheduledKeys(): string[] {
    return [...this.tasks.keys()];
  }

  async stop(): Promise<void> {
    for (const { task } of this.tasks.values()) await task.stop();
    this.tasks.clear();
  }
}
