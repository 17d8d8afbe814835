// R-L5 over HTTP: the hub verifies who a person is in a journal and hands back a proof id for the
// link request. A signed-in person signs in to their journal (login and password, passed to the
// journal once) or types a school-issued linking code; school staff issue those codes for journal
// people of their own school. sync/journal-proofs.ts does the work and writes the audit rows.
import { Router, type Request } from 'express';
import { z } from 'zod';
import { findConnection, type JournalConnection } from '../../db/repositories/connections.js';
import { findPerson } from '../../db/repositories/people.js';
import { secretBoxFromConfig, type SecretBox } from '../../infra/secrets.js';
import {
  ProofRefused,
  issueLinkingCode,
  proveByJournalSignIn,
  proveByLinkingCode,
  type Actor,
  type ProofContext,
} from '../../sync/journal-proofs.js';
import { principalOf } from '../auth.js';
import type { ApiDeps } from '../deps.js';
import { PROOF_REFUSAL_STATUS } from '../journal-proof-refusals.js';
import { fallbackUnlessOutage } from '../outage.js';
import { Problem } from '../problem.js';
import { dnevnikStartBody, esiaCompleteBody, esiaStartBody, redirectCompleteBody, issueLinkingCodeBody, issueLinkingCodeParams, journalSignInBody, linkingCodeProofBody } from '../schemas/journal-proofs.js';
import { EsiaOidcSignIn } from '../../adapters/identity-proof/esia-oidc.js';
import { DnevnikOAuthSignIn } from '../../adapters/identity-proof/dnevnik-oauth.js';
import { completeDnevnikSignIn, completeEsiaSignIn, startDnevnikSignIn, startEsiaSignIn, type DnevnikContext, type EsiaContext } from '../../sync/redirect-proofs.js';

const isUuid = (s: string): boolean => z.uuid().safeParse(s).success;

export function journalProofRoutes(deps: ApiDeps): Router {
  const { pool, config } = deps;
  const router = Router();
  let box: SecretBox | undefined;
  const ctx: ProofContext = { pool, secrets: () => (box ??= secretBoxFromConfig(config)), proofTtlMs: config.JOURNAL_PROOF_TTL };
  const esia: EsiaContext = {
    ...ctx,
    esia:
      config.ESIA_ISSUER && config.ESIA_CLIENT_ID && config.ESIA_CLIENT_SECRET
        ? new EsiaOidcSignIn({ issuer: config.ESIA_ISSUER, clientId: config.ESIA_CLIENT_ID, clientSecret: config.ESIA_CLIENT_SECRET })
        : undefined,
    redirectUri: config.ESIA_REDIRECT_URI,
    signInTtlMs: config.JOURNAL_PROOF_TTL,
  };
  const { DNEVNIK_CLIENT_ID: clientId, DNEVNIK_CLIENT_SECRET: clientSecret } = config;
  const dnevnik: DnevnikContext = {
    ...ctx,
    dnevnikFor: (c) => {
      if (!clientId || !clientSecret) return undefined;
      const s = c.settings as { baseUrl?: string; oauthAuthorizeUrl?: string };
      return new DnevnikOAuthSignIn({ clientId, clientSecret, ...(s.baseUrl ? { apiBase: s.baseUrl } : {}), ...(s.oauthAuthorizeUrl ? { authorizeUrl: s.oauthAuthorizeUrl } : {}) });
    },
    redirectUri: config.DNEVNIK_REDIRECT_URI,
    signInTtlMs: config.JOURNAL_PROOF_TTL,
    findConnection: (id) => findConnection(pool, id),
  };

  async function actor(req: Request): Promise<Actor> {
    const p = principalOf(req);
    const person = isUuid(p.sub) ? await findPerson(pool, p.sub).catch(fallbackUnlessOutage(undefined)) : undefined;
    if (!person) throw new Problem(403, 'person-not-found');
    return { personId: person.id, role: p.role, requestId: req.requestId };
  }

  async function connection(id: string): Promise<JournalConnection> {
    const c = await findConnection(pool, id);
    if (!c) throw new Problem(404, 'connection-not-found');
    return c;
  }

  const asProblem = (e: unknown): unknown => (e instanceof ProofRefused ? new Problem(PROOF_REFUSAL_STATUS[e.code], e.code) : e);

  /** The person's own journal sign-in; the journal names the journal person. */
  router.post('/me/journal-proofs/journal-login', async (req, res) => {
    const body = journalSignInBody.parse(req.body);
    const who = await actor(req);
    const conn = await connection(body.connectionId);
    try {
      res.status(201).json(await proveByJournalSignIn(ctx, who, conn, { login: body.login, password: body.password }));
    } catch (e) {
      throw asProblem(e);
    }
  });

  /** The code the school issued for one journal person. */
  router.post('/me/journal-proofs/linking-code', async (req, res) => {
    const body = linkingCodeProofBody.parse(req.body);
    const who = await actor(req);
    await connection(body.connectionId);
    try {
      const target = { connectionId: body.connectionId, externalPersonId: body.externalPersonId };
      res.status(201).json(await proveByLinkingCode({ ...ctx, maxFailures: config.LINKING_CODE_MAX_FAILURES }, who, target, body.code));
    } catch (e) {
      throw asProblem(e);
    }
  });

  /** R-L3: start a Gosuslugi sign-in meant to prove one EPOS journal person. */
  router.post('/me/journal-proofs/esia/start', async (req, res) => {
    const body = esiaStartBody.parse(req.body);
    const who = await actor(req);
    const conn = await connection(body.connectionId);
    try {
      res.status(201).json(await startEsiaSignIn(esia, who, conn, body.externalPersonId));
    } catch (e) {
      throw asProblem(e);
    }
  });

  /** R-L3: the provider sent the person back; the hub exchanges the code and compares. */
  router.post('/me/journal-proofs/esia', async (req, res) => {
    const body = esiaCompleteBody.parse(req.body);
    const who = await actor(req);
    try {
      res.status(201).json(await completeEsiaSignIn(esia, who, body));
    } catch (e) {
      throw asProblem(e);
    }
  });

  /** Dnevnik.ru: start the OAuth sign-in; `users/me` will name the journal person. */
  router.post('/me/journal-proofs/dnevnik/start', async (req, res) => {
    const body = dnevnikStartBody.parse(req.body);
    const who = await actor(req);
    const conn = await connection(body.connectionId);
    try {
      res.status(201).json(await startDnevnikSignIn(dnevnik, who, conn));
    } catch (e) {
      throw asProblem(e);
    }
  });

  router.post('/me/journal-proofs/dnevnik', async (req, res) => {
    const body = redirectCompleteBody.parse(req.body);
    const who = await actor(req);
    try {
      res.status(201).json(await completeDnevnikSignIn(dnevnik, who, body));
    } catch (e) {
      throw asProblem(e);
    }
  });

  /** School staff issue a linking code for a journal person of their school (R-L5). */
  router.post('/schools/:schoolId/journal-linking-codes', async (req, res) => {
    const { schoolId } = issueLinkingCodeParams.parse(req.params);
    const body = issueLinkingCodeBody.parse(req.body);
    const p = principalOf(req);
    try {
      const issued = await issueLinkingCode(pool, { sub: p.sub, role: p.role, requestId: req.requestId }, { schoolId, ...body }, config.LINKING_CODE_TTL);
      res.status(201).json({ ...issued, connectionId: body.connectionId, externalPersonId: body.externalPersonId });
    } catch (e) {
      throw asProblem(e);
    }
  });

  return router;
}
