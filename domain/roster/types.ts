// The normalised roster one school's journal gives us. Plain data so that every journal adapter
// (Eljur, EPOS, ESH, CSV) can map onto it without knowing the rules that read it.
// Ids: `personId` is the hub's person id (or any id stable across runs that the link table uses);
// class and subject ids are the journal's external ids, stable across runs.

export interface RosterClass {
  externalId: string;
  /** As the journal shows it, e.g. "1А" or "10 Б"; used verbatim in chat titles. */
  name: string;
}

export interface RosterSubject {
  externalId: string;
  /** e.g. "Русский язык". */
  name: string;
}

/** Who teaches which subject in which class (drives subject chats, R-C4). */
export interface TeachingAssignment {
  classExternalId: string;
  subjectExternalId: string;
  teacherPersonId: string;
}

export type EnrollmentStatus = 'active' | 'expelled';

/** A student's place in a class. A transfer is an expelled row in the old class and an active one in the new. */
export interface Enrollment {
  studentPersonId: string;
  classExternalId: string;
  status: EnrollmentStatus;
}

export type EmploymentStatus = 'employed' | 'dismissed';

export interface StaffMember {
  personId: string;
  /** Teachers and other staff both belong to "Учительская" (R-C3); the role is kept for reports. */
  role: 'teacher' | 'staff';
  status: EmploymentStatus;
  /** Classes this person leads as class teacher (классный руководитель). */
  classTeacherOf: readonly string[];
}

export interface Guardianship {
  parentPersonId: string;
  childPersonId: string;
}

export interface RosterPerson {
  personId: string;
  /** For reports only ("pending: Иванов Иван"); rules never read it. */
  displayName?: string;
}

export interface SchoolRoster {
  schoolId: string;
  classes: readonly RosterClass[];
  subjects: readonly RosterSubject[];
  assignments: readonly TeachingAssignment[];
  enrollments: readonly Enrollment[];
  staff: readonly StaffMember[];
  guardianships: readonly Guardianship[];
  persons?: readonly RosterPerson[];
}

/** What a journal says of one person, as linking checks read it (R-L3). */
export type JournalRole = 'student' | 'parent' | 'staff';

export interface JournalPersonFacts {
  externalId: string;
  roles: JournalRole[];
  displayName: string | null;
  birthDate: string | null;
  /** For students: their guardians' external ids. */
  guardianIds: string[];
}
