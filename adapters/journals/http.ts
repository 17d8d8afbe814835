// One HTTP path for every API adapter: timeouts, bounded retries of 429 (honouring Retry-After) and
// 5xx / network faults with capped exponential backoff, then a typed JournalSourceError.
import { z } from 'zod';
import { httpRequest, type HttpResponse } from '../../infra/http-client.js';
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
  /** Listings of one school's roster requested at once (pagedRead's lookahead); 1 = one at a time. */
  readAhead: z.number().int().min(1).max(16).default(4),
});
export type HttpPolicy = z.infer<typeof httpPolicySchema>;
export const defaultHttpPolicy: HttpPolicy = httpPolicySchema.parse({});

export interface HttpReply {
  status: number;
  header(name: string): string | null;
  body: unknown;
}

export interface HttpInit {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
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
  init: HttpInit,
  policy: HttpPolicy = defaultHttpPolicy,
  accept: (status: number) => boolean = (s) => s >= 200 && s < 300,
): Promise<HttpReply> {
  let last: JournalSourceError | undefined;
  for (let attempt = 0; attempt <= policy.retries; attempt++) {
    if (attempt > 0 && last) {
      const wait = last.detail.code === 'rate-limited' ? last.detail.retryAfterMs : backoff(policy, attempt - 1);
      await sleep(wait);
    }
    let res: HttpResponse;
    try {
      res = await httpRequest(url, { ...init, timeoutMs: policy.timeoutMs });
    } catch (cause) {
      last = new JournalSourceError({ code: 'unavailable', reason: errorName(cause) }, { cause });
      continue;
    }
    if (accept(res.status)) return { status: res.status, header: res.header, body: parseJson(res.text, url) };
    if (res.status === 429) {
      const wait = retryAfterMs(res.header('retry-after')) ?? backoff(policy, attempt);
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
