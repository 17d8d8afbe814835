// R-J4: who may decide an application. Staff tokens carry their scope as claims; a signed-in person
// is an approver through their school_roles rows (admin, class_teacher). The workflow decides.
import type { Approver } from '../domain/applications.js';
import { rolesOf } from '../db/repositories/school-roles.js';
import type { Queryable } from '../infra/postgres.js';
import type { Principal } from './auth.js';

export async function resolveApprover(db: Queryable, p: Principal): Promise<Approver> {
  const approver: Approver = { id: p.sub, adminOf: [], classTeacherOf: [] };
  if (p.role === 'school_admin') approver.adminOf.push(...p.schools);
  if (p.role === 'class_teacher') approver.classTeacherOf.push(...p.classes);
  if (p.role === 'person') {
    for (const r of await rolesOf(db, p.sub)) {
      if (r.role === 'admin') approver.adminOf.push(r.schoolId);
      if (r.role === 'class_teacher' && r.classId) approver.classTeacherOf.push(r.classId);
    }
  }
  return approver;
}
