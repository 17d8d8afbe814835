// RFC 9457 problem details. `type` is a stable, language-neutral code; `detail` is for people.
import type { Response } from 'express';
import { message, type Lang, type MessageCode } from './messages.js';

export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly code: MessageCode,
    readonly params: Record<string, string | number> = {},
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(code);
  }
}

export const problemType = (code: string): string => `/problems/${code}`;

export function sendProblem(res: Response, p: Problem, lang: Lang, instance?: string): void {
  for (const [k, v] of Object.entries(p.headers)) res.setHeader(k, v);
  res
    .status(p.status)
    .type('application/problem+json')
    .json({
      type: problemType(p.code),
      title: p.code,
      status: p.status,
      detail: message(p.code, lang, p.params),
      ...(instance ? { instance } : {}),
      ...p.extra,
    });
}
