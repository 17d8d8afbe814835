// Refusals of staff sign-in (issue 17, docs/staff-sign-in.md): a token the provider signed but whose
// claims the hub's mapping does not know. Kept apart so features merge cleanly.
type Params = Record<string, string | number>;

export const staffMessages = {
  'sign-in-provider-unavailable': {
    ru: (p: Params) => `Служба единого входа не отвечает, токен нельзя проверить. Повторите через ${p.seconds} с.`,
    en: (p: Params) => `The sign-in provider does not answer, so the token cannot be checked. Retry in ${p.seconds} s.`,
  },
  'staff-role-unknown': {
    ru: () => 'Вход выполнен, но роль учётной записи не сопоставлена ни с одной ролью хаба. Обратитесь к администратору единого входа региона.',
    en: () => 'You are signed in, but your account has no role the hub knows. Ask your region’s sign-in administrator.',
  },
  'staff-region-unknown': {
    ru: () => 'Вход выполнен, но регион учётной записи не указан или неизвестен хабу. Обратитесь к администратору единого входа региона.',
    en: () => 'You are signed in, but your account’s region is missing or unknown to the hub. Ask your region’s sign-in administrator.',
  },
  'staff-schools-unknown': {
    ru: () => 'Вход выполнен, но школы или классы учётной записи указаны в неизвестном хабу виде. Обратитесь к администратору единого входа региона.',
    en: () => 'You are signed in, but your account’s schools or classes are not in a form the hub knows. Ask your region’s sign-in administrator.',
  },
};
