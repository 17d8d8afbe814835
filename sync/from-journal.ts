// Journal records (adapters/journals/port.ts) → the normalised school roster the pure rules read
// (domain/roster/types.ts), plus the per-person facts linking checks need (R-L3).
// Person ids in the roster are the journal's external person ids; journal_links maps them to
// messenger accounts (R-C6).
import type { RosterRecord } from '../adapters/journals/port.js';
import type { ReadCounts } from '../db/repositories/run-summary.js';
import type { Enrollment, Guardianship, JournalPersonFacts, JournalRole, RosterClass, RosterPerson, RosterSubject, SchoolRoster, StaffMember, TeachingAssignment } from '../domain/roster/types.js';

export type { JournalPersonFacts, JournalRole };

/**
 * Records of one school, in any order, duplicates allowed (the last copy of a fact wins, as in the
 * staging table). Admins count as staff ("Учительская" holds everyone employed, R-C3).
 */
export function schoolRosterFromRecords(schoolExternalId: string, records: Iterable<RosterRecord>): SchoolRoster {
  const classes = new Map<string, RosterClass>();
  const subjects = new Map<string, RosterSubject>();
  const assignments = new Map<string, TeachingAssignment>();
  const enrollments = new Map<string, Enrollment>();
  const staff = new Map<string, { role: 'teacher' | 'staff'; status: 'employed' | 'dismissed' }>();
  const classTeacherOf = new Map<string, Set<string>>();
  const guardianships = new Map<string, Guardianship>();
  const persons = new Map<string, RosterPerson>();
  for (const r of records) {
    switch (r.kind) {
      case 'class':
        classes.set(r.externalId, { externalId: r.externalId, name: r.name });
        break;
      case 'subject':
        subjects.set(r.externalId, { externalId: r.externalId, name: r.name });
        break;
      case 'teaching':
        assignments.set(`${r.classId}\u0000${r.subjectId}\u0000${r.teacherId}`, {
          classExternalId: r.classId,
          subjectExternalId: r.subjectId,
          teacherPersonId: r.teacherId,
        });
        break;
      case 'enrollment':
        enrollments.set(`${r.studentId}\u0000${r.classId}`, { studentPersonId: r.studentId, classExternalId: r.classId, status: r.status });
        break;
      case 'staff':
        staff.set(r.personId, { role: r.role === 'teacher' ? 'teacher' : 'staff', status: r.status });
        break;
      case 'class-teacher': {
        const set = classTeacherOf.get(r.teacherId) ?? new Set<string>();
        set.add(r.classId);
        classTeacherOf.set(r.teacherId, set);
        break;
      }
      case 'guardianship':
        guardianships.set(`${r.parentId}\u0000${r.childId}`, { parentPersonId: r.parentId, childPersonId: r.childId });
        break;
      case 'person':
        persons.set(r.externalId, { personId: r.externalId, displayName: displayName(r) });
        break;
    }
  }
  const staffMembers: StaffMember[] = [...staff].map(([personId, s]) => ({
    personId,
    role: s.role,
    status: s.status,
    classTeacherOf: [...(classTeacherOf.get(personId) ?? [])].sort(),
  }));
  return {
    schoolId: schoolExternalId,
    classes: [...classes.values()],
    subjects: [...subjects.values()],
    assignments: [...assignments.values()],
    enrollments: [...enrollments.values()],
    staff: staffMembers,
    guardianships: [...guardianships.values()],
    persons: [...persons.values()],
  };
}

function displayName(r: Extract<RosterRecord, { kind: 'person' }>): string {
  return [r.lastName, r.firstName, r.middleName].filter(Boolean).join(' ');
}

/**
 * Who each person is in this school right now, as far as the journal says (R-L3 reads it). People
 * the journal lists with no role here (no active enrollment, employment or child) have `roles: []`.
 */
export function journalPeopleFacts(records: Iterable<RosterRecord>): JournalPersonFacts[] {
  const people = new Map<string, JournalPersonFacts>();
  const get = (id: string) => {
    let p = people.get(id);
    if (!p) {
      p = { externalId: id, roles: [], displayName: null, birthDate: null, guardianIds: [] };
      people.set(id, p);
    }
    return p;
  };
  const addRole = (id: string, role: JournalRole) => {
    const p = get(id);
    if (!p.roles.includes(role)) p.roles.push(role);
  };
  const active = new Set<string>();
  const guardians: Array<{ parentId: string; childId: string }> = [];
  for (const r of records) {
    if (r.kind === 'person') {
      const p = get(r.externalId);
      p.displayName = displayName(r);
      p.birthDate = r.birthDate ?? null;
    } else if (r.kind === 'enrollment' && r.status === 'active') {
      active.add(r.studentId);
      addRole(r.studentId, 'student');
    } else if (r.kind === 'staff' && r.status === 'employed') addRole(r.personId, 'staff');
    else if (r.kind === 'guardianship') guardians.push(r);
  }
  for (const g of guardians) {
    if (!active.has(g.childId)) continue;
    addRole(g.parentId, 'parent');
    const child = get(g.childId);
    if (!child.guardianIds.includes(g.parentId)) child.guardianIds.push(g.parentId);
  }
  // A person the journal lists without a role or an active enrollment is kept with no roles: a
  // link to them is refused saying so, not as an identity the journal does not have (issue 16 item 6).
  return [...people.values()].filter((p) => p.roles.length > 0 || p.displayName !== null);
}

/** What a school's read held, per kind, for the run's report (issue 16 item 6). */
export function readCounts(records: Iterable<RosterRecord>): ReadCounts {
  const classes = new Set<string>();
  const students = new Set<string>();
  const enrollments = new Set<string>();
  const staff = new Map<string, string>();
  const links = new Set<string>();
  const parents = new Set<string>();
  for (const r of records) {
    if (r.kind === 'class') classes.add(r.externalId);
    else if (r.kind === 'enrollment' && r.status === 'active') {
      students.add(r.studentId);
      enrollments.add(`${r.studentId}\u0000${r.classId}`);
    } else if (r.kind === 'staff') {
      if (r.status === 'employed') staff.set(r.personId, r.role);
      else staff.delete(r.personId);
    } else if (r.kind === 'guardianship') {
      links.add(`${r.parentId}\u0000${r.childId}`);
      parents.add(r.parentId);
    }
  }
  const teachers = [...staff.values()].filter((role) => role === 'teacher').length;
  return {
    classes: classes.size,
    students: students.size,
    teachers,
    staff: staff.size - teachers,
    parents: parents.size,
    enrollments: enrollments.size,
    guardianships: links.size,
  };
}
