// What each VK API error code means for the hub (codes and English names: errors.json of the schema).
// Three kinds: the whole connection is refused (bad token), one chat refuses (not admin, disabled),
// one person is refused (privacy settings, unknown user). Transient ones (6, 9, 10…) are retried.
import type { MessengerErrorDetail } from '../port.js';
import { VK_ERRORS as E } from './schema.js';

export interface VkApiErrorBody {
  error_code: number;
  error_msg?: string;
}

export type VkErrorMeaning =
  /** Retry (here with backoff, or later through Temporal); nothing was refused for good. */
  | { kind: 'transient'; detail: Extract<MessengerErrorDetail, { code: 'rate-limited' | 'unavailable' }> }
  /** The token: every chat would fail alike. */
  | { kind: 'connection'; ru: string }
  /** This chat refuses (or is gone); the rest of the run goes on. */
  | { kind: 'chat'; detail: Extract<MessengerErrorDetail, { code: 'forbidden' | 'not-found' | 'bad-request' }>; ru: string }
  /** This person cannot be added or removed; the rest of the chat goes on. */
  | { kind: 'person'; ru: string };

const PERSON: Record<number, string> = {
  [E.userDeleted]: 'страница пользователя удалена или заблокирована',
  [E.privateProfile]: 'профиль пользователя закрыт',
  [E.limits]: 'превышен лимит ВКонтакте (например, число участников беседы)',
  [E.invalidUserId]: 'неверный идентификатор пользователя',
  [E.privacy]: 'настройки приватности пользователя не позволяют его добавить',
  [E.groupPeerAccess]: 'сообщество не может взаимодействовать с этим пользователем',
  [E.contactNotFound]: 'пользователь не найден',
  [E.messageRequestSent]: 'пользователю уже отправлен запрос на переписку',
  [E.memberNoGroupAccess]: 'у пользователя нет доступа к сообществу',
};

const CHAT: Record<number, string> = {
  [E.access]: 'доступ запрещён',
  [E.chatNoAccess]: 'нет доступа к беседе',
  [E.cantSeeInviteLink]: 'нельзя получить ссылку-приглашение: у сообщества нет прав администратора беседы',
  [E.chatLeft]: 'сообщество вышло из беседы',
  [E.chatNotAdmin]: 'сообщество (или администратор) не является администратором беседы',
  [E.cantChangeInviteLink]: 'нельзя сменить ссылку-приглашение беседы',
  [E.chatDisabled]: 'беседа отключена',
  [E.chatUnsupported]: 'беседа не поддерживается',
  [E.permission]: 'нет прав на это действие',
};

export const FLOOD_RETRY_AFTER_MS = 60_000;
/** Code 29 is a daily quota of the method: no point retrying within the hour. */
export const QUOTA_RETRY_AFTER_MS = 3_600_000;

export function meaningOf(e: VkApiErrorBody, opts: { floodRetryAfterMs?: number } = {}): VkErrorMeaning {
  const code = e.error_code;
  switch (code) {
    case E.tooManyPerSecond:
      return { kind: 'transient', detail: { code: 'rate-limited', retryAfterMs: 1_000 } };
    case E.flood:
    case E.captcha:
      return { kind: 'transient', detail: { code: 'rate-limited', retryAfterMs: opts.floodRetryAfterMs ?? FLOOD_RETRY_AFTER_MS } };
    case E.rateLimit:
      return { kind: 'transient', detail: { code: 'rate-limited', retryAfterMs: QUOTA_RETRY_AFTER_MS } };
    case E.unknown:
    case E.server:
    case E.runtime:
      return { kind: 'transient', detail: { code: 'unavailable', cause: 'server-error' } };
    case E.auth:
    case E.tokenExpired:
    case E.validation:
    case E.appAuth:
      return {
        kind: 'connection',
        ru: `ВКонтакте отклонил ключ доступа (код ${code}): ключ истёк, отозван или неверен. Выпустите новый ключ и обновите VK_ACCESS_TOKEN.`,
      };
    case E.groupAuth:
      return {
        kind: 'connection',
        ru: `ВКонтакте не принимает ключ сообщества для этого метода (код ${code}). Проверьте VK_TOKEN_TYPE: ключ сообщества — group, ключ пользователя — user.`,
      };
    case E.chatNotExist:
      return { kind: 'chat', detail: { code: 'not-found' }, ru: 'беседа не существует (удалена)' };
    case E.param:
    case E.unknownMethod:
      return { kind: 'chat', detail: { code: 'bad-request' }, ru: `ВКонтакте не принял запрос (код ${code})` };
  }
  if (PERSON[code]) return { kind: 'person', ru: PERSON[code] };
  if (CHAT[code]) return { kind: 'chat', detail: { code: 'forbidden' }, ru: CHAT[code] };
  return { kind: 'chat', detail: { code: 'bad-request' }, ru: `ВКонтакте ответил ошибкой ${code}` };
}
