// The one HTTP client of the journal and messenger adapters. It is undici's request() (the engine
// under Node's fetch, without the WHATWG streams layer): a nightly run makes ~180 000 calls at 1M
// memberships, and request() costs about a third of fetch's CPU per call (bench/RESULTS.md).
import { request } from 'undici';

export interface HttpResponse {
  status: number;
  /** A response header by lower-case name; the first value when the server repeated it. */
  header(name: string): string | null;
  text: string;
}

/**
 * No headers, or a body that stalled, within the timeout. `notSent` is true only when the connection
 * was never made (connect timeout): otherwise the server may have received, and acted on, the request.
 */
export class HttpTimeoutError extends Error {
  override readonly name = 'TimeoutError';
  constructor(
    message: string,
    options?: ErrorOptions,
    readonly notSent = false,
  ) {
    super(message, options);
  }
}

/**
 * Refused, reset or unreachable: nothing usable came back. `notSent` is true when no connection was
 * made (refused, unknown host, unreachable), so the request cannot have reached the server; a reset
 * after connecting may come after the server received it.
 */
export class HttpNetworkError extends Error {
  override readonly name = 'NetworkError';
  constructor(
    message: string,
    options?: ErrorOptions,
    readonly notSent = false,
  ) {
    super(message, options);
  }
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT']);
/** Failures before a connection existed: the request was not sent. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

export async function httpRequest(
  url: string | URL,
  opts: { method?: 'GET' | 'POST'; headers?: Record<string, string>; body?: string; timeoutMs: number },
): Promise<HttpResponse> {
  // One deadline for the whole exchange, headers and body. undici's own headersTimeout and
  // bodyTimeout tick once a second, too coarse for sub-second timeouts.
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), opts.timeoutMs);
  try {
    const res = await request(url, {
      method: opts.method ?? 'GET',
      headers: opts.headers,
      body: opts.body,
      signal: deadline.signal,
    });
    const text = await res.body.text();
    const headers = res.headers;
    return {
      status: res.statusCode,
      header: (name) => {
        const v = headers[name];
        return v === undefined ? null : Array.isArray(v) ? (v[0] ?? null) : v;
      },
      text,
    };
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    const notSent = typeof code === 'string' && NOT_SENT_CODES.has(code);
    if (deadline.signal.aborted || (typeof code === 'string' && TIMEOUT_CODES.has(code)))
      throw new HttpTimeoutError(`no answer within ${opts.timeoutMs} ms`, { cause: e }, notSent && !deadline.signal.aborted);
    throw new HttpNetworkError(e instanceof Error ? e.message : 'network error', { cause: e }, notSent);
  } finally {
    clearTimeout(timer);
  }
}
