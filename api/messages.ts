// Text shown to people: Russian by default, English on request. Problem `type` codes stay language-neutral.
import { signupMessages } from './messages-signup.js';
export type Lang = 'ru' | 'en';
type Params = Record<string, string | number>;
type Text = (p: Params) => string;

const catalog = {
  'validation-failed': {
    ru: () => 'Запрос заполнен неверно: проверьте отмеченные поля.',
    en: () => 'The request is invalid: check the listed fields.',
  },
  'malformed-json': {
    ru: () => 'Тело запроса не является корректным JSON.',
    en: () => 'The request body is not valid JSON.',
  },
  'unsupported-media-type': {
    ru: () => 'Ожидается тело в формате application/json.',
    en: () => 'The request body must be application/json.',
  },
  'payload-too-large': {
    ru: () => 'Тело запроса слишком велико.',
    en: () => 'The request body is too large.',
  },
  'not-found': {
    ru: () => 'Такого адреса нет.',
    en: () => 'No such resource.',
  },
  unauthenticated: {
    ru: () => 'Нужен вход: передайте действующий токен доступа (Authorization: Bearer …).',
    en: () => 'Sign-in required: send a valid access token (Authorization: Bearer …).',
  },
  forbidden: {
    ru: () => 'Недостаточно прав для этого действия.',
    en: () => 'You are not allowed to do this.',
  },
  'not-ready': {
    ru: (p) => `Сервис пока не готов: не отвечает ${p.failed}.`,
    en: (p) => `The service is not ready: ${p.failed} does not answer.`,
  },
  'database-unavailable': {
    ru: (p) => `База данных временно недоступна. Повторите запрос через ${p.seconds} с.`,
    en: (p) => `The database is temporarily unavailable. Retry in ${p.seconds} s.`,
  },
  'workflow-engine-unavailable': {
    ru: (p) => `Сервис процессов (Temporal) временно недоступен. Повторите запрос через ${p.seconds} с.`,
    en: (p) => `The workflow engine (Temporal) is temporarily unavailable. Retry in ${p.seconds} s.`,
  },
  internal: {
    ru: () => 'Внутренняя ошибка. Повторите попытку позже.',
    en: () => 'Internal error. Please try again later.',
  },
  'school-not-found': {
    ru: () => 'Школа не найдена.',
    en: () => 'School not found.',
  },
  'class-not-found': {
    ru: () => 'Класс не найден в этой школе.',
    en: () => 'Class not found in this school.',
  },
  'class-required': {
    ru: () => 'Для приглашения ученика нужно указать класс.',
    en: () => 'An invite for a student must name a class.',
  },
  'invite-validity-too-long': {
    ru: (p) => `Срок действия приглашения — от 1 до ${p.maxDays} дней.`,
    en: (p) => `An invite is valid for 1 to ${p.maxDays} days.`,
  },
  'invite-not-found': {
    ru: () => 'Приглашение не найдено. Проверьте ссылку или попросите новую у администратора школы.',
    en: () => 'Invite not found. Check the link or ask the school administrator for a new one.',
  },
  'invite-expired': {
    ru: (p) =>
      `Срок действия приглашения истёк ${p.expiredAt}. Попросите у администратора школы или классного руководителя новую ссылку.`,
    en: (p) => `This invite expired on ${p.expiredAt}. Ask the school administrator or class teacher for a new link.`,
  },
  'invite-revoked': {
    ru: () => 'Приглашение отозвано администратором. Попросите новую ссылку у администратора школы или классного руководителя.',
    en: () => 'This invite was revoked. Ask the school administrator or class teacher for a new link.',
  },
  'invite-declined': {
    ru: () => 'Вы уже отклонили это приглашение. Если передумали, попросите новую ссылку.',
    en: () => 'You already declined this invite. If you changed your mind, ask for a new link.',
  },
  'invite-accepted': {
    ru: () => 'По этому приглашению уже подана заявка.',
    en: () => 'This invite has already been used to apply.',
  },
  'person-not-found': {
    ru: () => 'Сначала завершите регистрацию: профиль не найден.',
    en: () => 'Finish signing up first: no profile was found.',
  },
  'application-sent': {
    ru: () => 'Заявка отправлена — администрация организации её рассмотрит.',
    en: () => "Application sent — the organisation's administration will review it.",
  },
  'application-approved': {
    ru: () => 'Заявка одобрена: вы в школе.',
    en: () => 'Application approved: you have joined the school.',
  },
  'application-rejected': {
    ru: () => 'Заявка отклонена администрацией организации.',
    en: () => "The organisation's administration rejected the application.",
  },
  'application-expired': {
    ru: () => 'Заявку не рассмотрели вовремя, срок её действия истёк. Отправьте новую или обратитесь в школу.',
    en: () => 'The application was not reviewed in time and has expired. Send a new one or contact the school.',
  },
  'application-not-found': {
    ru: () => 'Заявка не найдена.',
    en: () => 'Application not found.',
  },
  'application-exists': {
    ru: () => 'Заявка в эту организацию уже отправлена и ждёт решения.',
    en: () => 'An application to this organisation has already been sent and awaits a decision.',
  },
  'application-closed': {
    ru: (p) => `По заявке уже принято решение (${p.status}).`,
    en: (p) => `This application has already been decided (${p.status}).`,
  },
  'already-member': {
    ru: () => 'Вы уже состоите в этой организации в этой роли.',
    en: () => 'You already belong to this organisation in this role.',
  },
  'not-allowed-to-approve': {
    ru: () => 'Рассмотреть заявку может только администратор организации или классный руководитель этого класса.',
    en: () => 'Only an administrator of the organisation or the class teacher of this class may decide this application.',
  },
  'school-request-sent': {
    ru: () => 'Запрос отправлен в орган управления образованием: организацию добавят, и вы сможете подать заявку.',
    en: () => 'Request sent to the education authority: once the organisation is added you can apply.',
  },
  'not-a-student': {
    ru: () => 'Ссылка для родителя появится после того, как школа примет вас учеником.',
    en: () => 'The parent link becomes available once a school has accepted you as a student.',
  },
  'parent-confirmation-not-needed': {
    ru: () => 'Совершеннолетним подтверждение родителя не требуется.',
    en: () => 'Adults need no parent confirmation.',
  },
  'parent-link-not-found': {
    ru: () => 'Ссылка для родителя не найдена или заменена новой. Попросите ребёнка прислать ссылку ещё раз.',
    en: () => 'Parent link not found or replaced by a newer one. Ask the child to send the link again.',
  },
  'own-parent-link': {
    ru: () => 'Это ваша собственная ссылка для родителя. Отправьте её маме, папе или другому законному представителю.',
    en: () => 'This is your own parent link. Send it to your mother, father or another legal representative.',
  },
  'same-phone-as-child': {
    ru: () => 'Родитель входит со своим номером телефона: он должен отличаться от номера ребёнка.',
    en: () => "A parent signs in with their own phone number, which must differ from the child's.",
  },
  'parent-phone-required': {
    ru: () => 'Чтобы подтвердить ребёнка, войдите по своему номеру телефона.',
    en: () => 'Sign in with your own phone number to confirm a child.',
  },
  'third-parent': {
    ru: (p) => `У ребёнка уже подтверждены ${p.max} родителя — больше добавить нельзя.`,
    en: (p) => `The child already has ${p.max} confirmed parents; no more can be added.`,
  },
  'consent-version-mismatch': {
    ru: () => 'Текст согласия изменился. Прочитайте новую редакцию и подтвердите ещё раз.',
    en: () => 'The consent text has changed. Read the new version and confirm again.',
  },
  'guardians-closed': {
    ru: () => 'Ссылка больше не принимает родителей. Попросите ребёнка прислать новую.',
    en: () => 'This link no longer accepts parents. Ask the child for a new one.',
  },
  'guardian-confirmed': {
    ru: () => 'Спасибо! Вы подтвердили, что являетесь законным представителем ребёнка.',
    en: () => "Thank you! You have confirmed that you are the child's legal representative.",
  },
  ...signupMessages,
  // ---- surfaces: rate limits, support, authority ----
  'rate-limited': {
    ru: (p) => `Слишком много попыток. Повторите через ${p.seconds} с.`,
    en: (p) => `Too many attempts. Try again in ${p.seconds} s.`,
  },
  'registration-not-found': {
    ru: () => 'Такого процесса регистрации нет.',
    en: () => 'No such registration journey.',
  },
  'support-action-not-available': {
    ru: (p) => `Действие «${p.action}» сейчас недоступно: процесс на этапе «${p.stage}».`,
    en: (p) => `The action "${p.action}" is not available now: the journey is at stage "${p.stage}".`,
  },
  'invite-extension-invalid': {
    ru: (p) => `Новый срок должен быть позже текущего и не дальше ${p.maxDays} дней от сегодняшнего дня.`,
    en: (p) => `The new expiry must be later than the current one and at most ${p.maxDays} days from today.`,
  },
  'connection-not-found': {
    ru: () => 'Подключение журнала не найдено.',
    en: () => 'Journal connection not found.',
  },
  'connection-not-file-based': {
    ru: (p) => `Выгрузку можно загрузить только для подключения из файлов (OneRoster CSV, ЭПОС, ЭШ), а это подключение — ${p.kind}.`,
    en: (p) => `An export can only be uploaded for a file-based connection (OneRoster CSV, EPOS, ESH); this one is ${p.kind}.`,
  },
  'export-wrong-type': {
    ru: (p) => `Такой формат выгрузки не принимается. Подходят: ${p.accepted}.`,
    en: (p) => `This export format is not accepted. Accepted: ${p.accepted}.`,
  },
  'export-too-large': {
    ru: (p) => `Файл выгрузки больше допустимых ${p.maxMb} МБ.`,
    en: (p) => `The export is larger than the allowed ${p.maxMb} MB.`,
  },
  'export-invalid': {
    ru: (p) => `Выгрузка не принята, ничего не сохранено: ${p.reasonRu}`,
    en: (p) => `The export was not accepted and nothing was stored: ${p.reasonEn}`,
  },
  'connection-nothing-to-read': {
    ru: () => 'Подключению нечего читать: выгрузка ещё не загружена и путь к ней не указан. Загрузите выгрузку (POST /v1/connections/{id}/export), затем запустите синхронизацию.',
    en: () => 'The connection has nothing to read: no export has been uploaded and no path is set. Upload an export (POST /v1/connections/{id}/export), then start the sync.',
  },
  'connection-disabled': {
    ru: () => 'Подключение выключено: включите его, чтобы запустить синхронизацию.',
    en: () => 'The connection is disabled: enable it to run a sync.',
  },
  'sync-already-running': {
    ru: (p) =>
      `Синхронизация этого подключения уже идёт (${p.kind === 'nightly' ? 'ночной запуск' : 'запуск по запросу'}, начат ${p.startedAt}): дождитесь её окончания. Пробный запуск (dryRun) можно сделать и сейчас.`,
    en: (p) =>
      `A sync of this connection is already running (${p.kind === 'nightly' ? 'the nightly run' : 'a run on demand'}, started ${p.startedAt}): wait for it to finish. A dry run can be made now.`,
  },
  'sync-run-not-found': {
    ru: () => 'Запуск синхронизации не найден.',
    en: () => 'Sync run not found.',
  },
  'run-not-awaiting-confirmation': {
    ru: (p) => `Запуск не ждёт подтверждения (состояние: ${p.status}).`,
    en: (p) => `The run is not awaiting confirmation (status: ${p.status}).`,
  },
  // ---- journal linking (R-L1..R-L4) ----
  'journal-linked': {
    ru: (p) => `Аккаунт электронного журнала привязан. Добавлено в чаты: ${p.joined}.`,
    en: (p) => `The e-journal account is linked. Chats joined: ${p.joined}.`,
  },
  'journal-linked-joining': {
    ru: () => 'Аккаунт электронного журнала привязан. Добавление в чаты продолжается, это займёт немного времени — ничего делать не нужно.',
    en: () => 'The e-journal account is linked. Joining the chats is still going on and will finish shortly; nothing to do.',
  },
  'journal-linked-join-deferred': {
    ru: (p) => `Аккаунт электронного журнала привязан. Добавлено в чаты: ${p.joined}; в остальные вас добавит сверка с журналом, когда чат станет доступен.`,
    en: (p) => `The e-journal account is linked. Chats joined: ${p.joined}; a run with the journal will add you to the others once they are reachable.`,
  },
  'journal-unlinked': {
    ru: () => 'Аккаунт электронного журнала отвязан: участие в чатах, которое давала эта привязка, снято. Чаты, куда добавили вручную, не затронуты.',
    en: () => 'The e-journal account is unlinked: the chat memberships this link gave have been removed. Chats joined by hand are untouched.',
  },
  'student-identity-mismatch': {
    ru: () =>
      'Не удалось подтвердить, что это учётная запись самого ученика: дата рождения не совпадает с данными журнала. Ученик входит через свою учётную запись Госуслуг, а не через родительскую.',
    en: () =>
      "Could not confirm that this is the student's own account: the birth date does not match the journal. A student signs in with their own Gosuslugi account, not a parent's.",
  },
  'parent-identity-for-student': {
    ru: () => 'Родитель не может привязать учётную запись ученика: ученик должен войти через свою собственную учётную запись Госуслуг.',
    en: () => "A parent cannot link a student's journal account: the student must sign in with their own Gosuslugi account.",
  },
  'journal-person-unknown': {
    ru: () => 'В данных электронного журнала такой учётной записи нет (или она ещё не загружена). Проверьте данные или попробуйте после ночной синхронизации.',
    en: () => 'The e-journal has no such account (or it has not been loaded yet). Check the details or try again after the nightly sync.',
  },
  'journal-person-without-role': {
    ru: () => 'Электронный журнал знает эту учётную запись, но без роли: она не зачислена ни в один класс, не числится сотрудником и не указана родителем зачисленного ученика. Попросите школу исправить данные в журнале.',
    en: () => 'The e-journal lists this account, but without a role: it is not enrolled in any class, not employed, and not named as the parent of an enrolled student. Ask the school to correct the journal.',
  },
  'no-messenger-account': {
    ru: () => 'Сначала зарегистрируйтесь в мессенджере, затем привяжите аккаунт электронного журнала.',
    en: () => 'Sign up in the messenger first, then link the e-journal account.',
  },
  'journal-identity-linked-elsewhere': {
    ru: () => 'Эта учётная запись электронного журнала уже привязана к другому человеку. Если это ошибка, обратитесь в поддержку.',
    en: () => 'This e-journal account is already linked to another person. If this is a mistake, contact support.',
  },
  'support-person-not-found': {
    ru: () => 'Человек с таким идентификатором не найден.',
    en: () => 'No person with this id.',
  },
  'journal-identity-not-linked': {
    ru: () => 'Такой привязки аккаунта электронного журнала нет: ничего не изменилось.',
    en: () => 'There is no such e-journal account link: nothing has changed.',
  },
  'run-warning-unknown-class': {
    ru: (p) => `Журнал ссылается на класс, которого в нём нет (${p.ref}): эти записи пропущены.`,
    en: (p) => `The journal refers to a class it does not list (${p.ref}): those records were skipped.`,
  },
  'run-warning-unknown-subject': {
    ru: (p) => `Журнал ссылается на предмет, которого в нём нет (${p.ref}): эти записи пропущены.`,
    en: (p) => `The journal refers to a subject it does not list (${p.ref}): those records were skipped.`,
  },
  'run-warning-failed': {
    ru: (p) => `Школа не синхронизирована: ${p.reason}`,
    en: (p) => `The school was not synchronised: ${p.reason}`,
  },
  'run-chat-forbidden': {
    ru: (p) => `Чат «${p.title}»: у бота нет прав администратора, изменения не применены (${p.errors}). Верните боту права — следующая сверка применит их.`,
    en: (p) => `Chat "${p.title}": the bot is not an admin, changes not applied (${p.errors}). Give the bot its rights back and the next run applies them.`,
  },
  'run-chat-not-found': {
    ru: (p) => `Чат «${p.title}» удалён в мессенджере; следующая сверка создаст его заново.`,
    en: (p) => `Chat "${p.title}" was deleted in the messenger; the next run creates it again.`,
  },
  'run-chat-error': {
    ru: (p) => `Чат «${p.title}»: мессенджер отказал, изменения не применены (${p.errors}).`,
    en: (p) => `Chat "${p.title}": the messenger refused, changes not applied (${p.errors}).`,
  },
  'run-warning-chat-created-again': {
    ru: (p) => `Чат «${p.title}» создан повторно: прежняя попытка могла создать его в мессенджере — проверьте, нет ли дубликата.`,
    en: (p) => `Chat "${p.title}" was created again: an earlier attempt may have created it in the messenger; check for a duplicate.`,
  },
} satisfies Record<string, Record<Lang, Text>>;

export type MessageCode = keyof typeof catalog;

export function message(code: MessageCode, lang: Lang, params: Params = {}): string {
  const entry: Record<Lang, Text> = catalog[code];
  return entry[lang](params);
}

/** Picks the language from Accept-Language; anything but English gets the default. */
export function pickLang(acceptLanguage: string | undefined, fallback: Lang): Lang {
  if (!acceptLanguage) return fallback;
  const first = acceptLanguage.split(',')[0]?.trim().toLowerCase() ?? '';
  if (first.startsWith('en')) return 'en';
  if (first.startsWith('ru')) return 'ru';
  return fallback;
}

/** A time as people of the school read it: in the school's own zone. */
export function formatLocalTime(at: Date, timeZone: string, lang: Lang): string {
  const text = new Intl.DateTimeFormat(lang === 'ru' ? 'ru-RU' : 'en-GB', {
    timeZone,
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  }).format(at);
  return text;
}
