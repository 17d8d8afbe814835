// Eljur sign-in (R-L5): the person's own login and password go once to the journal's `auth` (over
// TLS in production; never stored, never logged), and `getrules` with the token that returns answers
// for the token's owner: their journal id (`name`/`id`), roles, and a parent's children
// (`relations.students`). Shapes as public clients read them: BetterJournal/EljurAPI
// src/personal/UserRules.ts and RelationsModel.ts; see README.md in this folder.
import { z } from 'zod';
import { defaultHttpPolicy, httpPolicySchema, parseReply, requestJson, type HttpPolicy } from '../journals/http.js';
import { isJournalSourceError } from '../journals/errors.js';
import { SignInRefused, type PasswordSignIn, type VerifiedIdentity } from './port.js';

export const eljurSignInConfig = z.object({
  baseUrl: z.string().url(),
  vendor: z.string().min(1),
  devkey: z.string().min(1),
  http: httpPolicySchema.partial().optional(),
});

const envelope = z.object({ response: z.object({ state: z.coerce.number(), error: z.string().nullish(), result: z.unknown() }) });
const idish = z.union([z.number(), z.string()]).transform(String);
const authReply = z.object({ token: z.string().min(1) });
const rulesReply = z.object({
  id: idish.optional(),
  name: idish,
  roles: z.array(z.string()).default([]),
  relations: z
    .object({ students: z.record(z.string(), z.object({ name: idish })).or(z.array(z.never())).default({}) })
    .default({ students: {} }),
});

export class EljurSignIn implements PasswordSignIn {
  readonly method = 'journal-login' as const;
  private readonly cfg: z.infer<typeof eljurSignInConfig>;
  private readonly policy: HttpPolicy;

  constructor(config: z.input<typeof eljurSignInConfig>) {
    this.cfg = eljurSignInConfig.parse(config);
    // A person waits for the answer: a short timeout and few retries.
    this.policy = { ...defaultHttpPolicy, retries: 2, timeoutMs: 10_000, maxRetryAfterMs: 5_000, ...this.cfg.http };
  }

  private url(method: string, extra: Record<string, string> = {}): string {
    const q = new URLSearchParams({ devkey: this.cfg.devkey, vendor: this.cfg.vendor, out_format: 'json', ...extra });
    return `${this.cfg.baseUrl}/${method}?${q.toString()}`;
  }

  private async call(method: string, init: { body?: string; token?: string }) {
    const reply = await requestJson(
      this.url(method, init.token ? { auth_token: init.token } : {}),
      {
        method: init.body ? 'POST' : 'GET',
        headers: { accept: 'application/json', ...(init.body ? { 'content-type': 'application/json' } : {}) },
        ...(init.body ? { body: init.body } : {}),
      },
      this.policy,
      (s) => s < 500 && s !== 429 && s !== 408,
    );
    return parseReply(envelope, reply.body, method).response;
  }

  async signIn(credentials: { login: string; password: string }): Promise<VerifiedIdentity> {
    // The password goes in the body, not the query string, so no proxy or access log keeps it.
    const auth = await this.call('auth', { body: JSON.stringify({ login: credentials.login, password: credentials.password }) });
    if (auth.state !== 200) throw new SignInRefused(auth.state === 400 || auth.state === 401 ? 'wrong-credentials' : `state ${auth.state}`);
    const { token } = parseReply(authReply, auth.result, 'auth');
    let rules;
    try {
      rules = await this.call('getrules', { token });
    } catch (e) {
      if (isJournalSourceError(e, 'auth')) throw new SignInRefused('token-refused');
      throw e;
    }
    if (rules.state !== 200) throw new SignInRefused(`getrules state ${rules.state}`);
    const me = parseReply(rulesReply, rules.result, 'getrules');
    const children = Object.values(me.relations.students as Record<string, { name: string }>).map((s) => s.name);
    return { externalPersonId: me.name, roles: me.roles, ...(children.length ? { children } : {}) };
  }
}
