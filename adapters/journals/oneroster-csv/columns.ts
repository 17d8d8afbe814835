// The columns the OneRoster CSV binding defines per file (1.1 and 1.2 together: an export is one or
// the other, and a column of either is known), for the upload check's unknown-header warnings, and
// the ISO 8601 shapes the binding allows for dates.
const common = ['sourcedId', 'status', 'dateLastModified'];

export const CSV_COLUMNS: Record<string, readonly string[]> = {
  'manifest.csv': ['propertyName', 'value'],
  'orgs.csv': [...common, 'name', 'type', 'identifier', 'parentSourcedId'],
  'academicSessions.csv': [...common, 'title', 'type', 'startDate', 'endDate', 'parentSourcedId', 'schoolYear'],
  'courses.csv': [...common, 'schoolYearSourcedId', 'title', 'courseCode', 'grades', 'orgSourcedId', 'subjects', 'subjectCodes'],
  'classes.csv': [...common, 'title', 'grades', 'courseSourcedId', 'classCode', 'classType', 'location', 'schoolSourcedId', 'termSourcedIds', 'subjects', 'subjectCodes', 'periods'],
  'users.csv': [
    ...common, 'enabledUser', 'orgSourcedIds', 'role', 'username', 'userIds', 'givenName', 'familyName', 'middleName', 'identifier',
    'email', 'sms', 'phone', 'agentSourcedIds', 'grades', 'password',
    // 1.2
    'userMasterIdentifier', 'preferredGivenName', 'preferredMiddleName', 'preferredFamilyName', 'primaryOrgSourcedId', 'pronouns',
  ],
  'roles.csv': [...common, 'userSourcedId', 'roleType', 'role', 'beginDate', 'endDate', 'orgSourcedId', 'userProfileSourcedId'],
  'userProfiles.csv': [...common, 'userSourcedId', 'profileType', 'vendorId', 'applicationId', 'description', 'credentialType', 'username', 'password'],
  'enrollments.csv': [...common, 'classSourcedId', 'schoolSourcedId', 'userSourcedId', 'role', 'primary', 'beginDate', 'endDate'],
  'demographics.csv': [
    ...common, 'birthDate', 'sex', 'americanIndianOrAlaskaNative', 'asian', 'blackOrAfricanAmerican', 'nativeHawaiianOrOtherPacificIslander',
    'white', 'demographicRaceTwoOrMoreRaces', 'hispanicOrLatinoEthnicity', 'countryOfBirthCode', 'stateOfBirthAbbreviation', 'cityOfBirth',
    'publicSchoolResidenceStatus',
    // 1.0
    'userSourcedId', 'birthdate',
  ],
};

/**
 * A date (`2023-05-01`) or a date-time (`2023-05-01T18:25:43.511Z`, with an offset or none) as
 * ISO 8601 writes them, on the calendar. Anything else (`1/05/2023`, `01.05.2023`) is unreadable:
 * day and month cannot be told apart, so it is never guessed.
 */
export function isIsoDate(v: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(v.trim());
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d && !Number.isNaN(Date.parse(v.trim()));
}

/** Milliseconds of an ISO 8601 date, or undefined for anything else (never a guess). */
export function isoDateMs(v: string | undefined): number | undefined {
  return v && isIsoDate(v) ? Date.parse(v.trim()) : undefined;
}

function distance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/** The known column an unknown one is probably a misspelling of (case aside, at most 2 edits). */
export function suggestColumn(column: string, known: readonly string[] | undefined): string | undefined {
  let best: { name: string; d: number } | undefined;
  for (const k of known ?? []) {
    const d = distance(column.toLowerCase(), k.toLowerCase());
    if (d <= 2 && (!best || d < best.d)) best = { name: k, d };
  }
  return best?.name;
}
