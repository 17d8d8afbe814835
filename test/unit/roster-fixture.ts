// A small school in the shape journal adapters produce; tests change one thing at a time.
import type { SchoolRoster } from '../../domain/roster/index.js';

export function smallSchool(): SchoolRoster {
  return {
    schoolId: 'school-1',
    classes: [
      { externalId: 'c1a', name: '1А' },
      { externalId: 'c2b', name: '2 Б' },
    ],
    subjects: [
      { externalId: 'rus', name: 'Русский язык' },
      { externalId: 'math', name: 'Математика' },
    ],
    assignments: [
      { classExternalId: 'c1a', subjectExternalId: 'rus', teacherPersonId: 't-rus' },
      { classExternalId: 'c1a', subjectExternalId: 'math', teacherPersonId: 't-math' },
      { classExternalId: 'c2b', subjectExternalId: 'math', teacherPersonId: 't-math' },
    ],
    enrollments: [
      { studentPersonId: 's-anna', classExternalId: 'c1a', status: 'active' },
      { studentPersonId: 's-boris', classExternalId: 'c1a', status: 'active' },
      { studentPersonId: 's-vera', classExternalId: 'c2b', status: 'active' },
      { studentPersonId: 's-gleb', classExternalId: 'c2b', status: 'expelled' },
    ],
    staff: [
      { personId: 't-rus', role: 'teacher', status: 'employed', classTeacherOf: ['c1a'] },
      { personId: 't-math', role: 'teacher', status: 'employed', classTeacherOf: ['c2b'] },
      { personId: 'st-secretary', role: 'staff', status: 'employed', classTeacherOf: [] },
      { personId: 't-old', role: 'teacher', status: 'dismissed', classTeacherOf: [] },
    ],
    guardianships: [
      { parentPersonId: 'p-anna-mum', childPersonId: 's-anna' },
      { parentPersonId: 'p-anna-dad', childPersonId: 's-anna' },
      { parentPersonId: 'p-vera-mum', childPersonId: 's-vera' },
      { parentPersonId: 'p-gleb-mum', childPersonId: 's-gleb' },
    ],
  };
}
