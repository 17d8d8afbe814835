// What a notice's text names: the school, the class, the applicant, the request. Looked up when it
// is sent (the payload carries ids only), so a renamed school reads as it is called now.
import type { Queryable } from '../infra/postgres.js';
import type { NoticeContext } from './texts.js';

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

export async function loadContext(db: Queryable, payload: Record<string, unknown>, baseUrl: string): Promise<NoticeContext> {
  const c: NoticeContext = {
    schoolName: null,
    settlement: null,
    className: null,
    applicantName: null,
    reason: null,
    requestSchoolName: null,
    requestSettlement: null,
    baseUrl,
  };
  let schoolId = str(payload.schoolId);
  let classId = str(payload.classId);
  const applicationId = str(payload.applicationId);
  if (applicationId) {
    const { rows } = await db.query(
      `SELECT a.school_id::text AS "schoolId", a.class_id::text AS "classId", a.reason,
              p.first_name || ' ' || p.last_name AS "name"
         FROM applications a JOIN people p ON p.id = a.person_id WHERE a.id::text = $1`,
      [applicationId],
    );
    const a = rows[0] as { schoolId: string; classId: string | null; reason: string | null; name: string } | undefined;
    if (a) {
      schoolId ??= a.schoolId;
      classId ??= a.classId;
      c.reason = a.reason;
      c.applicantName = a.name;
    }
  }
  if (schoolId) {
    const { rows } = await db.query(`SELECT name, settlement FROM schools WHERE id::text = $1`, [schoolId]);
    const s = rows[0] as { name: string; settlement: string } | undefined;
    c.schoolName = s?.name ?? null;
    c.settlement = s?.settlement ?? null;
  }
  if (classId) {
    const { rows } = await db.query(`SELECT name FROM classes WHERE id::text = $1`, [classId]);
    c.className = (rows[0] as { name: string } | undefined)?.name ?? null;
  }
  const requestId = str(payload.requestId);
  if (requestId) {
    const { rows } = await db.query(`SELECT school_name AS "schoolName", settlement FROM school_requests WHERE id::text = $1`, [requestId]);
    const r = rows[0] as { schoolName: string; settlement: string } | undefined;
    c.requestSchoolName = r?.schoolName ?? null;
    c.requestSettlement = r?.settlement ?? null;
  }
  return c;
}
