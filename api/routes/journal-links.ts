// Journal linking (R-L1..R-L5) over HTTP. A signed-in person links their own e-journal identity
// on a proof the hub verified (api/routes/journal-proofs.ts) and is put at once into every chat
// they were pending for (R-L2); they see and end their own links. Support links or unlinks on a
// person's behalf with a reason. journalLinkWorkflow has the last word (R-L3 and the other
// refusals); its activities write the audit rows (journal.linked, journal.unlinked: who, role, why).
import { words } from '../../i18n/index.js';
import { Router, type Request } from 'express';
import { z } from 'zod';
import { findConnection } from '../../db/repositories/connections.js';
import { liveLink, liveLinksOfPerson } from '../../db/repositories/journal-links.js';
import { findPerson, type Person } from '../../db/repositories/people.js';
import { linkJournalIdentity, unlinkJournalIdentity } from '../../sync/start-sync.js';
import type { LinkRequest, LinkState } from '../../workflows/roster-definitions.js';
import { refuseIfRestricted } from '../restricted.js';
import type { ApiDeps } from '../deps.js';
import { principalOf } from '../auth.js';
import { linkRefusalProblem } from '../journal-link-refusals.js';
import { message, type Lang } from '../messages.js';
import { fallbackUnlessOutage } from '../outage.js';
import { Problem } from '../problem.js';
import { journalLinkParams, linkJournalBody, supportLinkBody, supportUnlinkBody } from '../schemas/journal-links.js';

/** The unlink reason recorded when a person ends their own link (journal_links.unlink_reason, audit). */
export const SELF_UNLINK_REASON = words('ru').auditReasons.selfUnlink;

const isUuid = (s: string): boolean => z.uuid().safeParse(s).success;

function linkView(state: LinkState, target: { connectionId: string; externalPersonId: string }, lang: Lang) {
  return {
    status: state.status,
    connectionId: target.connectionId,
    externalPersonId: target.externalPersonId,
    joinedChats: state.joinedChats,
    /** Of those, chats the person was invited to by link: a member once they follow it. */
    invitedChats: state.invitedChats ?? 0,
    /** Still joining the chats (a slow messenger): they are joined without the person doing anything. */
    joining: state.joining ?? false,
    /** Joining failed (e.g. the bot lost its rights in a chat): the next nightly run adds them. */
    joinDeferred: state.joinDeferred ?? false,
    linkedAt: state.linkedAt ?? null,
    message: state.joining
      ? message('journal-linked-joining', lang)
      : state.joinDeferred
        ? message('journal-linked-join-deferred', lang, { joined: state.joinedChats })
        : state.invitedChats
          ? message('journal-linked-invited', lang, { added: state.joinedChats - state.invitedChats, invited: state.invitedChats })
          : message('journal-linked', lang, { joined: state.joinedChats }),
  };
}

const unlinkView = (target: { connectionId: string; externalPersonId: string }, lang: Lang) => ({
  status: 'unlinked' as const,
  connectionId: target.connectionId,
  externalPersonId: target.externalPersonId,
  message: message('journal-unlinked', lang),
});

