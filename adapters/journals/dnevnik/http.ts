// Dnevnik.ru answers its errors as `{type, description}` and not always with a telling HTTP status
// (public clients read the `type`, kesha1225/DnevnikRuAPI pydnevnikruapi/aiodnevnik/dnevnik.py
// `_check_response`), and sometimes with an HTML page instead of JSON. So the `type` decides before
// the status does: `invalidToken` is a refused credential and `apiRequestLimit` a rate limit whatever
// the status; an HTML page is an upstream failure named as such, never "bad data".
import { httpRequest, type HttpResponse } from '../../../infra/http-client.js';
import { JournalSourceError } from '../errors.js';
import { retryAfterMs, type HttpPolicy } from '../http.js';

/** Error `type`s that mean the partner token (or its rights) was refused: no retry helps. */
const AUTH_TYPES = new Set(['invalidToken', 'authorizationFailed', 'apiAccessForbidden', 'tokenExpired']);
/** Transient failures on Dnevnik's side. */
const TRANSIENT_TYPES = new Set(['apiServerError', 'apiUnknownError']);
const RATE_TYPES = new Set(['apiRequestLimit']);
const NOT_FOUND_TYPES = new Set(['resourceNotFound']);
const KNOWN_TYPES = new Set([...AUTH_TYPES, ...TRANSIENT_TYPES, ...RATE_TYPES, ...NOT_FOUND_TYPES, 'parameterInvalid', 'invalidRequest']);

export interface DnevnikErrorBody {
  type: string;
  description?: string | null;
}

/**
 * An error body: any object with a string `type` on a non-2xx reply, and on a 2xx reply only a known
 * error type (an edu-group carries `type: "Group"` and must not read as an error).
 */
export function dnevnikErrorOf(body: unknown, status: number): DnevnikErrorBody | undefined {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const { type, description } = body as Record<string, unknown>;
  if (typeof type !== 'string') return undefined;
  const ok = status >= 200 && status < 300;
  if (ok && !KNOWN_TYPES.has(type)) return undefined;
  return { type, description: typeof description === 'string' ? description : null };
}

function isHtml(res: HttpResponse): boolean {
  return /text\/html/i.test(res.header('content-type') ?? '') || /^\s*</.test(res.text);
}

/** The short text of an HTML error page: its error description block, else its title; no markup. */
export function htmlErrorText(html: string): string {
  const block = /class="error__description"[^>]*>([\s\S]*?)<\/div>/i.exec(html)?.[1] ?? /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1] ?? '';
  return block.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 200);
}

function backoff(policy: HttpPolicy, attempt: number): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return exp / 2 + Math.random() * (exp / 2);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A typed error for a reply; `retry` when waiting may help. */
function classify(res: HttpResponse, path: string, policy: HttpPolicy, attempt: number): { error: JournalSourceError; retry: boolean } | { body: unknown } {
  if (isHtml(res)) {
    const text = htmlErrorText(res.text);
    return { error: new JournalSourceError({ code: 'unavailable', status: res.status, reason: `HTML page instead of JSON${text ? `: ${text}` : ''}` }), retry: true };
  }
  let body: unknown = null;
  if (res.text !== '') {
    try {
      body = JSON.parse(res.text);
    } catch (cause) {
      return { error: new JournalSourceError({ code: 'bad-data', problem: 'unexpected-reply', note: `not JSON from ${path}` }, { cause }), retry: false };
    }
  }
  const vendor = dnevnikErrorOf(body, res.status);
  if (vendor) {
    const reason = vendor.description ? `${vendor.type}: ${vendor.description}` : vendor.type;
    if (AUTH_TYPES.has(vendor.type)) return { error: new JournalSourceError({ code: 'auth', reason }), retry: false };
    if (RATE_TYPES.has(vendor.type)) {
      const wait = retryAfterMs(res.header('retry-after')) ?? backoff(policy, attempt);
      return { error: new JournalSourceError({ code: 'rate-limited', retryAfterMs: wait }), retry: wait <= policy.maxRetryAfterMs };
    }
    if (NOT_FOUND_TYPES.has(vendor.type)) return { error: new JournalSourceError({ code: 'not-found', what: path }), retry: false };
    if (TRANSIENT_TYPES.has(vendor.type)) return { error: new JournalSourceError({ code: 'unavailable', status: res.status, reason }), retry: true };
    if (res.status >= 500 || res.status === 429 || res.status === 408) return statusError(res, path, policy, attempt);
    return { error: new JournalSourceError({ code: 'bad-data', problem: 'unexpected-reply', note: `${path}: ${reason}` }), retry: false };
  }
  if (res.status >= 200 && res.status < 300) return { body };
  return statusError(res, path, policy, attempt);
}

function statusError(res: HttpResponse, path: string, policy: HttpPolicy, attempt: number): { error: JournalSourceError; retry: boolean } {
  if (res.status === 429) {
    const wait = retryAfterMs(res.header('retry-after')) ?? backoff(policy, attempt);
    return { error: new JournalSourceError({ code: 'rate-limited', retryAfterMs: wait }), retry: wait <= policy.maxRetryAfterMs };
  }
  if (res.status >= 500 || res.status === 408) return { error: new JournalSourceError({ code: 'unavailable', status: res.status }), retry: true };
  if (res.status === 401 || res.status === 403) return { error: new JournalSourceError({ code: 'auth', reason: `HTTP ${res.status}` }), retry: false };
  if (res.status === 404) return { error: new JournalSourceError({ code: 'not-found', what: path }), retry: false };
  return { error: new JournalSourceError({ code: 'bad-data', problem: 'unexpected-reply', note: `HTTP ${res.status} from ${path}` }), retry: false };
}

/** GET with the partner token; bounded retries of rate limits and outages, then a typed error. */
export async function dnevnikGet(url: string, accessToken: string, policy: HttpPolicy): Promise<unknown> {
  const path = new URL(url).pathname;
  let last: JournalSourceError | undefined;
  for (let attempt = 0; attempt <= policy.retries; attempt++) {
    if (attempt > 0 && last) await sleep(last.detail.code === 'rate-limited' ? last.detail.retryAfterMs : backoff(policy, attempt - 1));
    let res: HttpResponse;
    try {
      res = await httpRequest(url, { headers: { 'Access-Token': accessToken, accept: 'application/json' }, timeoutMs: policy.timeoutMs });
    } catch (cause) {
      last = new JournalSourceError({ code: 'unavailable', reason: cause instanceof Error ? cause.name : 'network' }, { cause });
      continue;
    }
    const outcome = classify(res, path, policy, attempt);
    if ('body' in outcome) return outcome.body;
    if (!outcome.retry) throw outcome.error;
    last = outcome.error;
  }
  throw last ?? new JournalSourceError({ code: 'unavailable' });
}
