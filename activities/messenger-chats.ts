// Creating a managed chat at the messenger (reconcile runs and journal linking both do). The real
// platform's createChat has no idempotency key, so the hub does two things itself:
// - a claim (db/repositories/chat-create-claim.ts): one worker at a time creates a given chat; the
//   others wait, then find the id it stored (issue 13 item 5: two workers both created «4Б Родители»);
// - a marker (migration 600), noted and committed before each createChat, cleared when the id is
//   stored. A marker found set by the claim's holder means an earlier create really went unrecorded
//   (its worker died, or its answer was lost) and may have made a chat: the chat is created again (the
//   hub must have one to converge) and the caller is told, so that a human can look for a duplicate.
import { isMessengerError, type Messenger } from '../adapters/messenger/port.js';
import { withChatCreateClaim } from '../db/repositories/chat-create-claim.js';
import {
  clearChatCreateRequested,
  noteChatCreateRequested,
  storeMessengerChatId,
} from '../db/repositories/roster-sync.js';
import type { ChatCreatedAgainWarning } from '../domain/roster/chats.js';
import { noteMessengerTitle } from './chat-titles.js';
import type { Logger } from '../infra/logger.js';
import { messengerChatsCreatedAgain } from '../infra/metrics.js';
import type { Pool, Queryable } from '../infra/postgres.js';

/**
 * How long a worker waits for another one creating the same chat. Longer than a holder can take (the
 * adapter's request timeouts and bounded attempts); if it runs out, the activity fails retryably.
 */
export const CHAT_CLAIM_WAIT_MS = 90_000;

/** The chat's idempotency key at the messenger: one connection, one school, one chat key. */
export const messengerChatKey = (connectionId: string, school: string, chatKey: string): string =>
  `${connectionId}/${school}/${chatKey}`;

export interface ChatToEnsure {
  /** managed_chats.id */
  id: string;
  chatKey: string;
  title: string;
  messengerChatId: string | null;
}

/**
 * The chat's messenger id, creating the chat when the hub has none yet; the id is stored at once.
 * `created` says whether this call made it; `onCreatedAgain` runs (before the create) when an earlier
 * create was never recorded, with the claim's connection to write through.
 */
export async function ensureChatAtMessenger(
  deps: { pool: Pool; messenger: Messenger; log: Logger; heartbeat?: () => void },
  chat: ChatToEnsure,
  where: { connectionId: string; school: string; via: 'reconcile' | 'link' },
  onCreatedAgain?: (warning: ChatCreatedAgainWarning, db: Queryable) => Promise<void>,
): Promise<{ chatId: string; created: boolean }> {
  if (chat.messengerChatId) return { chatId: chat.messengerChatId, created: false };
  let waited = false;
  const onWait = () => {
    if (!waited) deps.log.debug({ chatKey: chat.chatKey, via: where.via }, 'waiting for another worker creating the chat');
    waited = true;
    deps.heartbeat?.();
  };
  const claimWait = { timeoutMs: CHAT_CLAIM_WAIT_MS, onWait };
  return withChatCreateClaim(deps.pool, chat.id, claimWait, async (db) => {
    // Read again under the claim: whoever held it before may have stored the id meanwhile.
    const noted = await noteChatCreateRequested(db, chat.id);
    if (noted.messengerChatId) return { chatId: noted.messengerChatId, created: false };
    const about = {
      connectionId: where.connectionId,
      school: where.school,
      chatKey: chat.chatKey,
      title: chat.title,
      via: where.via,
    };
    const warning: ChatCreatedAgainWarning = { code: 'chat-created-again', ref: chat.chatKey, title: chat.title };
    if (noted.requestedBefore) {
      // No one else holds the claim, so that create is not in flight: it went unrecorded.
      // Ids and the chat's title (a class or subject name) only: no personal data.
      deps.log.warn(
        { ...about, firstRequestedAt: noted.requestedBefore.toISOString() },
        'an earlier createChat was never recorded: creating the chat again; the messenger may now hold a duplicate',
      );
      messengerChatsCreatedAgain.inc({ via: where.via });
      await onCreatedAgain?.(warning, db);
    }
    let chatId: string;
    try {
      chatId = await deps.messenger.createChat({
        title: chat.title,
        idempotencyKey: messengerChatKey(where.connectionId, where.school, chat.chatKey),
      });
    } catch (e) {
      // Refused for sure (429 after the adapter's retries, bad token, bad request): nothing was made, so
      // the marker noted by this call goes. `unavailable` (timeout, 5xx) may have made a chat: it stays.
      // A marker an earlier create left stays too: that create is still unaccounted for.
      if (!noted.requestedBefore && isMessengerError(e) && e.code !== 'unavailable')
        await clearChatCreateRequested(db, chat.id);
      throw e;
    }
    const stored = await storeMessengerChatId(db, chat.id, chatId);
    if (stored === chatId) await noteMessengerTitle(db, chat.id, chat.title);
    if (stored !== chatId) {
      // Someone stored an id without the claim (a worker of an older release during a rolling
      // update): theirs stands and the chat just made is the duplicate, empty since nobody adds to it.
      deps.log.warn({ ...about, kept: stored, duplicate: chatId }, 'the chat was created twice: the stored one stands; the duplicate is empty');
      messengerChatsCreatedAgain.inc({ via: where.via });
      await onCreatedAgain?.(warning, db);
      return { chatId: stored, created: false };
    }
    return { chatId, created: true };
  });
}
