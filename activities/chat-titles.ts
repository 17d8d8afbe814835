// A chat's title changed in the journal (a class renamed): the messenger is given the new one, once
// (issue 13, VK API messages.editChat). A platform without renameChat keeps the old title. A chat that
// refuses (the bot lost its rights, the chat is gone) is left for the listing and apply to report.
import { isMessengerError, type Messenger } from '../adapters/messenger/port.js';
import type { Logger } from '../infra/logger.js';
import type { Queryable } from '../infra/postgres.js';

/** Renames the school's chats whose title differs from the one the messenger was last given; answers how many. */
export async function pushChatTitles(
  deps: { pool: Queryable; messenger: Messenger; log: Logger },
  connectionId: string,
  school: string,
): Promise<number> {
  const rename = deps.messenger.renameChat?.bind(deps.messenger);
  if (!rename) return 0;
  const { rows } = await deps.pool.query(
    `SELECT id, messenger_chat_id AS "chatId", title FROM managed_chats
      WHERE connection_id = $1 AND school_external_id = $2 AND messenger_chat_id IS NOT NULL
        AND messenger_title IS DISTINCT FROM title ORDER BY chat_key`,
    [connectionId, school],
  );
  let renamed = 0;
  for (const r of rows as Array<{ id: string; chatId: string; title: string }>) {
    try {
      await rename(r.chatId, r.title);
    } catch (e) {
      if (isMessengerError(e) && !e.retryable && e.code !== 'auth-failed') {
        deps.log.warn({ chatId: r.chatId, code: e.code }, 'the messenger refused a chat title change');
        continue;
      }
      throw e;
    }
    await noteMessengerTitle(deps.pool, r.id, r.title);
    renamed++;
  }
  return renamed;
}

/** The messenger holds this title for the chat now (created with it, or renamed). */
export async function noteMessengerTitle(db: Queryable, chatId: string, title: string): Promise<void> {
  await db.query(`UPDATE managed_chats SET messenger_title = $2 WHERE id = $1`, [chatId, title]);
}
