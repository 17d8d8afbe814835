// Versioned consent texts (R-G6). A new wording gets a new version; old versions stay for evidence.

export interface ConsentText {
  version: string;
  ru: string;
  en: string;
}

export const CONSENT_TEXTS: readonly ConsentText[] = [
  {
    version: '2025-01',
    ru:
      'Я даю согласие на обработку персональных данных моего ребёнка (фамилия, имя, отчество, дата рождения, ' +
      'школа и класс) для работы в школьном мессенджере и подтверждаю, что являюсь его законным представителем.',
    en:
      "I consent to the processing of my child's personal data (name, birth date, school and class) for the " +
      'school messenger and confirm that I am their legal representative.',
  },
];

export const CURRENT_CONSENT: ConsentText = CONSENT_TEXTS[CONSENT_TEXTS.length - 1]!;
