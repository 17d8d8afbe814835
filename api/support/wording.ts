// How support reads a journey: Russian words for stages, waiting parties, workflow events and audit
// actions. Journeys, stages and waiting parties come in Russian and English (the request's language);
// unknown codes fall through as the code itself, so a value from an older workflow is never hidden.
import type { Lang } from '../messages.js';
import type { HubJourneyValue, HubStageValue, HubWaitingOnValue } from '../../workflows/search-attributes.js';

type Label = Record<Lang, string>;

/** Every journey the workflows set (HubJourney), in both languages; the type makes a missing one an error. */
export const JOURNEY_TITLES: Record<HubJourneyValue, Label> = {
  signup: { ru: 'Регистрация по телефону', en: 'Signup with a code' },
  invite: { ru: 'Приглашение по ссылке', en: 'Invite link' },
  application: { ru: 'Заявка в организацию', en: 'Application to a school' },
  guardians: { ru: 'Подтверждение родителем', en: 'Parent confirmation' },
  'journal-link': { ru: 'Привязка электронного журнала', en: 'Journal account linking' },
  reconcile: { ru: 'Синхронизация чатов с журналом', en: 'Chat sync with the journal' },
};

/** Every stage the workflows set (HubStage, workflows/search-attributes.ts HUB_STAGES). */
export const STAGE_TITLES: Record<HubStageValue, Label> = {
  // invite
  active: { ru: 'ссылка действует', en: 'link is valid' },
  accepted: { ru: 'принято', en: 'accepted' },
  declined: { ru: 'отклонено', en: 'declined' },
  revoked: { ru: 'отозвано', en: 'revoked' },
  expired: { ru: 'срок истёк', en: 'expired' },
  // application
  pending: { ru: 'ждёт решения', en: 'awaiting a decision' },
  escalated: { ru: 'передана в орган управления образованием', en: 'passed to the education authority' },
  approved: { ru: 'одобрена', en: 'approved' },
  rejected: { ru: 'отклонена', en: 'rejected' },
  // parent confirmation
  'waiting-parent': { ru: 'ждёт родителя', en: 'waiting for a parent' },
  confirmed: { ru: 'подтверждено', en: 'confirmed' },
  unconfirmed: { ru: 'не подтверждено', en: 'not confirmed' },
  restricted: { ru: 'ограничено', en: 'restricted' },
  // signup
  code: { ru: 'ввод кода', en: 'entering the code' },
  password: { ru: 'ввод пароля', en: 'entering the password' },
  'reset-code': { ru: 'код для сброса пароля', en: 'password reset code' },
  'new-password': { ru: 'новый пароль', en: 'new password' },
  profile: { ru: 'заполнение профиля', en: 'filling in the profile' },
  done: { ru: 'завершено', en: 'done' },
  abandoned: { ru: 'брошено', en: 'abandoned' },
  // journal linking
  'waiting-proof': { ru: 'ждёт входа в журнал', en: 'waiting for the journal sign-in' },
  'joining-chats': { ru: 'добавление в чаты', en: 'joining the chats' },
  linked: { ru: 'привязан', en: 'linked' },
  'join-deferred': { ru: 'привязан, в чаты добавит ночная сверка', en: 'linked; the nightly run will add the chats' },
  unlinked: { ru: 'отвязан', en: 'unlinked' },
  // reconciliation
  'waiting-for-run': { ru: 'ждёт окончания другого запуска', en: 'waiting for another run to finish' },
  reading: { ru: 'чтение журнала', en: 'reading the journal' },
  running: { ru: 'идёт', en: 'running' },
  'awaiting-confirmation': { ru: 'ждёт подтверждения оператора', en: 'awaiting the operator\'s confirmation' },
  applying: { ru: 'применение изменений', en: 'applying the changes' },
  discarding: { ru: 'отмена изменений', en: 'discarding the changes' },
  applied: { ru: 'изменения применены', en: 'changes applied' },
  planned: { ru: 'план составлен (пробный запуск)', en: 'planned (dry run)' },
  discarded: { ru: 'изменения отменены', en: 'changes discarded' },
  failed: { ru: 'ошибка', en: 'failed' },
};

/** Whom a journey waits on (HubWaitingOn): a short label for lists and a phrase for "Waiting on …". */
export const WAITING_ON_TITLES: Record<HubWaitingOnValue, { short: Label; long: Label }> = {
  invitee: {
    short: { ru: 'приглашённый', en: 'the invitee' },
    long: { ru: 'приглашённого: он ещё не перешёл по ссылке', en: 'the invitee: they have not followed the link yet' },
  },
  approver: {
    short: { ru: 'администратор или классный руководитель', en: 'a school admin or class teacher' },
    long: {
      ru: 'администратора школы или классного руководителя: заявка не рассмотрена',
      en: 'a school admin or the class teacher: the application is not reviewed yet',
    },
  },
  authority: {
    short: { ru: 'орган управления образованием', en: 'the education authority' },
    long: { ru: 'органа управления образованием: заявка передана туда', en: 'the education authority: the application was passed to it' },
  },
  parent: {
    short: { ru: 'родитель', en: 'a parent' },
    long: { ru: 'родителя: согласие ещё не дано', en: 'a parent: consent is not given yet' },
  },
  person: {
    short: { ru: 'сам человек', en: 'the person' },
    long: { ru: 'самого человека: он не завершил шаг', en: 'the person: they have not finished the step' },
  },
  operator: {
    short: { ru: 'оператор', en: 'the operator' },
    long: { ru: 'оператора: нужно подтвердить или отменить изменения', en: 'the operator: the changes must be confirmed or discarded' },
  },
  'other-run': {
    short: { ru: 'другой запуск', en: 'another run' },
    long: {
      ru: 'окончания другого запуска синхронизации этого подключения: два запуска не меняют чаты одновременно',
      en: 'another sync run of this connection to finish: two runs never change chats at once',
    },
  },
};

