// Writes the roster model as a OneRoster 1.1 CSV folder (with the hub's homeroom extension column),
// for the conformance suite and the dev stack. Rows ended since generation are written as
// `tobedeleted` with their dateLastModified, so the folder also serves `since` reads.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeCsv } from '../csv-write.js';
import { HOMEROOM_METADATA } from '../oneroster-common/mapping.js';
import { oneRosterView } from '../oneroster-common/from-model.js';
import type { RosterModel } from '../testing/roster-model.js';

const iso = (ms: number) => new Date(ms).toISOString();

export async function writeOneRosterCsv(model: RosterModel, dir: string, opts: { duplicate?: boolean } = {}): Promise<void> {
  await mkdir(dir, { recursive: true });
  const v = oneRosterView(model, { includeDeleted: true });
  const files = ['academicSessions', 'orgs', 'courses', 'classes', 'users', 'enrollments', 'demographics'];
  await writeFile(
    join(dir, 'manifest.csv'),
    ['propertyName,value', 'manifest.version,1.0', 'oneroster.version,1.1', 'source.systemName,hub-roster-model', ...files.map((f) => `file.${f},bulk`), 'file.resources,absent', 'file.classResources,absent', 'file.courseResources,absent', 'file.categories,absent', 'file.lineItems,absent', 'file.results,absent', ''].join('\n'),
  );
  const d = { duplicate: opts.duplicate };
  const year = new Date().getUTCFullYear();
  await writeCsv(join(dir, 'academicSessions.csv'), ['sourcedId', 'status', 'dateLastModified', 'title', 'type', 'startDate', 'endDate', 'parentSourcedId', 'schoolYear'], [[`sy-${year}`, 'active', '', `${year}/${year + 1}`, 'schoolYear', `${year}-09-01`, `${year + 1}-05-31`, '', year + 1]], d);
  await writeCsv(join(dir, 'orgs.csv'), ['sourcedId', 'status', 'dateLastModified', 'name', 'type', 'identifier', 'parentSourcedId'], v.orgs.map((o) => [o.sourcedId, o.status, iso(o.dateLastModified), o.name, o.type, '', '']), d);
  await writeCsv(join(dir, 'courses.csv'), ['sourcedId', 'status', 'dateLastModified', 'schoolYearSourcedId', 'title', 'courseCode', 'grades', 'orgSourcedId', 'subjects', 'subjectCodes'], v.courses.map((c) => [c.sourcedId, c.status, iso(c.dateLastModified), `sy-${year}`, c.title, c.courseCode, '', c.schoolSourcedId, '', '']), d);
  await writeCsv(join(dir, 'classes.csv'), ['sourcedId', 'status', 'dateLastModified', 'title', 'grades', 'courseSourcedId', 'classCode', 'classType', 'location', 'schoolSourcedId', 'termSourcedIds', 'subjects', 'subjectCodes', 'periods', HOMEROOM_METADATA], v.classes.map((c) => [c.sourcedId, c.status, iso(c.dateLastModified), c.title, c.grades.join(','), c.courseSourcedId, '', c.classType, '', c.schoolSourcedId, `sy-${year}`, c.subjects.join(','), '', '', c.homeroomSourcedId]), d);
  await writeCsv(join(dir, 'users.csv'), ['sourcedId', 'status', 'dateLastModified', 'enabledUser', 'orgSourcedIds', 'role', 'username', 'userIds', 'givenName', 'familyName', 'middleName', 'identifier', 'email', 'sms', 'phone', 'agentSourcedIds', 'grades', 'password'], v.users.map((u) => [u.sourcedId, u.status, iso(u.dateLastModified), u.enabledUser ? 'TRUE' : 'FALSE', u.schoolSourcedId, u.role, `u${u.sourcedId}`, '', u.givenName, u.familyName, u.middleName, '', u.email, '', u.phone, u.agentSourcedIds.join(','), '', '']), d);
  await writeCsv(join(dir, 'enrollments.csv'), ['sourcedId', 'classSourcedId', 'schoolSourcedId', 'userSourcedId', 'role', 'primary', 'beginDate', 'endDate', 'status', 'dateLastModified'], v.enrollments.map((e) => [e.sourcedId, e.classSourcedId, e.schoolSourcedId, e.userSourcedId, e.role, e.primary ? 'true' : 'false', '', '', e.status, iso(e.dateLastModified)]), d);
  await writeCsv(join(dir, 'demographics.csv'), ['sourcedId', 'status', 'dateLastModified', 'birthDate', 'sex'], v.users.filter((u) => u.birthDate).map((u) => [u.sourcedId, 'active', iso(u.dateLastModified), u.birthDate, '']), d);
}
