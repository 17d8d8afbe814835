// The pieces issue 13 item 5 rests on, against real PostgreSQL: the claim on creating a chat
// (db/repositories/chat-create-claim.ts) and the rules for a managed chat's messenger id (never
// overwritten; a deleted chat forgotten only while its id stands). The two-process race itself is
// test/integration/chat-create-race.test.ts.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatClaimBusy, withChatCreateClaim } from '../../db/repositories/chat-create-claim.js';
import { insertConnection } from '../../db/repositories/connections.js';
import {
  forgetDeletedChat,
  listManagedChats,
  recordAdded,
  storeMessengerChatId,
  upsertManagedChats,
} from '../../db/repositories/roster-sync.js';
import { createPool, type Pool } from '../../infra/postgres.js';
import { secretBox } from '../../infra/secrets.js';
import { useTestDb } from '../helpers/db.js';

const db = useTestDb();
let chatA: string;
let chatB: string;
let other: Pool;
beforeAll(async () => {
  const connection = await insertConnection(db.pool, secretBox(randomBytes(32)), {
    name: 'ЭлЖур (тест)',
    kind: 'eljur',
    settings: { baseUrl: 'http://127.0.0.1:9/apiv3', vendor: 'school' },
    credentials: { devkey: 'k', login: 'l', password: 'p' },
    region: '16',
    schools: [{ schoolExternalId: 's1' }],
  });
  await upsertManagedChats(db.pool, connection.id, 's1', [
    { key: 'parents:4b', kind: 'parents', title: '4Б Родители' },
    { key: 'class:4b', kind: 'class', title: '4Б' },
  ]);
  const chats = await listManagedChats(db.pool, connection.id, 's1');
  chatA = chats.find((c) => c.chatKey === 'parents:4b')!.id;
  chatB = chats.find((c) => c.chatKey === 'class:4b')!.id;
  // Another replica: its own pool, its own connections.
  other = createPool(db.url, db.schema);
});
afterAll(async () => {
  await other?.end();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const wait = { timeoutMs: 5_000, pollMs: 20 };

describe('the claim on creating a chat', () => {
  it('issue 13 item 5: two replicas claiming the same chat take turns; the second starts only after the first let go', async () => {
    const events: string[] = [];
    const holder = (who: string, pool: Pool) =>
      withChatCreateClaim(pool, chatA, wait, async () => {
        events.push(`${who} in`);
        await sleep(300);
        events.push(`${who} out`);
      });
    await Promise.all([holder('a', db.pool), sleep(50).then(() => holder('b', other))]);
    expect(events).toEqual(['a in', 'a out', 'b in', 'b out']);
  });

  it('issue 13 item 5: claims on different chats do not wait for each other', async () => {
    const events: string[] = [];
    const holder = (chat: string, pool: Pool) =>
      withChatCreateClaim(pool, chat, wait, async () => {
        events.push('in');
        await sleep(300);
        events.push('out');
      });
    await Promise.all([holder(chatA, db.pool), sleep(50).then(() => holder(chatB, other))]);
    expect(events).toEqual(['in', 'in', 'out', 'out']);
  });

  it('issue 13 item 5: a waiter gives up after its time with a retryable error, heartbeating meanwhile; it held no connection while waiting', async () => {
    let beats = 0;
    let busy: unknown;
    await withChatCreateClaim(db.pool, chatA, wait, async () => {
      busy = await withChatCreateClaim(other, chatA, { timeoutMs: 300, pollMs: 20, onWait: () => beats++ }, async () => 'got it').catch((e: unknown) => e);
      expect(other.totalCount - other.idleCount).toBe(0);
    });
    expect(busy).toBeInstanceOf(ChatClaimBusy);
    expect(beats).toBeGreaterThan(3);
  });

  it('issue 13 item 5: a holder whose process dies (its connection gone) releases the claim', async () => {
    const holding = withChatCreateClaim(db.pool, chatA, wait, async (conn) => {
      const { rows } = await conn.query(`SELECT pg_backend_pid() AS pid`);
      // What the server sees when a worker is killed: its session ends.
      await other.query(`SELECT pg_terminate_backend($1)`, [(rows[0] as { pid: number }).pid]);
      await sleep(100);
      await conn.query('SELECT 1');
    });
    await expect(holding).rejects.toThrow();
    expect(await withChatCreateClaim(other, chatA, { timeoutMs: 1_000 }, async () => 'claimed')).toBe('claimed');
  });
});

describe("a managed chat's messenger id", () => {
  it('issue 13 item 5: a stored id is never overwritten; the id that stands is answered', async () => {
    expect(await storeMessengerChatId(db.pool, chatA, 'first@chat.agent')).toBe('first@chat.agent');
    expect(await storeMessengerChatId(other, chatA, 'second@chat.agent')).toBe('first@chat.agent');
    const { rows } = await db.pool.query(`SELECT messenger_chat_id AS id FROM managed_chats WHERE id = $1`, [chatA]);
    expect(rows[0]).toEqual({ id: 'first@chat.agent' });
  });

  it('issue 13 item 5: a late "not found" about a chat already replaced does not wipe the new id nor its members', async () => {
    await recordAdded(db.pool, chatA, ['vk-1', 'vk-2'], null);
    expect(await forgetDeletedChat(db.pool, chatA, 'older@chat.agent')).toBe(false);
    const members = async () => (await db.pool.query(`SELECT count(*)::int AS n FROM managed_memberships WHERE chat_id = $1`, [chatA])).rows[0];
    expect(await members()).toEqual({ n: 2 });
    expect(await forgetDeletedChat(db.pool, chatA, 'first@chat.agent')).toBe(true);
    const { rows } = await db.pool.query(`SELECT messenger_chat_id AS id, create_requested_at AS at FROM managed_chats WHERE id = $1`, [chatA]);
    expect(rows[0]).toEqual({ id: null, at: null });
    expect(await members()).toEqual({ n: 0 });
  });
});