export function journalLinkRoutes(deps: ApiDeps): Router {
  const { pool, temporal } = deps;
  const router = Router();
  const taskQueue = deps.taskQueues.roster;

  /** The signed-in person (a token whose subject is no hub person is refused like /me/guardians). */
  async function me(req: Request): Promise<Person> {
    const sub = principalOf(req).sub;
    const person = isUuid(sub) ? await findPerson(pool, sub).catch(fallbackUnlessOutage(undefined)) : undefined;
    if (!person) throw new Problem(403, 'person-not-found');
    return person;
  }

  async function knownConnection(connectionId: string): Promise<void> {
    if (!(await findConnection(pool, connectionId))) throw new Problem(404, 'connection-not-found');
  }

  async function link(req: Request, target: { connectionId: string; externalPersonId: string }, request: LinkRequest): Promise<LinkState> {
    try {
      return await linkJournalIdentity(temporal, {
        ...target,
        ...request,
        requestId: req.requestId,
        answerWithinMs: deps.config.JOURNAL_LINK_ANSWER_WITHIN,
        taskQueue,
      });
    } catch (error) {
      throw linkRefusalProblem(error) ?? error;
    }
  }

  async function unlink(
    req: Request,
    target: { connectionId: string; externalPersonId: string },
    request: { reason: string; personId?: string },
  ): Promise<LinkState> {
    const p = principalOf(req);
    try {
      return await unlinkJournalIdentity(temporal, { ...target, ...request, actor: p.sub, actorRole: p.role, requestId: req.requestId, taskQueue });
    } catch (error) {
      throw linkRefusalProblem(error) ?? error;
    }
  }

  /** My live journal identities: which connection (name, source kind), which journal person, since when. */
  router.get('/me/journal-links', async (req, res) => {
    const person = await me(req);
    const links = await liveLinksOfPerson(pool, person.id);
    res.json({
      items: links.map((l) => ({
        connectionId: l.connectionId,
        connectionName: l.connectionName,
        sourceKind: l.sourceKind,
        externalPersonId: l.externalPersonId,
        linkedAt: l.linkedAt.toISOString(),
      })),
    });
  });

  /** R-L1, R-L2, R-L3, R-L5: link my journal identity on a verified proof (rate limited per person: refusals would tell which ids exist). */
  router.post('/me/journal-links', async (req, res) => {
    const p = principalOf(req);
    const body = linkJournalBody.parse(req.body);
    const person = await me(req);
    await refuseIfRestricted(pool, person); // R-A7: linking would join the journal's chats
    await knownConnection(body.connectionId);
    const state = await link(req, body, {
      personId: person.id,
      actor: p.sub,
      actorRole: p.role,
      proof: { method: 'verified', proofId: body.proofId },
    });
    res.json(linkView(state, body, req.lang));
  });

  /** End my own link; someone else's link, or none, is 404 and nothing changes. */
  router.delete('/me/journal-links/:connectionId/:externalPersonId', async (req, res) => {
    const target = journalLinkParams.parse(req.params);
    const person = await me(req);
    // The quick answer; the activity checks the holder again in the same statement that ends the link.
    const live = await liveLink(pool, target.connectionId, target.externalPersonId);
    if (live?.personId !== person.id) throw new Problem(404, 'journal-identity-not-linked');
    await unlink(req, target, { reason: SELF_UNLINK_REASON, personId: person.id });
    res.json(unlinkView(target, req.lang));
  });

  /** Support links on a person's behalf (proof method `support`); the reason goes to the audit row. */
  router.post('/support/journal-links', async (req, res) => {
    const p = principalOf(req);
    const body = supportLinkBody.parse(req.body);
    const person = await findPerson(pool, body.personId);
    if (!person) throw new Problem(404, 'support-person-not-found');
    await knownConnection(body.connectionId);
    const state = await link(req, body, {
      personId: person.id,
      actor: p.sub,
      actorRole: p.role,
      reason: body.reason,
      proof: { method: 'support', ...(body.subjectBirthDate ? { subjectBirthDate: body.subjectBirthDate } : {}) },
    });
    res.json({ ...linkView(state, body, req.lang), personId: person.id });
  });

  /** Support ends a link, whoever holds it; the reason goes to the audit row. */
  router.post('/support/journal-links/unlink', async (req, res) => {
    const body = supportUnlinkBody.parse(req.body);
    const target = { connectionId: body.connectionId, externalPersonId: body.externalPersonId };
    const live = await liveLink(pool, target.connectionId, target.externalPersonId);
    if (!live) throw new Problem(404, 'journal-identity-not-linked');
    await unlink(req, target, { reason: body.reason, personId: live.personId });
    res.json({ ...unlinkView(target, req.lang), personId: live.personId });
  });

  return router;
}
