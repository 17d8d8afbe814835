// Refusals of the signup journey (R-A1..R-A6), Russian first. Kept apart so journeys merge cleanly.
type Params = Record<string, string | number>;

/** 125 → "2:05": the same shape as the front end's resend countdown. */
const clock = (seconds: string | number | undefined): string => {
  const total = Math.max(0, Math.ceil(Number(seconds ?? 0)));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
};
const minutes = (seconds: string | number | undefined): number => Math.max(1, Math.ceil(Number(seconds ?? 0) / 60));

export const signupMessages = {
  'invalid-phone': {
    ru: () => 'Номер телефона указан неверно. Проверьте номер и код страны.',
    en: () => 'The phone number is not valid. Check the number and the country code.',
  },
  'email-not-allowed': {
    ru: () =>
      'Регистрация по электронной почте доступна только ученикам 1–4 классов по ссылке-приглашению от школы. Зарегистрируйтесь по номеру телефона.',
    en: () =>
      'Signing up with an e-mail address is only for students of grades 1–4 who follow an invite link from their school. Please sign up with a phone number.',
  },
  'channel-not-allowed': {
    ru: () => 'Так код не отправить: на телефон код приходит в SMS или звонком, на почту — письмом.',
    en: () => 'The code cannot be sent that way: a phone gets it by SMS or a call, an e-mail address by e-mail.',
  },
  'signup-not-found': {
    ru: () => 'Регистрация не найдена. Начните заново.',
    en: () => 'Signup not found. Please start again.',
  },
  'signup-closed': {
    ru: () => 'Эта регистрация уже завершена или прервана. Начните заново.',
    en: () => 'This signup has already ended. Please start again.',
  },
  'wrong-stage': {
    ru: () => 'Этот шаг сейчас недоступен. Обновите страницу и продолжите с текущего шага.',
    en: () => 'This step is not available now. Reload the page and continue from the current step.',
  },
  'wrong-code': {
    ru: (p: Params) => `Неверный код. Осталось попыток: ${p.attemptsLeft}.`,
    en: (p: Params) => `Wrong code. Tries left: ${p.attemptsLeft}.`,
  },
  'code-expired': {
    ru: () => 'Код больше не действует: истёк срок или код уже использован. Запросите новый код.',
    en: () => 'This code no longer works: it expired or was already used. Ask for a new code.',
  },
  'code-locked': {
    ru: (p: Params) =>
      Number(p.retryAfterSeconds) > 0
        ? `Слишком много неверных попыток: код заблокирован. Новый код можно запросить через ${clock(p.retryAfterSeconds)}.`
        : 'Слишком много неверных попыток: код заблокирован. Запросите новый код.',
    en: (p: Params) =>
      Number(p.retryAfterSeconds) > 0
        ? `Too many wrong tries: the code is locked. You can ask for a new one in ${clock(p.retryAfterSeconds)}.`
        : 'Too many wrong tries: the code is locked. Ask for a new code.',
  },
  'resend-too-early': {
    ru: (p: Params) => `Новый код можно запросить через ${clock(p.retryAfterSeconds)}.`,
    en: (p: Params) => `You can ask for a new code in ${clock(p.retryAfterSeconds)}.`,
  },
  'too-many-codes': {
    ru: (p: Params) => `Слишком много запросов кода. Попробуйте снова через ${minutes(p.retryAfterSeconds)} мин.`,
    en: (p: Params) => `Too many codes requested. Try again in ${minutes(p.retryAfterSeconds)} min.`,
  },
  'wrong-password': {
    ru: (p: Params) => `Неверный пароль. Осталось попыток: ${p.attemptsLeft}.`,
    en: (p: Params) => `Wrong password. Tries left: ${p.attemptsLeft}.`,
  },
  'password-locked': {
    ru: () => 'Слишком много неверных попыток ввода пароля. Нажмите «Забыли пароль?», чтобы задать новый.',
    en: () => 'Too many wrong passwords. Use "Forgot password?" to set a new one.',
  },
  'weak-password': {
    ru: (p: Params) => `Пароль должен содержать от ${p.min} до ${p.max} символов.`,
    en: (p: Params) => `The password must be ${p.min} to ${p.max} characters long.`,
  },
  'profile-invalid': {
    ru: () => 'Проверьте данные профиля: имя, фамилия, пол и дата рождения обязательны.',
    en: () => 'Check the profile: first name, surname, gender and birth date are required.',
  },
  'code-delivery-failed': {
    ru: (p: Params) => `Не удалось отправить код. Попробуйте ещё раз через ${p.retryAfterSeconds} с.`,
    en: (p: Params) => `The code could not be sent. Please try again in ${p.retryAfterSeconds} s.`,
  },
  'code-recipient-rejected': {
    ru: () => 'Не удалось отправить код на этот номер или адрес: получатель не принимает сообщения. Проверьте его или выберите другой способ.',
    en: () => 'The code could not be sent to this number or address: it does not accept messages. Check it or choose another way.',
  },
  'code-channel-unavailable': {
    ru: () => 'Сейчас код не отправить этим способом. Выберите SMS.',
    en: () => 'The code cannot be sent this way now. Please choose SMS.',
  },
  'try-again-later': {
    ru: (p: Params) => `Сервис временно недоступен, этот шаг не выполнен. Повторите его через ${p.retryAfterSeconds} с.`,
    en: (p: Params) => `The service is temporarily unavailable and this step was not done. Repeat it in ${p.retryAfterSeconds} s.`,
  },
};
