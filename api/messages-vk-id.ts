// The messenger account ("Sign in with VK ID", R-M1, R-A5): refusals and answers, Russian first.
// Kept apart so journeys merge cleanly.
type Params = Record<string, string | number>;

export const vkIdMessages = {
  'vk-id-not-configured': {
    ru: () => 'Вход через VK ID сейчас недоступен: сервис не настроен. Обратитесь в поддержку.',
    en: () => 'Sign in with VK ID is not available: the service is not configured. Contact support.',
  },
  'vk-id-state-invalid': {
    ru: () => 'Эта ссылка входа через VK ID недействительна или уже использована. Начните привязку заново.',
    en: () => 'This VK ID sign-in link is invalid or already used. Start binding again.',
  },
  'vk-id-state-expired': {
    ru: () => 'Время на вход через VK ID истекло. Начните привязку заново.',
    en: () => 'The time for signing in with VK ID ran out. Start binding again.',
  },
  'vk-id-denied': {
    ru: () => 'Вход через VK ID не завершён: доступ не разрешён. Аккаунт мессенджера не привязан.',
    en: () => 'Sign in with VK ID was not completed: access was not granted. No messenger account was bound.',
  },
  'vk-id-code-invalid': {
    ru: () => 'VK ID не подтвердил вход (код недействителен или истёк). Начните привязку заново.',
    en: () => 'VK ID did not confirm the sign-in (the code is invalid or expired). Start binding again.',
  },
  'vk-id-unavailable': {
    ru: (p: Params) => `VK ID сейчас не отвечает. Начните привязку заново через ${p.seconds} с.`,
    en: (p: Params) => `VK ID does not answer right now. Start binding again in ${p.seconds} s.`,
  },
  'vk-id-account-bound-elsewhere': {
    ru: () => 'Этот аккаунт VK ID уже привязан к другому профилю. Войдите в VK ID под своим аккаунтом или обратитесь в поддержку.',
    en: () => 'This VK ID account is already bound to another profile. Sign in with your own VK ID account or contact support.',
  },
  'vk-id-phone-mismatch': {
    ru: () => 'Номер телефона в VK ID отличается от номера вашего профиля. Войдите в VK ID с тем же номером, который вы подтвердили при регистрации.',
    en: () => "The phone number in VK ID differs from your profile's. Sign in to VK ID with the number you confirmed at signup.",
  },
  'messenger-account-not-bound': {
    ru: () => 'Аккаунт мессенджера не привязан: ничего не изменилось.',
    en: () => 'No messenger account is bound: nothing has changed.',
  },
  'messenger-account-bound': {
    ru: () => 'Аккаунт мессенджера (VK ID) привязан к профилю.',
    en: () => 'The messenger account (VK ID) is bound to your profile.',
  },
  'messenger-account-rebound': {
    ru: () => 'Аккаунт мессенджера заменён. Чаты перейдут на новый аккаунт при ближайшей сверке с журналом.',
    en: () => 'The messenger account was replaced. Chats move to the new account at the next journal sync.',
  },
  'messenger-account-unbound': {
    ru: () => 'Аккаунт мессенджера отвязан. При ближайшей сверке он будет исключён из чатов; чтобы вернуться, снова войдите через VK ID.',
    en: () => 'The messenger account was unbound. The next sync takes it out of the chats; sign in with VK ID again to come back.',
  },
};
