// The words of every notice the hub sends (issue 14 item 2), Russian first, English available.
// Each kind the code inserts into `notifications` has an entry; test/unit/notice-texts.test.ts checks
// that against the sources. `sms` is the short form (one Cyrillic SMS where it can be).
export type Lang = 'ru' | 'en';

/** What the dispatcher looked up for a notice: names, never contact details of third parties. */
export interface NoticeContext {
  schoolName: string | null;
  settlement: string | null;
  className: string | null;
  applicantName: string | null;
  reason: string | null;
  requestSchoolName: string | null;
  requestSettlement: string | null;
  /** Where the person reads more (PUBLIC_BASE_URL). */
  baseUrl: string;
}

export interface NoticeText {
  subject: string;
  text: string;
  sms: string;
}

type Builder = (c: NoticeContext) => NoticeText;

const school = (c: NoticeContext, lang: Lang) =>
  c.schoolName ?? (lang === 'ru' ? 'школу' : 'the school');
const inClass = (c: NoticeContext, lang: Lang) => (c.className ? (lang === 'ru' ? `, класс ${c.className}` : `, class ${c.className}`) : '');

export const NOTICE_TEXTS: Record<string, Record<Lang, Builder>> = {
  'application.reminder': {
    ru: (c) => ({
      subject: 'Заявка ждёт вашего решения',
      text: `Заявка на вступление в ${school(c, 'ru')}${inClass(c, 'ru')} ещё не рассмотрена.${c.applicantName ? ` Заявитель: ${c.applicantName}.` : ''}\n\nОдобрите или отклоните её в разделе «Заявки»: ${c.baseUrl}`,
      sms: `Заявка в ${school(c, 'ru')}${inClass(c, 'ru')} ждёт решения.`,
    }),
    en: (c) => ({
      subject: 'An application is waiting for your decision',
      text: `An application${c.applicantName ? ` from ${c.applicantName}` : ''} to join ${school(c, 'en')}${inClass(c, 'en')} has not been decided yet.\n\nApprove or reject it under "Applications": ${c.baseUrl}`,
      sms: `An application to ${school(c, 'en')}${inClass(c, 'en')} awaits a decision.`,
    }),
  },
  'application.escalated': {
    ru: (c) => ({
      subject: `Заявку в ${school(c, 'ru')} не рассматривают`,
      text: `Заявку на вступление в ${school(c, 'ru')}${c.settlement ? ` (${c.settlement})` : ''}${inClass(c, 'ru')} школа не рассмотрела в срок, напоминание не помогло.\n\nПроверьте, кто в школе принимает заявки: ${c.baseUrl}`,
      sms: `Заявку в ${school(c, 'ru')} не рассмотрели в срок.`,
    }),
    en: (c) => ({
      subject: `An application to ${school(c, 'en')} is not being decided`,
      text: `An application to join ${school(c, 'en')}${c.settlement ? ` (${c.settlement})` : ''}${inClass(c, 'en')} was not decided in time, even after a reminder.\n\nPlease check who decides applications at the school: ${c.baseUrl}`,
      sms: `An application to ${school(c, 'en')} was not decided in time.`,
    }),
  },
  'application.approved': {
    ru: (c) => ({
      subject: 'Заявка одобрена',
      text: `Вашу заявку в ${school(c, 'ru')}${inClass(c, 'ru')} одобрили. Школьные чаты появятся в мессенджере.\n\n${c.baseUrl}`,
      sms: `Заявку в ${school(c, 'ru')} одобрили.`,
    }),
    en: (c) => ({
      subject: 'Application approved',
      text: `Your application to ${school(c, 'en')}${inClass(c, 'en')} was approved. The school chats will appear in the messenger.\n\n${c.baseUrl}`,
      sms: `Your application to ${school(c, 'en')} was approved.`,
    }),
  },
  'application.rejected': {
    ru: (c) => ({
      subject: 'Заявка отклонена',
      text: `Вашу заявку в ${school(c, 'ru')}${inClass(c, 'ru')} отклонили.${c.reason ? ` Причина: ${c.reason}.` : ''}\n\nЕсли это ошибка, обратитесь в школу или подайте заявку снова: ${c.baseUrl}`,
      sms: `Заявку в ${school(c, 'ru')} отклонили.`,
    }),
    en: (c) => ({
      subject: 'Application rejected',
      text: `Your application to ${school(c, 'en')}${inClass(c, 'en')} was rejected.${c.reason ? ` Reason: ${c.reason}.` : ''}\n\nIf this is a mistake, contact the school or apply again: ${c.baseUrl}`,
      sms: `Your application to ${school(c, 'en')} was rejected.`,
    }),
  },
  'application.expired': {
    ru: (c) => ({
      subject: 'Срок заявки истёк',
      text: `Заявку в ${school(c, 'ru')}${inClass(c, 'ru')} никто не рассмотрел, и срок её действия истёк. Можно подать новую: ${c.baseUrl}`,
      sms: `Срок заявки в ${school(c, 'ru')} истёк. Подайте новую.`,
    }),
    en: (c) => ({
      subject: 'Application expired',
      text: `Nobody decided your application to ${school(c, 'en')}${inClass(c, 'en')}, and it has expired. You may apply again: ${c.baseUrl}`,
      sms: `Your application to ${school(c, 'en')} expired. Apply again.`,
    }),
  },
  'school-request.created': {
    ru: (c) => ({
      subject: 'Просят добавить школу',
      text: `Пользователь не нашёл свою школу в каталоге и просит добавить её: «${c.requestSchoolName ?? '—'}», ${c.requestSettlement ?? '—'}.\n\nЗапрос в списке запросов: ${c.baseUrl}`,
      sms: `Просят добавить школу: ${c.requestSchoolName ?? '—'}.`,
    }),
    en: (c) => ({
      subject: 'A school is asked to be added',
      text: `Someone did not find their school in the directory and asks to add it: "${c.requestSchoolName ?? '—'}", ${c.requestSettlement ?? '—'}.\n\nSee the request list: ${c.baseUrl}`,
      sms: `Asked to add a school: ${c.requestSchoolName ?? '—'}.`,
    }),
  },
};

export const NOTICE_KINDS = Object.keys(NOTICE_TEXTS);

export function noticeText(kind: string, lang: Lang, c: NoticeContext): NoticeText | undefined {
  return NOTICE_TEXTS[kind]?.[lang](c);
}
