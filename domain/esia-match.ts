// Gosuslugi identity vs the journal person (R-L3, R-L5). Pure. The journal person is proven only
// when what Gosuslugi certifies agrees with what the journal holds: the birth date (required: with
// none in the journal there is nothing to compare, and the school issues a code instead) and the
// name. A student's identity is never proven by an account with children attached: that is a
// parent's Gosuslugi account (R-L3), whatever else matches.
export type EsiaVerdict = 'ok' | 'parent-account' | 'mismatch';

export interface JournalSide {
  isStudent: boolean;
  birthDate: string | null;
  /** "Фамилия Имя [Отчество]" as the journal lists it. */
  displayName: string | null;
}

export interface EsiaSide {
  birthDate?: string | undefined;
  name?: { family: string; given: string } | undefined;
  childrenBirthDates?: readonly string[] | undefined;
}

const plain = (s: string): string => s.toLowerCase().replace(/ё/g, 'е').replace(/\s+/g, ' ').trim();

export function matchEsiaIdentity(journal: JournalSide, esia: EsiaSide): EsiaVerdict {
  if (journal.isStudent && (esia.childrenBirthDates?.length ?? 0) > 0) return 'parent-account';
  if (!journal.birthDate || esia.birthDate !== journal.birthDate) return 'mismatch';
  if (journal.displayName && esia.name) {
    const words = new Set(plain(journal.displayName).split(' '));
    if (!words.has(plain(esia.name.family)) || !words.has(plain(esia.name.given))) return 'mismatch';
  }
  return 'ok';
}
