import { InMemoryMessenger } from '../../adapters/messenger/in-memory.js';
import { startMessengerSimulator } from '../../adapters/messenger/simulator.js';
import { VkTeamsHttpMessenger } from '../../adapters/messenger/vkteams-http.js';
import { messengerConformance } from './messenger.conformance.js';

messengerConformance('in-memory fake', async () => {
  const messenger = new InMemoryMessenger(undefined, 25, 10);
  return {
    messenger,
    botUserId: messenger.store.botUserId,
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
    addByHand: (chatId, ids) => sim.addMembersByHand(chatId, ids),
    demoteBot: (chatId) => sim.store.setRole(chatId, sim.botUserId, 'member'),
    effectiveChanges: () => sim.counters().effectiveChanges,
    teardown: () => sim.stop(),
  };
});
