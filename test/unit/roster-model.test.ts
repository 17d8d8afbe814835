import { describe, expect, it } from 'vitest';
import { RosterModel } from '../../adapters/journals/testing/roster-model.js';

describe('roster model behind the journal simulators', () => {
  it('R-C5: the same seed gives the same school; transfer and expel change only enrollments', () => {
    const a = RosterModel.generate({ seed: 42 });
    const b = RosterModel.generate({ seed: 42 });
    const school = [...a.schools.keys()][0]!;
    const strip = (m: RosterModel) => m.expected(school).required;
    expect(strip(a)).toEqual(strip(b));
    expect(a.classesOf(school).map((c) => c.name)).toEqual(['1А', '1Б', '2А', '2Б']);

    const since = Date.now() - 1;
    const [from, to] = a.classesOf(school);
    const student = a.enrollmentsOf(school, { classId: from!.id })[0]!.studentId;
    a.transfer(student, to!.id);
    expect(a.changesSince(school, since)).toEqual([
      { kind: 'enrollment', studentId: student, classId: from!.id, status: 'expelled' },
      { kind: 'enrollment', studentId: student, classId: to!.id, status: 'active' },
    ]);
  });

  it('R-C5: truncate drops enrollments without a trace, the way a broken export does', () => {
    const m = RosterModel.generate({ seed: 1, studentsPerClass: 5 });
    const school = [...m.schools.keys()][0]!;
    expect(m.enrollmentsOf(school)).toHaveLength(20);
    m.truncate(school, 3);
    expect(m.enrollmentsOf(school, { includeExpelled: true })).toHaveLength(3);
    expect(m.expected(school).optional.filter((r) => r.kind === 'enrollment')).toEqual([]);
  });
});
