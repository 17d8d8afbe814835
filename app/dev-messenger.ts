// The dev stack's messenger (issue 13): the VK API simulator (Сферум is VK Messenger, driven through
// messages.*) by default, with a community token, as an authority deploys it; the VK Teams Bot API
// simulator when MESSENGER_KIND=vk-teams. Nothing is started when the settings already name a real
// messenger (VK_ACCESS_TOKEN for vk-api, MESSENGER_API_BASE for vk-teams).
import { startMessengerSimulator } from '../adapters/messenger/simulator.js';
import { startVkApiSimulator } from '../adapters/messenger/vk-api/simulator.js';

export type DevMessengerKind = 'vk-api' | 'vk-teams';

export interface DevMessenger {
  kind: DevMessengerKind;
  /** What the banner prints: the simulator and its admin page, or the configured platform. */
  describe: string;
  /** The simulator's admin base (GET /admin/state, /admin/chats; POST /admin/join for invite links), if one runs. */
  adminUrl?: string;
  /** Settings the worker reads (infra/config.ts MESSENGER_*, VK_*), filled only where unset. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** `env` is the dev stack's environment (read, not written). */
export async function startDevMessenger(env: Record<string, string | undefined>, port: number): Promise<DevMessenger> {
  // A VK Teams platform named without MESSENGER_KIND (as before issue 13) stays what it was.
  const kind: DevMessengerKind = (env.MESSENGER_KIND ?? (env.MESSENGER_API_BASE ? 'vk-teams' : 'vk-api')) === 'vk-teams' ? 'vk-teams' : 'vk-api';
  if (kind === 'vk-api') {
    if (env.VK_ACCESS_TOKEN) {
      return { kind, describe: `VK API at ${env.VK_API_BASE ?? 'https://api.vk.com/method'} (configured)`, env: { MESSENGER_KIND: kind }, stop: async () => {} };
    }
    // A community token by default: the hub cannot add people (messages.addChatUser is user-only), so
    // adds become invitations by link, queued in the invite outbox: the production case, shown as it is.
    const tokenType = env.VK_TOKEN_TYPE === 'user' ? 'user' : 'group';
    const sim = await startVkApiSimulator({ port });
    const token = tokenType === 'group' ? sim.groupToken : sim.userToken;
    return {
      kind,
      describe: `VK API simulator ${sim.apiBase} (${tokenType === 'group' ? `community token, group ${sim.groupToken.groupId}` : `user token, user ${sim.userToken.userId}`}; admin ${sim.url}/admin/chats)`,
      adminUrl: `${sim.url}/admin`,
      env: {
        MESSENGER_KIND: kind,
        VK_API_BASE: sim.apiBase,
        VK_ACCESS_TOKEN: token.token,
        VK_TOKEN_TYPE: tokenType,
        ...(tokenType === 'group' ? { VK_GROUP_ID: String(sim.groupToken.groupId) } : {}),
      },
      stop: () => sim.stop(),
    };
  }
  if (env.MESSENGER_API_BASE) {
    return { kind, describe: `VK Teams Bot API at ${env.MESSENGER_API_BASE} (configured)`, env: { MESSENGER_KIND: kind }, stop: async () => {} };
  }
  const sim = await startMessengerSimulator({ port });
  return {
    kind,
    describe: `VK Teams Bot API simulator ${sim.apiBase} (admin ${sim.url}/admin/state)`,
    adminUrl: `${sim.url}/admin`,
    env: {
      MESSENGER_KIND: kind,
      MESSENGER_API_BASE: sim.apiBase,
      MESSENGER_TOKEN: sim.token,
      // This simulator honours createChat's idempotency key (a real platform may not).
      MESSENGER_IDEMPOTENT_CREATE: 'true',
    },
    stop: () => sim.stop(),
  };
}