const UPDATE_TITLES: Record<string, string> = {
  revokeInvite: 'Приглашение отозвано',
  declineInvite: 'Приглашённый отклонил приглашение',
  acceptInvite: 'Приглашённый принял приглашение',
  extendInvite: 'Срок приглашения продлён',
  approveApplication: 'Заявка одобрена',
  rejectApplication: 'Заявка отклонена',
  remindApprovers: 'Рассматривающим отправлено напоминание',
  cancelApplication: 'Заявка закрыта поддержкой',
  acceptAsParent: 'Родитель дал согласие',
  'signup.requestCode': 'Запрошен код',
  'signup.resendCode': 'Код отправлен повторно',
  'signup.supportResendCode': 'Код отправлен повторно по просьбе поддержки',
  'signup.submitCode': 'Введён код',
  'signup.passwordChecked': 'Проверен пароль',
  'signup.forgotPassword': '«Забыли пароль»',
  'signup.newPassword': 'Задан новый пароль',
  'signup.notMe': '«Это не я»',
  'signup.submitProfile': 'Заполнен профиль',
};

const ACTIVITY_TITLES: Record<string, string> = {
  issueSignupCode: 'Отправлен одноразовый код',
  lookupSignupAccount: 'Проверено, есть ли учётная запись',
  notify: 'Отправлено уведомление',
  recordInviteStatus: 'Статус приглашения записан',
  recordInviteExpiry: 'Новый срок приглашения записан',
  approveApplication: 'Решение по заявке записано',
  closeApplication: 'Заявка закрыта',
  escalateApplication: 'Заявка передана в орган управления образованием',
  confirmGuardian: 'Согласие родителя записано',
  setAccountRestricted: 'Ограничение учётной записи изменено',
};

export const AUDIT_TITLES: Record<string, string> = {
  'invite.created': 'Приглашение создано',
  'invite.revoked': 'Приглашение отозвано',
  'invite.declined': 'Приглашение отклонено',
  'invite.accepted': 'Приглашение принято',
  'invite.expired': 'Срок приглашения истёк',
  'invite.extended': 'Срок приглашения продлён',
  'application.created': 'Заявка подана',
  'application.approved': 'Заявка одобрена',
  'application.rejected': 'Заявка отклонена',
  'application.expired': 'Срок заявки истёк',
  'support.resend-code': 'Поддержка: код отправлен повторно',
  'support.remind-approvers': 'Поддержка: напоминание рассматривающим',
  'support.extend-invite': 'Поддержка: продление приглашения',
  'support.cancel': 'Поддержка: отмена',
  'support.reveal': 'Поддержка: просмотр персональных данных',
  'journal.linked': 'Аккаунт электронного журнала привязан',
  'journal.unlinked': 'Аккаунт электронного журнала отвязан',
};

export const ACTION_TITLES = {
  'resend-code': 'Отправить код повторно',
  'remind-approvers': 'Напомнить рассматривающим',
  'extend-invite': 'Продлить приглашение',
  cancel: 'Отменить',
} as const;

const known = <T extends object>(table: T, key: string): T[keyof T] | undefined =>
  Object.hasOwn(table, key) ? table[key as keyof T] : undefined;

export const updateTitle = (name: string): string => UPDATE_TITLES[name] ?? `Обновление: ${name}`;
export const activityTitle = (name: string): string => ACTIVITY_TITLES[name] ?? `Действие: ${name}`;
export const journeyTitle = (journey: string, lang: Lang = 'ru'): string => known(JOURNEY_TITLES, journey)?.[lang] ?? journey;
export const stageTitle = (stage: string | null, lang: Lang = 'ru'): string => (stage ? (known(STAGE_TITLES, stage)?.[lang] ?? stage) : '—');
/** Short label of whom a journey waits on (lists). */
export const waitingOnLabel = (w: string | null, lang: Lang = 'ru'): string => (w ? (known(WAITING_ON_TITLES, w)?.short[lang] ?? w) : '—');
/** The sentence the journey's detail shows. */
export function waitingOnText(w: string | null, running: boolean, lang: Lang = 'ru'): string {
  if (!running) return lang === 'en' ? 'The process has ended and waits on nobody' : 'Процесс завершён и ничего не ждёт';
  if (!w) return lang === 'en' ? 'Waiting on nobody: the process is not waiting' : 'Ждёт ни от кого: процесс не ждёт';
  const phrase = known(WAITING_ON_TITLES, w)?.long[lang] ?? w;
  return lang === 'en' ? `Waiting on ${phrase}` : `Ждёт ${phrase}`;
}
export const auditTitle = (action: string): string => AUDIT_TITLES[action] ?? action;
