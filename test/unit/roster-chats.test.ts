import { describe, expect, it } from 'vitest';
import { chatKey, desiredChats, type DesiredChat, type SchoolRoster } from '../../domain/roster/index.js';
import { smallSchool } from './roster-fixture.js';

const byKey = (r: SchoolRoster) => new Map(desiredChats(r).chats.map((c) => [c.key, c]));
const members = (r: SchoolRoster, key: string): string[] => {
  const chat: DesiredChat | undefined = byKey(r).get(key);
  if (!chat) throw new Error(`no chat ${key}`);
  return chat.personIds;
};

describe('desired chats from the journal roster', () => {
  it('R-C1: "Классный чат" per class holds its enrolled students and the class teacher', () => {
    const chats = byKey(smallSchool());
    expect(chats.get('class:c1a')).toMatchObject({ kind: 'class', title: '1А' });
    expect(members(smallSchool(), 'class:c1a')).toEqual(['s-anna', 's-boris', 't-rus']);
    expect(members(smallSchool(), 'class:c2b')).toEqual(['s-vera', 't-math']);
  });

  it('R-C2: "Родительский чат" per class holds the parents of enrolled students and the class teacher', () => {
    expect(byKey(smallSchool()).get('parents:c1a')?.title).toBe('1А Родители');
    expect(members(smallSchool(), 'parents:c1a')).toEqual(['p-anna-dad', 'p-anna-mum', 't-rus']);
    // Gleb was expelled: his mother is not in the parents' chat.
    expect(members(smallSchool(), 'parents:c2b')).toEqual(['p-vera-mum', 't-math']);
  });

  it('R-C3: "Учительская" holds every employed teacher and staff member, not dismissed ones', () => {
    const staff = byKey(smallSchool()).get(chatKey.staff('school-1'));
    expect(staff?.title).toBe('Учительская');
    expect(staff?.personIds).toEqual(['st-secretary', 't-math', 't-rus']);
  });

  it('R-C4: subject chats are named exactly "<class> - <subject>" and hold the class and the subject teacher', () => {
    const chats = byKey(smallSchool());
    expect(chats.get('subject:c1a:rus')?.title).toBe('1А - Русский язык');
    expect(chats.get('subject:c2b:math')?.title).toBe('2 Б - Математика');
    expect(members(smallSchool(), 'subject:c1a:rus')).toEqual(['s-anna', 's-boris', 't-rus']);
    expect(members(smallSchool(), 'subject:c1a:math')).toEqual(['s-anna', 's-boris', 't-math']);
    expect(chats.has('subject:c2b:rus')).toBe(false); // nobody teaches Russian in 2 Б
  });

  it('R-C5: a transfer moves a student out of the old class chats and into the new ones', () => {
    const r = smallSchool();
    r.enrollments = r.enrollments.map((e) =>
      e.studentPersonId === 's-anna' ? { ...e, status: 'expelled' as const } : e,
    );
    r.enrollments = [
      ...r.enrollments,
      { studentPersonId: 's-anna', classExternalId: 'c2b', status: 'active' },
    ];
    expect(members(r, 'class:c1a')).not.toContain('s-anna');
    expect(members(r, 'subject:c1a:rus')).not.toContain('s-anna');
    expect(members(r, 'class:c2b')).toContain('s-anna');
    expect(members(r, 'subject:c2b:math')).toContain('s-anna');
  });

  it("R-C5: parents follow their child's transfer between parent chats", () => {
    const r = smallSchool();
    r.enrollments = r.enrollments.map((e) =>
      e.studentPersonId === 's-anna' ? { ...e, classExternalId: 'c2b' } : e,
    );
    expect(members(r, 'parents:c1a')).toEqual(['t-rus']);
    expect(members(r, 'parents:c2b')).toEqual(['p-anna-dad', 'p-anna-mum', 'p-vera-mum', 't-math']);
  });

  it('R-C5: enrollment adds the student and their parents; expulsion removes them', () => {
    const r = smallSchool();
    r.enrollments = r.enrollments.map((e) =>
      e.studentPersonId === 's-gleb' ? { ...e, status: 'active' as const } : e,
    );
    expect(members(r, 'class:c2b')).toContain('s-gleb');
    expect(members(r, 'parents:c2b')).toContain('p-gleb-mum');
    r.enrollments = r.enrollments.map((e) =>
      e.studentPersonId === 's-vera' ? { ...e, status: 'expelled' as const } : e,
    );
    expect(members(r, 'class:c2b')).not.toContain('s-vera');
    expect(members(r, 'parents:c2b')).not.toContain('p-vera-mum');
  });

  it('R-C5: a parent with children in two classes is in both parent chats, and stays in one when one child leaves', () => {
    const r = smallSchool();
    r.guardianships = [...r.guardianships, { parentPersonId: 'p-anna-mum', childPersonId: 's-vera' }];
    expect(members(r, 'parents:c1a')).toContain('p-anna-mum');
    expect(members(r, 'parents:c2b')).toContain('p-anna-mum');
    r.enrollments = r.enrollments.filter((e) => e.studentPersonId !== 's-vera');
    expect(members(r, 'parents:c2b')).not.toContain('p-anna-mum');
    expect(members(r, 'parents:c1a')).toContain('p-anna-mum');
  });

  it('R-C5: hire adds a teacher to "Учительская"; dismissal removes them from it and from class and subject chats', () => {
    const r = smallSchool();
    r.staff = [...r.staff, { personId: 't-new', role: 'teacher', status: 'employed', classTeacherOf: [] }];
    expect(members(r, chatKey.staff('school-1'))).toContain('t-new');
    r.staff = r.staff.map((s) => (s.personId === 't-rus' ? { ...s, status: 'dismissed' as const } : s));
    expect(members(r, chatKey.staff('school-1'))).not.toContain('t-rus');
    expect(members(r, 'class:c1a')).not.toContain('t-rus');
    expect(members(r, 'parents:c1a')).not.toContain('t-rus');
    // The subject chat stays for the students until a new teacher is assigned.
    expect(members(r, 'subject:c1a:rus')).toEqual(['s-anna', 's-boris']);
  });

  it('R-C1: chat keys stay the same when a class is renamed, and survive ":" in external ids', () => {
    const r = smallSchool();
    r.classes = r.classes.map((c) => (c.externalId === 'c1a' ? { ...c, name: '2А' } : c));
    expect(byKey(r).get('class:c1a')?.title).toBe('2А');
    expect(chatKey.subject('a:b', 'c')).not.toBe(chatKey.subject('a', 'b:c'));
  });

  it('R-C1: enrollments in a class the journal does not list are reported, not guessed', () => {
    const r = smallSchool();
    r.enrollments = [
      ...r.enrollments,
      { studentPersonId: 's-x', classExternalId: 'ghost', status: 'active' },
    ];
    const { chats, warnings } = desiredChats(r);
    expect(warnings).toEqual([{ code: 'unknown-class', ref: 'ghost' }]);
    expect(chats.some((c) => c.personIds.includes('s-x'))).toBe(false);
  });
});
