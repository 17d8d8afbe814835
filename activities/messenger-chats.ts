// Creating a managed chat at the messenger (reconcile runs and journal linking both do). The real
// platform's createChat has no idempotency key, so the hub keeps its own marker (migration 600):
// noted, committed, before each createChat; cleared when the chat id is stored. A marker found still
// set means an earlier create went unrecorded and may have made a chat: the chat is created again
// (the hub must have one to converge) and the caller is told, so that a human can look for a duplicate.
import { isMessengerError, type Messenger } from '../adapters/messenger/port.js';
import {
  clearChatCreateRequested,
  noteChatCreateRequested,
  setMessengerChatId,
} from '../db/repositories/roster-sync.js';
import type { ChatCreatedAgainWarning } from '../domain/roster/chats.js';
import { noteMessengerTitle } from './chat-titles.js';
import type { Logger } from '../infra/logger.js';
import { messengerChatsCreatedAgain } from '../infra/metrics.js';
import type { Pool } from '../infra/postgres.js';

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
 * create was never recorded.
 */
export async function ensureChatAtMessenger(
  deps: { pool: Pool; messenger: Messenger; log: Logger },
  chat: ChatToEnsure,
  where: { connectionId: string; school: string; via: 'reconcile' | 'link' },
  onCreatedAgain?: (warning: ChatCreatedAgainWarning) => Promise<void>,
): Promise<{ chatId: string; created: boolean }> {
  if (chat.messengerChatId) return { chatId: chat.messengerChatId, created: false };
  const noted = await noteChatCreateRequested(deps.pool, chat.id);
  if (noted.messengerChatId) return { chatId: noted.messengerChatId, created: false };
  if (noted.requestedBefore) {
    // Ids and the chat's title (a class or subject name) only: no personal data.
    deps.log.warn(
      {
        connectionId: where.connectionId,
        school: where.school,
        chatKey: chat.chatKey,
        title: chat.title,
        firstRequestedAt: noted.requestedBefore.toISOString(),
        via: where.via,
      },
      'an earlier createChat was never recorded: creating the chat again; the messenger may now hold a duplicate',
    );
    messengerChatsCreatedAgain.inc({ via: where.via });
    await onCreatedAgain?.({ code: 'chat-created-again', ref: chat.chatKey, title: chat.title });
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
      await clearChatCreateRequested(deps.pool, chat.id);
    throw e;
  }
  await setMessengerChatId(deps.pool, chat.id, chatId);
  await noteMessengerTitle(deps.pool, chat.id, chat.title);
  return { chatId, created: true };
}
