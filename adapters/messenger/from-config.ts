// Builds the Messenger the worker uses from configuration (infra/config.ts keys MESSENGER_*).
import type { Config } from '../../infra/config.js';
import type { Messenger } from './port.js';
import { VkTeamsHttpMessenger } from './vkteams-http.js';

export function messengerFromConfig(
  config: Pick<
    Config,
    | 'MESSENGER_API_BASE'
    | 'MESSENGER_TOKEN'
    | 'MESSENGER_MAX_BATCH'
    | 'MESSENGER_TIMEOUT_MS'
    | 'MESSENGER_MAX_ATTEMPTS'
    | 'MESSENGER_MAX_RETRY_AFTER_MS'
    | 'MESSENGER_IDEMPOTENT_CREATE'
  >,
): Messenger & Pick<VkTeamsHttpMessenger, 'stats' | 'resetStats'> {
  if (!config.MESSENGER_API_BASE || !config.MESSENGER_TOKEN) {
    throw new Error('MESSENGER_API_BASE and MESSENGER_TOKEN are required to reach the messenger');
  }
  return new VkTeamsHttpMessenger({
    apiBase: config.MESSENGER_API_BASE,
    token: config.MESSENGER_TOKEN,
    maxBatchSize: config.MESSENGER_MAX_BATCH,
    requestTimeoutMs: config.MESSENGER_TIMEOUT_MS,
    idempotentCreate: config.MESSENGER_IDEMPOTENT_CREATE,
    retry: {
      maxAttempts: config.MESSENGER_MAX_ATTEMPTS,
      maxRetryAfterMs: config.MESSENGER_MAX_RETRY_AFTER_MS,
    },
  });
}
