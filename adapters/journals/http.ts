// One HTTP path for every API adapter: timeouts, bounded retries of 429 (honouring Retry-After) and
// 5xx / network faults with capped exponential backoff, then a typed JournalSourceError.
import { z } from 'zod';
import { JournalSourceError } from './errors.js';

export const httpPolicySchema = z.object({
  /** Attempts after the first one. */
  retries: z.number().int().min(0).max(20).default(5),
  baseDelayMs: z.number().int().min(0).default(200),
  maxDelayMs: z.number().int().min(0).default(10_000),
  /** One request, headers and body; a slower reply counts as a transient fault. */
  timeoutMs: z.number().int().min(1).default(30_000),
  /** A Retry-After longer than this is not waited out: the read stops with `rate-limited`. */
  maxRetryAfterMs: z.number().int().min(0).default(60_000),
});
export type HttpPolicy = z.infer<typeof httpPolicySchema>;
export const defaultHttpPolicy: HttpPolicy = httpPolicySchema.parse({});

export interface HttpReply {
  status: number;
  headers: Headers;
  body: unknown;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function backoff(policy: HttpPolicy, attempt: number): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return exp / 2 + Math.random() * (exp / 2);
}

/**
 * Sends the request and returns the parsed JSON reply for 2xx. `accept` lets an adapter treat other
 * statuses as answers (e.g. Eljur reports its own errors inside a 400 body).
 */
export async function requestJson(
  url: string,
  init: RequestInit,
  policy: HttpPolicy = defaultHttpPolicy,
  accept: (status: number) => boolean = (s) => s >= 200 && s < 300,
): Promise<HttpReply> {
  let last: JournalSourceError | undefined;
  for (let attempt = 0; attempt <= policy.retries; attempt++) {
    if (attempt > 0 && last) {
      const wait = last.detail.code === 'rate-limited' ? last.detail.retryAfterMs : backoff(policy, attempt - 1);
      await sleep(wait);
    }
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, { ...init, signal: AbortSignal.timeout(policy.timeoutMs) });
      text = await res.text();
    } catch (cause) {
      last = new JournalSourceError({ code: 'unavailable', reason: errorName(cause) }, { cause });
      continue;
    }
    if (accept(res.status)) return { status: res.status, headers: res.headers, body: parseJson(text, url) };
    if (res.status === 429) {
      const wait = retryAfterMs(res.headers.get('retry-after')) ?? backoff(policy, attempt);
      last = new JournalSourceError({ code: 'rate-limited', retryAfterMs: wait });
      if (wait > policy.maxRetryAfterMs) throw last;
      continue;
    }
    if (res.status >= 500 || res.status === 408) {
      last = new JournalSourceError({ code: 'unavailable', status: res.status });
      continue;
    }
    if (res.status === 401 || res.status === 403) throw new JournalSourceError({ code: 'auth', reason: `HTTP ${res.status}` });
    if (res.status === 404) throw new JournalSourceError({ code: 'not-found', what: new URL(url).pathname });
    throw new JournalSourceError({ code: 'bad-data', problem: 'unexpected-reply', note: `HTTP ${res.status} from ${new URL(url).pathname}` });
  }
  throw last ?? new JournalSourceError({ code: 'unavailable' });
}

function parseJson(text: string, url: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new JournalSourceError(
      { code: 'bad-data', problem: 'unexpected-reply', note: `not JSON from ${new URL(url).pathname}` },
      { cause },
    );
  }
}

function errorName(e: unknown): string {
  return e instanceof Error ? e.name : 'network';
}

/** zod-checks a reply body; a mismatch is the journal's bad data, not our crash. */
export function parseReply<T>(schema: z.ZodType<T>, body: unknown, where: string): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new JournalSourceError({
    code: 'bad-data',
    problem: 'unexpected-reply',
    note: `${where}: ${issue ? `${issue.path.join('.')} ${issue.message}` : 'invalid'}`,
  });
}
