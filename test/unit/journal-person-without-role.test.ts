// Issue 16 item 6: a person the journal lists without a role or an active enrollment is refused a
// link with a reason that says so, not as an identity the journal does not have.
import { describe, expect, it } from 'vitest';
import type { RosterRecord } from '../../adapters/journals/port.js';
import { journalPeopleFacts } from '../../sync/from-journal.js';
import { refuseJournalLink, type LinkCandidate } from '../../sync/link-rules.js';

const person = (id: string): RosterRecord => ({ kind: 'person', externalId: id, lastName: 'Иванов', firstName: 'Пётр' });
const who: LinkCandidate = { personBirthDate: null, messengerUserId: 'vk-1', isParentInSchool: false, otherIdentities: [], linkedToSomeoneElse: false };
const rows = (records: RosterRecord[]) => journalPeopleFacts(records).map((f) => ({ ...f, schoolExternalId: 's1' }));

describe('a journal person without a role (issue 16 item 6)', () => {
  it('is kept in the journal facts with no roles: never enrolled, or expelled', () => {
    const facts = journalPeopleFacts([
      person('never'),
      person('left'),
      { kind: 'enrollment', studentId: 'left', classId: 'c1', status: 'expelled' },
      person('pupil'),
      { kind: 'enrollment', studentId: 'pupil', classId: 'c1', status: 'active' },
    ]);
    expect(facts.find((f) => f.externalId === 'never')?.roles).toEqual([]);
    expect(facts.find((f) => f.externalId === 'left')?.roles).toEqual([]);
    expect(facts.find((f) => f.externalId === 'pupil')?.roles).toEqual(['student']);
  });

  it('a link to them is refused as "without a role", a link to an id the journal does not list as unknown', () => {
    expect(refuseJournalLink(rows([person('never')]), who, { method: 'journal-login', facts: {} })?.code).toBe('journal-person-without-role');
    expect(refuseJournalLink([], who, { method: 'journal-login', facts: {} })?.code).toBe('journal-person-unknown');
    const staff = rows([person('t'), { kind: 'staff', personId: 't', role: 'teacher', status: 'employed' }]);
    expect(refuseJournalLink(staff, who, { method: 'journal-login', facts: {} })).toBeNull();
  });
});
