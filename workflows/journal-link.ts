// journalLinkWorkflow (R-L1..R-L4), id link/<connection>/<externalId>: one execution per link or
// unlink request, started with update-with-start so the caller gets the answer (or the refusal).
// Linking joins every chat the person was pending for at once (R-L2); later enrollment changes are
// the nightly reconciliation's (R-L4). The link itself lives in journal_links.
import { ApplicationFailure, allHandlersFinished, condition, log, patched, proxyActivities, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { HubActivities } from '../activities/index.js';
import {
  ROSTER_REFUSALS,
  linkJournalUpdate,
  linkStateQuery,
  unlinkJournalUpdate,
  type JournalLinkInput,
  type LinkState,
} from './roster-definitions.js';
import { journeyAttr, stageAttr, waitingOnAttr } from './search-attributes.js';

const acts = proxyActivities<HubActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { maximumInterval: '1 minute', maximumAttempts: 20 },
});

/** How long an execution waits for its request before it ends (update-with-start sends it at once). */
const IDLE_MS = 60 * 60_000;

/** A refusal from an activity (R-L3 and friends, not linked) goes back to the caller as the same failure. */
function asRefusal(e: unknown): unknown {
  const cause = e instanceof Error && e.cause instanceof ApplicationFailure ? e.cause : undefined;
  if (cause?.type && Object.values(ROSTER_REFUSALS).includes(cause.type as never)) {
    return ApplicationFailure.nonRetryable(cause.message, cause.type, ...(cause.details ?? []));
  }
  return e;
}

export async function journalLinkWorkflow(input: JournalLinkInput): Promise<LinkState> {
  const state: LinkState = { status: 'unlinked', joinedChats: 0 };
  let handled = false;
  /** Joins still going on after their answer went out (a slow messenger): the run ends after them. */
  const joins: Promise<void>[] = [];
  upsertSearchAttributes([
    journeyAttr('journal-link'),
    stageAttr('waiting-proof'),
    waitingOnAttr('person'),
  ]);
  setHandler(linkStateQuery, () => ({ ...state }));

  setHandler(
    linkJournalUpdate,
    async (req) => {
      try {
        const linked = await acts.linkJournalIdentity({ ...input, ...req });
        Object.assign(state, { status: 'linked', personId: req.personId, messengerUserId: linked.messengerUserId, linkedAt: linked.linkedAt });
        upsertSearchAttributes([stageAttr('joining-chats'), waitingOnAttr(null)]);
        const join = acts.joinPendingChats({ ...input, messengerUserId: linked.messengerUserId }).then(({ joined, refused, invited }) => {
          state.joinedChats = joined;
          // Absent from results recorded before invitations existed.
          if (invited) state.invitedChats = invited;
          state.joining = false;
          // `refused` is absent from results recorded before chats could refuse one by one.
          if (refused) state.joinDeferred = true;
          upsertSearchAttributes([stageAttr(refused ? 'join-deferred' : 'linked')]);
        });
        // Histories recorded before the bounded answer replay the plain wait.
        if (!req.answerWithinMs || !patched('link-answer-within')) {
          await join;
          return { ...state };
        }
        state.joining = true;
        joins.push(
          join.catch((e: unknown) => {
            // The link stands; the next run adds a linked person to their chats (R-C6).
            Object.assign(state, { joining: false, joinDeferred: true });
            upsertSearchAttributes([stageAttr('join-deferred')]);
            log.warn('joining the chats after linking failed; the next run adds them', { error: String(e) });
          }),
        );
        await condition(() => !state.joining, req.answerWithinMs);
        return { ...state };
      } catch (e) {
        throw asRefusal(e);
      } finally {
        handled = true;
      }
    },
    {
      validator: (req) => {
        if (!req.personId || !req.actor) throw ApplicationFailure.nonRetryable('personId and actor are required', 'bad-request');
        if (req.proof.method === 'support' && !req.reason?.trim()) {
          throw ApplicationFailure.nonRetryable('a link made by support needs a reason', 'bad-request');
        }
      },
    },
  );

  setHandler(unlinkJournalUpdate, async (req) => {
    try {
      await acts.unlinkJournalIdentity({ ...req, ...input });
      state.status = 'unlinked';
      upsertSearchAttributes([stageAttr('unlinked'), waitingOnAttr(null)]);
      return { ...state };
    } catch (e) {
      throw asRefusal(e);
    } finally {
      handled = true;
    }
  });

  await condition(() => handled, IDLE_MS);
  await condition(allHandlersFinished);
  await Promise.all(joins);
  return { ...state };
}
