// The messenger account ("Sign in with VK ID", R-M1, R-A5). Bodies and queries are strict.
import { z } from 'zod';

export const startVkIdBody = z
  .object({
    /** Where the person starts: the last step of signup (R-A5) or their profile. */
    via: z.enum(['signup', 'profile']).default('profile'),
  })
  .strict();

/**
 * What VK ID appended to the redirect URL (README of adapters/vk-id), passed on by the front end:
 * code, state, device_id, type; or error, state. Not strict: parameters VK ID may add later are
 * ignored, not refused.
 */
export const vkIdCallbackBody = z
  .object({
    state: z.string().min(16).max(256),
    code: z.string().min(1).max(2048).optional(),
    device_id: z.string().min(1).max(512).optional(),
    type: z.string().max(32).optional(),
    error: z.string().max(128).optional(),
    error_description: z.string().max(1024).optional(),
  });

export const startVkIdResponse = z.object({
  /** Open this in the person's browser: VK ID's sign-in, which comes back to the callback. */
  authorizeUrl: z.string(),
  expiresAt: z.string(),
});

export const messengerAccountResponse = z.object({
  bound: z.boolean(),
  provider: z.literal('vk-id'),
  /** The VK user id the hub adds to chats, or null. */
  messengerUserId: z.string().nullable(),
  boundAt: z.string().nullable(),
});

export const bindingResponse = z.object({
  status: z.enum(['bound', 'unchanged', 'rebound']),
  messengerUserId: z.string(),
  previousMessengerUserId: z.string().nullable(),
  message: z.string(),
});

export const unbindResponse = z.object({ status: z.literal('unbound'), previousMessengerUserId: z.string(), message: z.string() });
