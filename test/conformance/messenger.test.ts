import { InMemoryMessenger } from '../../adapters/messenger/in-memory.js';
import { startMessengerSimulator } from '../../adapters/messenger/simulator.js';
import { RequestLimiter } from '../../adapters/messenger/vk-api/rate-limiter.js';
import { startVkApiSimulator } from '../../adapters/messenger/vk-api/simulator.js';
import { VkApiMessenger } from '../../adapters/messenger/vk-api/messenger.js';
import { VkTeamsHttpMessenger } from '../../adapters/messenger/vkteams-http.js';
import { messengerConformance } from './messenger.conformance.js';

const same = (name: string) => name;

messengerConformance('in-memory fake', async () => {
  const messenger = new InMemoryMessenger(undefined, 25, 10);
  return {
    messenger,
    botUserId: messenger.store.botUserId,
    uid: same,
    unknownChatId: 'no-such-chat',
    honoursIdempotencyKeys: true,
    addMode: 'direct',
    addByHand: (chatId, ids) => messenger.store.add(chatId, ids, 'hand'),
    demoteBot: (chatId) => messenger.store.setRole(chatId, messenger.store.botUserId, 'member'),
    effectiveChanges: () => messenger.store.counters().effectiveChanges,
    teardown: async () => {},
  };
});

messengerConformance('VK Teams HTTP adapter against the simulator', async () => {
  const sim = await startMessengerSimulator({ pageSize: 10, maxMembersPerCall: 25 });
  const messenger = new VkTeamsHttpMessenger({ apiBase: sim.apiBase, token: sim.token, maxBatchSize: 25 });
  return {
    messenger,
    botUserId: sim.botUserId,
    uid: same,
    unknownChatId: 'no-such-chat@chat.agent',
    honoursIdempotencyKeys: true,
    addMode: 'direct',
    addByHand: (chatId, ids) => sim.addMembersByHand(chatId, ids),
    demoteBot: (chatId) => sim.store.setRole(chatId, sim.botUserId, 'member'),
    effectiveChanges: () => sim.counters().effectiveChanges,
    teardown: () => sim.stop(),
  };
});

/** VK user ids are numbers: test names get stable ones. */
function vkIds(): (name: string) => string {
  const known = new Map<string, string>();
  return (name) => {
    let id = known.get(name);
    if (!id) known.set(name, (id = String(100_001 + known.size)));
    return id;
  };
}

for (const tokenType of ['user', 'group'] as const) {
  messengerConformance(`VK API adapter (${tokenType === 'user' ? 'user token: direct adds' : 'community token: invite links'}) against the VK API simulator`, async () => {
    const sim = await startVkApiSimulator();
    const token = tokenType === 'user' ? sim.userToken : sim.groupToken;
    const messenger = new VkApiMessenger({
      apiBase: sim.apiBase,
      token: token.token,
      tokenType,
      groupId: sim.groupToken.groupId,
      pageSize: 10,
      // A private limiter at VK's rate: the two suites must not share one through the token.
      limiter: new RequestLimiter(tokenType === 'user' ? 3 : 20),
    });
    const botUserId = tokenType === 'user' ? String(sim.userToken.userId) : sim.communityMemberId;
    return {
      messenger,
      botUserId,
      uid: vkIds(),
      unknownChatId: '99999',
      honoursIdempotencyKeys: false,
      addMode: messenger.addMode,
      joinByInvite: (link, userId) => sim.joinByLink(link, userId),
      addByHand: (chatId, ids) => sim.addMembersByHand(chatId, ids),
      demoteBot: (chatId) => sim.store.setRole(chatId, botUserId, 'member'),
      effectiveChanges: () => sim.counters().effectiveChanges,
      teardown: () => sim.stop(),
    };
  });
}
