// Which chats a school should have and who belongs in each, from the journal roster (R-C1..C5).
// Titles follow what schools already see in АИС «Электронная школа» (docs/chats.md).
import { sortedUnique } from './sorted.js';
import type { SchoolRoster } from './types.js';

export type ChatKind = 'class' | 'parents' | 'staff' | 'subject';

export interface DesiredChat {
  /** Stable across runs and renames: the hub finds "its" messenger chat by this key (docs/chats.md). */
  key: string;
  kind: ChatKind;
  title: string;
  classExternalId?: string;
  subjectExternalId?: string;
  /** Sorted, duplicate-free person ids. */
  personIds: string[];
}

export interface RosterWarning {
  code: 'unknown-class' | 'unknown-subject';
  ref: string;
}

/**
 * Not from the roster but from applying it: an earlier createChat of this chat was never recorded (its
 * answer was lost, or the worker died before storing the id), so the hub created the chat again and
 * the messenger may now hold two chats with this title (docs/reconcile.md). `ref` is the chat key.
 */
export interface ChatCreatedAgainWarning {
  code: 'chat-created-again';
  ref: string;
  title: string;
}

export const STAFF_CHAT_TITLE = 'Учительская';
const PARENTS_SUFFIX = 'Родители';

// Keys are split on ':' by readers; an external id containing ':' or '%' must not break them.
const part = (s: string) => s.replace(/%/g, '%25').replace(/:/g, '%3A');

export const chatKey = {
  class: (classExternalId: string) => `class:${part(classExternalId)}`,
  parents: (classExternalId: string) => `parents:${part(classExternalId)}`,
  staff: (schoolId: string) => `staff:${part(schoolId)}`,
  subject: (classExternalId: string, subjectExternalId: string) =>
    `subject:${part(classExternalId)}:${part(subjectExternalId)}`,
};

export const chatTitle = {
  /** R-C1: the class name itself, as ЭШ names class chats ("3 А"). */
  class: (className: string) => className.trim(),
  /** R-C2: "3 А Родители", as ЭШ names parent chats. */
  parents: (className: string) => `${className.trim()} ${PARENTS_SUFFIX}`,
  /** R-C3 */
  staff: () => STAFF_CHAT_TITLE,
  /** R-C4: exactly `<class> - <subject>`, e.g. "1А - Русский язык". */
  subject: (className: string, subjectName: string) => `${className.trim()} - ${subjectName.trim()}`,
};

function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Every chat the hub manages for this school, with the people who belong in it. */
export function desiredChats(roster: SchoolRoster): { chats: DesiredChat[]; warnings: RosterWarning[] } {
  const warnings: RosterWarning[] = [];
  const classes = new Map(roster.classes.map((c) => [c.externalId, c]));
  const subjects = new Map(roster.subjects.map((s) => [s.externalId, s]));

  // R-C5: only active enrollments place a student; an expelled or transferred-away row places no one.
  const studentsByClass = new Map<string, string[]>();
  for (const e of roster.enrollments) {
    if (e.status !== 'active') continue;
    if (!classes.has(e.classExternalId)) {
      warnings.push({ code: 'unknown-class', ref: e.classExternalId });
      continue;
    }
    push(studentsByClass, e.classExternalId, e.studentPersonId);
  }

  const parentsByChild = new Map<string, string[]>();
  for (const g of roster.guardianships) push(parentsByChild, g.childPersonId, g.parentPersonId);

  // R-C5: dismissal takes a teacher out of every chat, not only "Учительская".
  const employed = roster.staff.filter((s) => s.status === 'employed');
  const employedIds = new Set(employed.map((s) => s.personId));
  const classTeachers = new Map<string, string[]>();
  for (const s of employed) for (const c of s.classTeacherOf) push(classTeachers, c, s.personId);

  const chats: DesiredChat[] = [];
  for (const c of roster.classes) {
    const students = studentsByClass.get(c.externalId) ?? [];
    const leads = classTeachers.get(c.externalId) ?? [];
    chats.push({
      key: chatKey.class(c.externalId),
      kind: 'class',
      title: chatTitle.class(c.name),
      classExternalId: c.externalId,
      personIds: sortedUnique([...students, ...leads]),
    });
    const parents: string[] = [];
    for (const child of students) for (const p of parentsByChild.get(child) ?? []) parents.push(p);
    chats.push({
      key: chatKey.parents(c.externalId),
      kind: 'parents',
      title: chatTitle.parents(c.name),
      classExternalId: c.externalId,
      personIds: sortedUnique([...parents, ...leads]),
    });
  }

  chats.push({
    key: chatKey.staff(roster.schoolId),
    kind: 'staff',
    title: chatTitle.staff(),
    personIds: sortedUnique(employedIds),
  });

  // One subject chat per (class, subject) that has an assignment, even while its teacher is away.
  const subjectChats = new Map<string, DesiredChat>();
  for (const a of roster.assignments) {
    const cls = classes.get(a.classExternalId);
    const subj = subjects.get(a.subjectExternalId);
    if (!cls) {
      warnings.push({ code: 'unknown-class', ref: a.classExternalId });
      continue;
    }
    if (!subj) {
      warnings.push({ code: 'unknown-subject', ref: a.subjectExternalId });
      continue;
    }
    const key = chatKey.subject(cls.externalId, subj.externalId);
    let chat = subjectChats.get(key);
    if (!chat) {
      chat = {
        key,
        kind: 'subject',
        title: chatTitle.subject(cls.name, subj.name),
        classExternalId: cls.externalId,
        subjectExternalId: subj.externalId,
        personIds: [...(studentsByClass.get(cls.externalId) ?? [])],
      };
      subjectChats.set(key, chat);
    }
    if (employedIds.has(a.teacherPersonId)) chat.personIds.push(a.teacherPersonId);
  }
  for (const chat of subjectChats.values()) {
    chat.personIds = sortedUnique(chat.personIds);
    chats.push(chat);
  }
  return { chats, warnings: dedupeWarnings(warnings) };
}

function dedupeWarnings(ws: RosterWarning[]): RosterWarning[] {
  const seen = new Set<string>();
  return ws.filter((w) => {
    const k = `${w.code}\u0000${w.ref}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
