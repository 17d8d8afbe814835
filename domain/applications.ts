// Applications to join a school (R-J4, R-J5). Pure rules shared by the API and applicationWorkflow.

export const APPLICATION_ROLES = ['student', 'teacher'] as const;
export type ApplicationRole = (typeof APPLICATION_ROLES)[number];

export const APPLICATION_STATUSES = ['pending', 'approved', 'rejected', 'expired'] as const;
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];

/**
 * Who is deciding, as the API resolved it from the bearer token and school_roles: the schools
 * they administer and the classes they lead. The workflow's validator decides with this alone.
 */
export interface Approver {
  id: string;
  adminOf: string[];
  classTeacherOf: string[];
}

/** R-J4: an admin of the school, or the class teacher of the application's class; nobody else. */
export function mayDecide(approver: Approver, app: { schoolId: string; classId: string | null }): boolean {
  if (approver.adminOf.includes(app.schoolId)) return true;
  return app.classId !== null && approver.classTeacherOf.includes(app.classId);
}

export interface ApplicationTiming {
  /** After this long without a decision the approvers get a reminder (default 48 h). */
  remindAfterMs: number;
  /** After this long the authority is told (default 7 days). */
  escalateAfterMs: number;
  /** After this long the application ends as expired (default 30 days). */
  expireAfterMs: number;
}
