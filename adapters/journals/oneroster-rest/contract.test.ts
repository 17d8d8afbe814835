// Issue 16 item 1 (OneRoster part): our requests and our simulator's replies checked against the
// OneRoster 1.2 Rostering OpenAPI file 1EdTech publishes (test/fixtures/oneroster-openapi, see its
// SOURCE.md), so the simulator cannot drift into repeating the adapter's own guesses: every reply
// body must validate against the Set schema of its collection, every request's query parameters
// against the parameters the file defines for collection reads, every role filter against RoleDType.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { RosterModel } from '../testing/roster-model.js';
import { OneRosterRestSource } from './adapter.js';
import { ONEROSTER_BASE, startOneRosterSimulator, type SimCollectionReply } from './simulator.js';

interface OpenApiExcerpt {
  components: { schemas: Record<string, unknown> };
  'x-collection-parameters': Array<{ name: string; schema: Record<string, unknown> }>;
}
const openapi = JSON.parse(readFileSync(fileURLToPath(new URL('../../../test/fixtures/oneroster-openapi/onerosterv1p2-rostering-excerpt.json', import.meta.url)), 'utf8')) as OpenApiExcerpt;

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats.default(ajv);
ajv.addSchema({ $id: 'oneroster', components: openapi.components });
const schema = (name: string): ValidateFunction => ajv.getSchema(`oneroster#/components/schemas/${name}`)!;
const SET_OF: Record<string, string> = { orgs: 'OrgSetDType', users: 'UserSetDType', classes: 'ClassSetDType', courses: 'CourseSetDType', enrollments: 'EnrollmentSetDType' };
const params = new Map(openapi['x-collection-parameters'].map((p) => [p.name, ajv.compile(p.schema)]));
/** A role value as RoleDType allows it. */
const roleValue = ajv.compile((openapi.components.schemas.RoleDType as { properties: { role: unknown } }).properties.role as object);

/** Problems of one reply against the file: body schema, query parameters, role filter values. */
function problems(r: SimCollectionReply): string[] {
  const out: string[] = [];
  const validate = schema(SET_OF[r.name]!);
  if (!validate(r.json)) out.push(`${r.path} reply: ${ajv.errorsText(validate.errors)}`);
  for (const [name, value] of r.query) {
    const check = params.get(name);
    if (!check) {
      out.push(`${r.path}: query parameter ${name} is not one the binding defines`);
      continue;
    }
    const typed = name === 'limit' || name === 'offset' ? Number(value) : value;
    if (!check(typed)) out.push(`${r.path}: ${name}=${value}: ${ajv.errorsText(check.errors)}`);
  }
  for (const m of (r.query.get('filter') ?? '').matchAll(/roles\.role\s*=\s*'([^']*)'/g)) {
    if (!roleValue(m[1])) out.push(`${r.path}: filter names role ${m[1]}, which RoleDType does not allow`);
  }
  return out;
}

describe('OneRoster 1.2 REST contract (issue 16 item 1)', () => {
  it('the excerpt compiles: every schema the reads reply with resolves', () => {
    for (const name of [...Object.values(SET_OF), 'imsx_StatusInfoDType']) expect(schema(name), name).toBeTypeOf('function');
  });

  it('a full read, a delta and the school list: every request and every simulator reply keep to the OneRoster 1.2 OpenAPI file', async () => {
    const model = RosterModel.generate({ seed: 3, schools: 2, grades: 2, studentsPerClass: 8 });
    const sim = await startOneRosterSimulator(model, { clientId: 'hub', clientSecret: 's3cret', logReplies: true });
    try {
      const source = new OneRosterRestSource({ kind: 'oneroster-rest', baseUrl: `${sim.url}${ONEROSTER_BASE}`, tokenUrl: `${sim.url}/oauth/token`, clientId: 'hub', clientSecret: 's3cret', pageSize: 10 });
      const schools = await source.listSchools();
      expect(schools.length).toBe(2);
      const since = new Date(Date.now() - 1000).toISOString();
      const school = schools[0]!.externalId;
      model.expel(model.enrollmentsOf(school)[0]!.studentId);
      model.dismiss(model.staffOf(school).find((s) => s.role === 'admin')!.personId);
      for (const options of [{}, { since }]) for await (const page of source.readRoster(school, options)) void page;

      const kinds = new Set(sim.replies.map((r) => r.name));
      expect([...kinds].sort()).toEqual(['classes', 'courses', 'enrollments', 'orgs', 'users']);
      // Rows of every kind were checked, tobedeleted ones included (the delta).
      expect(sim.replies.some((r) => JSON.stringify(r.json).includes('"tobedeleted"'))).toBe(true);
      expect(sim.replies.flatMap(problems)).toEqual([]);
    } finally {
      await sim.close();
    }
  });

  it('the check has teeth: a 1.1-shaped user row (top-level role, boolean enabledUser, no roles) and a 1.1 role filter are caught', () => {
    const eleven: SimCollectionReply = {
      path: `${ONEROSTER_BASE}/users`,
      name: 'users',
      query: new URLSearchParams({ filter: "roles.role='administrator'", limit: '0' }),
      json: { users: [{ sourcedId: 'u1', status: 'active', dateLastModified: '2024-01-01T00:00:00.000Z', enabledUser: true, role: 'administrator', givenName: 'А', familyName: 'Б' }] },
    };
    const found = problems(eleven).join('\n');
    expect(found).toMatch(/must have required property 'roles'/);
    expect(found).toMatch(/must NOT have additional properties/);
    expect(found).toMatch(/enabledUser must be string/);
    expect(found).toMatch(/limit=0/);
    expect(found).toMatch(/role administrator, which RoleDType does not allow/);
  });
});
