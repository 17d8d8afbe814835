// Issue 13: MESSENGER_KIND picks the messenger; the VK API one takes its token type and community id.
import { describe, expect, it } from 'vitest';
import { messengerConfigured, messengerFromConfig } from '../../adapters/messenger/from-config.js';
import { VkApiMessenger } from '../../adapters/messenger/vk-api/messenger.js';
import { VkTeamsHttpMessenger } from '../../adapters/messenger/vkteams-http.js';
import { loadConfig } from '../../infra/config.js';

describe('messenger from configuration (issue 13)', () => {
  it('MESSENGER_KIND=vk-api with a community token invites; with a user token adds directly', () => {
    const group = loadConfig({ MESSENGER_KIND: 'vk-api', VK_ACCESS_TOKEN: 't', VK_TOKEN_TYPE: 'group', VK_GROUP_ID: '1001' });
    expect(messengerConfigured(group)).toBe(true);
    const g = messengerFromConfig(group);
    expect(g).toBeInstanceOf(VkApiMessenger);
    expect(g.addMode).toBe('invite-link');
    expect((g as VkApiMessenger).botUserId).toBe('-1001');
    const user = messengerFromConfig(loadConfig({ MESSENGER_KIND: 'vk-api', VK_ACCESS_TOKEN: 't', VK_TOKEN_TYPE: 'user' }));
    expect(user.addMode).toBe('direct');
  });

  it('a community token without VK_GROUP_ID is refused with a sentence naming the setting; no token means no messenger', () => {
    const config = loadConfig({ MESSENGER_KIND: 'vk-api', VK_ACCESS_TOKEN: 't' });
    expect(() => messengerFromConfig(config)).toThrow(/VK_GROUP_ID/);
    expect(messengerConfigured(loadConfig({ MESSENGER_KIND: 'vk-api' }))).toBe(false);
  });

  it('the default stays the VK Teams adapter', () => {
    const config = loadConfig({ MESSENGER_API_BASE: 'http://127.0.0.1:1/bot/v1', MESSENGER_TOKEN: 't' });
    expect(messengerFromConfig(config)).toBeInstanceOf(VkTeamsHttpMessenger);
  });
});
