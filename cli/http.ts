// The CLI talks to the hub's HTTP API only (HUB_API_URL, HUB_TOKEN); problems become CliError with
// the API's own detail in the CLI's language, so the user reads the same sentence the console shows.
import { cliLang, cliText } from './words.js';

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** A request body that is not JSON: a file's bytes or a multipart form. */
export type RawBody = Uint8Array | FormData | string;

export interface HubClient {
  call<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  /** A body that is not JSON (an upload); `contentType` unset lets fetch set it (FormData). */
  send<T = unknown>(method: string, path: string, body: RawBody, contentType?: string): Promise<T>;
}

export function hubClient(env: NodeJS.ProcessEnv = process.env): HubClient {
  const base = (env.HUB_API_URL ?? 'http://localhost:8080').replace(/\/$/, '');
  const token = env.HUB_TOKEN;
  const lang = cliLang(env);
  async function request<T>(method: string, path: string, body: RawBody | undefined, contentType: string | undefined): Promise<T> {
    if (!token) throw new CliError(cliText(lang, 'noToken'), 2);
    let res: Response;
    try {
      res = await fetch(base + path, {
        method,
        headers: { authorization: `Bearer ${token}`, accept: 'application/json', 'accept-language': lang, ...(contentType ? { 'content-type': contentType } : {}) },
        ...(body !== undefined ? { body } : {}),
      });
    } catch (error) {
      throw new CliError(cliText(lang, 'apiDown', { base, message: (error as Error).message }), 3);
    }
    const text = await res.text();
    const data = text ? (JSON.parse(text) as unknown) : undefined;
    if (!res.ok) {
      const p = data as { detail?: string; errors?: { path: string; message: string }[] } | undefined;
      const fields = p?.errors?.map((e) => `${e.path}: ${e.message}`).join('; ');
      throw new CliError(`${cliText(lang, 'httpError', { status: res.status, detail: p?.detail ?? res.statusText })}${fields ? ` (${fields})` : ''}`);
    }
    return data as T;
  }
  return {
    call: <T>(method: string, path: string, body?: unknown) =>
      request<T>(method, path, body !== undefined ? JSON.stringify(body) : undefined, body !== undefined ? 'application/json' : undefined),
    send: <T>(method: string, path: string, body: RawBody, contentType?: string) => request<T>(method, path, body, contentType),
  };
}
