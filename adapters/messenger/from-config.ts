// Builds the Messenger the worker uses from configuration (infra/config.ts keys MESSENGER_*, VK_*):
// MESSENGER_KIND picks the VK Teams Bot API adapter or the VK API (Сферум) adapter.
import type { Config } from '../../infra/config.js';
import type { Messenger, MessengerCallStats } from './port.js';
import { VkApiMessenger } from './vk-api/messenger.js';
import { VkTeamsHttpMessenger } from './vkteams-http.js';

export type MessengerConfig = Pick<
  Config,
  | 'MESSENGER_KIND'
  | 'MESSENGER_API_BASE'
  | 'MESSENGER_TOKEN'
  | 'MESSENGER_MAX_BATCH'
  | 'MESSENGER_TIMEOUT_MS'
  | 'MESSENGER_MAX_ATTEMPTS'
  | 'MESSENGER_MAX_RETRY_AFTER_MS'
  | 'MESSENGER_IDEMPOTENT_CREATE'
  | 'VK_API_BASE'
  | 'VK_ACCESS_TOKEN'
  | 'VK_TOKEN_TYPE'
  | 'VK_GROUP_ID'
  | 'VK_REQUESTS_PER_SECOND'
  | 'VK_FLOOD_RETRY_AFTER_MS'
>;

/** Whether the configuration names a messenger at all (else the process runs without one). */
export function messengerConfigured(config: Partial<MessengerConfig>): boolean {
  return config.MESSENGER_KIND === 'vk-api'
    ? Boolean(config.VK_ACCESS_TOKEN)
    : Boolean(config.MESSENGER_API_BASE && config.MESSENGER_TOKEN);
}

export function messengerFromConfig(
  config: MessengerConfig,
): Messenger & { stats(): MessengerCallStats; resetStats(): void } {
  const retry = { maxAttempts: config.MESSENGER_MAX_ATTEMPTS, maxRetryAfterMs: config.MESSENGER_MAX_RETRY_AFTER_MS };
  if (config.MESSENGER_KIND === 'vk-api') {
    if (!config.VK_ACCESS_TOKEN) throw new Error('VK_ACCESS_TOKEN is required with MESSENGER_KIND=vk-api');
    return new VkApiMessenger({
      apiBase: config.VK_API_BASE,
      token: config.VK_ACCESS_TOKEN,
      tokenType: config.VK_TOKEN_TYPE,
      groupId: config.VK_GROUP_ID,
      requestsPerSecond: config.VK_REQUESTS_PER_SECOND,
      floodRetryAfterMs: config.VK_FLOOD_RETRY_AFTER_MS,
      requestTimeoutMs: config.MESSENGER_TIMEOUT_MS,
      retry,
    });
  }
  if (!config.MESSENGER_API_BASE || !config.MESSENGER_TOKEN) {
    throw new Error('MESSENGER_API_BASE and MESSENGER_TOKEN are required to reach the messenger');
  }
  return new VkTeamsHttpMessenger({
    apiBase: config.MESSENGER_API_BASE,
    token: config.MESSENGER_TOKEN,
    maxBatchSize: config.MESSENGER_MAX_BATCH,
    requestTimeoutMs: config.MESSENGER_TIMEOUT_MS,
    idempotentCreate: config.MESSENGER_IDEMPOTENT_CREATE,
    retry,
  });
}
