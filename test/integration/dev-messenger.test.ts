// Issue 13: the dev stack's messenger is the VK API simulator by default (community token: adds become
// invitations; VK_TOKEN_TYPE=user: direct adds), the VK Teams simulator stays with MESSENGER_KIND=vk-teams,
// and settings naming a real messenger start no simulator. Each choice is driven through the adapter the
// worker would build from those settings, over HTTP.
import { describe, expect, it } from 'vitest';
import { messengerFromConfig } from '../../adapters/messenger/from-config.js';
import { startDevMessenger } from '../../app/dev-messenger.js';
import { loadConfig } from '../../infra/config.js';

const messengerFor = (env: Record<string, string>) => messengerFromConfig(loadConfig(env));
const chatsAt = async (adminUrl: string) => ((await (await fetch(`${adminUrl}/chats`)).json()) as { chats: Array<{ title: string; members: string[] }> }).chats;

describe('issue 13: the dev stack’s messenger (app/dev-messenger.ts)', () => {
  it('by default: the VK API simulator with a community token, so a person is invited by link, not added', async () => {
    const dev = await startDevMessenger({}, 0);
    try {
      expect(dev.kind).toBe('vk-api');
      expect(dev.env).toMatchObject({ MESSENGER_KIND: 'vk-api', VK_TOKEN_TYPE: 'group', VK_GROUP_ID: '1001' });
      const m = messengerFor(dev.env);
      const chat = await m.createChat({ title: '4Б Родители', idempotencyKey: 'c/s/parents:4b' });
      const outcome = await m.addMembers(chat, ['100000001']);
      expect(outcome.invited.map((i) => i.userId)).toEqual(['100000001']);
      expect(outcome.invited[0]!.inviteLink).toMatch(/^https:\/\/vk\.me\/join\//);
      expect(await chatsAt(dev.adminUrl!)).toEqual([expect.objectContaining({ title: '4Б Родители', members: ['-1001'] })]);
    } finally {
      await dev.stop();
    }
  });

  it('VK_TOKEN_TYPE=user: the simulator’s user token, and the person is added directly', async () => {
    const dev = await startDevMessenger({ VK_TOKEN_TYPE: 'user' }, 0);
    try {
      expect(dev.env).toMatchObject({ MESSENGER_KIND: 'vk-api', VK_TOKEN_TYPE: 'user' });
      expect(dev.env.VK_GROUP_ID).toBeUndefined();
      const m = messengerFor(dev.env);
      const chat = await m.createChat({ title: '4Б', idempotencyKey: 'c/s/class:4b' });
      const outcome = await m.addMembers(chat, ['100000002']);
      expect(outcome.invited).toEqual([]);
      expect((await chatsAt(dev.adminUrl!))[0]!.members).toContain('100000002');
    } finally {
      await dev.stop();
    }
  });

  it('MESSENGER_KIND=vk-teams keeps the VK Teams Bot API simulator', async () => {
    const dev = await startDevMessenger({ MESSENGER_KIND: 'vk-teams' }, 0);
    try {
      expect(dev.kind).toBe('vk-teams');
      expect(dev.env.MESSENGER_API_BASE).toMatch(/\/bot\/v1$/);
      const m = messengerFor(dev.env);
      const chat = await m.createChat({ title: '4Б', idempotencyKey: 'c/s/class:4b' });
      const outcome = await m.addMembers(chat, ['vk-user-1']);
      expect(outcome.invited ?? []).toEqual([]);
      const state = (await (await fetch(`${dev.adminUrl}/state`)).json()) as Record<string, unknown>;
      expect(state).toMatchObject({ chatsCreated: 1 });
    } finally {
      await dev.stop();
    }
  });

  it('settings that name a real messenger start no simulator', async () => {
    const vk = await startDevMessenger({ VK_ACCESS_TOKEN: 'a-real-token', VK_API_BASE: 'https://api.vk.com/method' }, 0);
    expect([vk.kind, vk.adminUrl, vk.env]).toEqual(['vk-api', undefined, { MESSENGER_KIND: 'vk-api' }]);
    const teams = await startDevMessenger({ MESSENGER_KIND: 'vk-teams', MESSENGER_API_BASE: 'https://myteam.example/bot/v1' }, 0);
    expect([teams.kind, teams.adminUrl, teams.env]).toEqual(['vk-teams', undefined, { MESSENGER_KIND: 'vk-teams' }]);
    // Named the way it was before the VK API existed (no MESSENGER_KIND): still that platform.
    const older = await startDevMessenger({ MESSENGER_API_BASE: 'https://myteam.example/bot/v1', MESSENGER_TOKEN: 't' }, 0);
    expect([older.kind, older.adminUrl, older.env]).toEqual(['vk-teams', undefined, { MESSENGER_KIND: 'vk-teams' }]);
  });
});
