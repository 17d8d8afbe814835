// How support reads a journey: Russian words for stages, waiting parties, workflow events and audit
// actions. Unknown codes fall through as the code itself, so a new stage is never hidden.

export const JOURNEY_TITLES: Record<string, string> = {
  signup: 'Регистрация по телефону',
  invite: 'Приглашение по ссылке',
  application: 'Заявка в организацию',
  guardians: 'Подтверждение родителем',
};

export const STAGE_TITLES: Record<string, string> = {
  active: 'ссылка действует',
  pending: 'ждёт решения',
  escalated: 'передана в орган управления образованием',
  'waiting-parent': 'ждёт родителя',
  code: 'ввод кода',
  password: 'ввод пароля',
  'reset-code': 'код для сброса пароля',
  'new-password': 'новый пароль',
  profile: 'заполнение профиля',
  done: 'завершено',
  abandoned: 'брошено',
  approved: 'одобрена',
  rejected: 'отклонена',
  expired: 'срок истёк',
  revoked: 'отозвано',
  declined: 'отклонено',
  accepted: 'принято',
  confirmed: 'подтверждено',
  unconfirmed: 'не подтверждено',
  restricted: 'ограничено',
};

export const WAITING_ON_TITLES: Record<string, string> = {
  invitee: 'приглашённого: он ещё не перешёл по ссылке',
  approver: 'администратора школы или классного руководителя: заявка не рассмотрена',
  authority: 'органа управления образованием: заявка передана туда',
  parent: 'родителя: согласие ещё не дано',
  person: 'самого человека: он не завершил шаг',
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
  'signup.submitCode': 'Введён код',
  'signup.passwordChecked': 'Проверен пароль',
  'signup.forgotPassword': '«Забыли пароль»',
  'signup.newPassword': 'Задан новый пароль',
  'signup.notMe': '«Это не я»',
  'signup.submitProfile': 'Заполнен профиль',
};

const ACTIVITY_TITLES: Record<string, string> = {
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
};

export const ACTION_TITLES = {
  'resend-code': 'Отправить код повторно',
  'remind-approvers': 'Напомнить рассматривающим',
  'extend-invite': 'Продлить приглашение',
  cancel: 'Отменить',
} as const;

export const updateTitle = (name: string): string => UPDATE_TITLES[name] ?? `Обновление: ${name}`;
export const activityTitle = (name: string): string => ACTIVITY_TITLES[name] ?? `Действие: ${name}`;
export const stageTitle = (stage: string | null): string => (stage ? (STAGE_TITLES[stage] ?? stage) : '—');
export const waitingOnTitle = (w: string | null): string => (w ? (WAITING_ON_TITLES[w] ?? w) : 'ни от кого: процесс не ждёт');
export const auditTitle = (action: string): string => AUDIT_TITLES[action] ?? action;
