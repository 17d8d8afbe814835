// Pre-fills a fresh schema with a region's existing people for the signup benchmark, so that every
// table a signup journey reads or writes is as deep as in a region of that size. Bulk SQL
// (generate_series, chunks on a few connections); nothing goes through the hub.
//
// Per person (i = 1…N): a people row (phone +799…, 5 % also an e-mail, 80 % a messenger id) and, for
// 80 %, the identity account it signed up with; the code sent then (otp_outbox, code not kept) and
// its rate-limit counters (rate_limits: per phone, and per IP for one in 20: the table is never
// purged, expired rows stay); a school role (45 % students and 45 % parents in a class, 10 % teachers;
// one school per 800 people, 22 classes each); for students and teachers an approved application,
// its notification (sent) and audit entries (person.signed-up for all; application.created,
// application.approved and school.joined for applicants): ≈ 9.6 rows per person in all.
// Not filled: Temporal's own store (histories of past journeys) — the dev server starts empty.
import pg from 'pg';
import { postmasterPid, treeCpuS } from './proc-cpu.js';

export interface FillFigures {
  people: number;
  schools: number;
  /** Wall seconds of the inserts (keys and indexes built again included), then of VACUUM ANALYZE and CHECKPOINT. */
  insertS: number;
  vacuumS: number;
  /** Parts of insertS: the rows, then keys and indexes, then foreign keys. */
  stepsS: { rows: number; keys: number; foreignKeys: number };
  /** CPU seconds PostgreSQL (the whole cluster) spent on the fill, where /proc shows it. */
  postgresCpuS: number | null;
  rows: Record<string, number>;
  schemaMb: number;
}

const TABLES = [
  'schools',
  'classes',
  'identity_accounts',
  'people',
  'school_roles',
  'applications',
  'notifications',
  'audit_log',
  'otp_outbox',
  'rate_limits',
] as const;

/** The tables filled per person (schools and classes are few and keep their indexes meanwhile). */
const FILLED = TABLES.filter((t) => t !== 'schools' && t !== 'classes');

export const PEOPLE_PER_SCHOOL = 800;
const CLASSES_PER_SCHOOL = 22;

// The people of the fill, one row each, computed once (identifiers are md5 of the number, so random
// like gen_random_uuid() and the same in every statement): role r (< 9 student, < 18 parent, else
// teacher), school s, class c, and what the statements below derive rows from. Dropped at the end.
const STAGING = 'bench_fill_people';
const stagingRows = (schools: number) => `
  INSERT INTO ${STAGING}
  SELECT i, r, s, c, '+799' || lpad(i::text, 8, '0'),
         md5('p' || i)::uuid, md5('s' || s)::uuid, CASE WHEN r < 18 THEN md5('c' || s || '/' || c)::uuid END,
         md5('a' || i)::uuid, CASE WHEN i % 5 <> 0 THEN md5('i' || i)::uuid END, md5('k' || i),
         now() - (i % 1500) * interval '1 day' - (i % 86400) * interval '1 second'
    FROM (SELECT i, i % 20 AS r, i % ${schools} AS s, (i / ${schools}) % ${CLASSES_PER_SCHOOL} AS c
            FROM generate_series($1::int, $2::int) AS i) AS n`;
const g = `${STAGING} AS g WHERE i BETWEEN $1 AND $2`;
const applicant = `(r < 9 OR r >= 18)`;

// One client address per 20 people (every 20th person's): 10.x.y.z, distinct for 335 M people.
const clientIp = `'10.' || i / 20 / 65536 % 256 || '.' || i / 20 / 256 % 256 || '.' || i / 20 % 256`;

/**
 * Statements over a range of people ($1…$2); keys and indexes are off meanwhile, so any order.
 * BENCHMARK FIXTURE: rows get their production shape in bulk, people.messenger_user_id included (8 in
 * 10 bound); in the product only "Sign in with VK ID" sets it (identity/vk-id-binding.ts).
 */
const perPersonStatements: string[] = [
  `INSERT INTO identity_accounts (id, phone, password_hash, created_at)
     SELECT iid, phone, 'scrypt$16384$8$1$' || left(hk, 16) || '$' || hk || reverse(hk), at
       FROM ${g} AND iid IS NOT NULL`,
  `INSERT INTO people (id, phone, email, first_name, last_name, patronymic, gender, birth_date, created_at,
                         identity_account_id, created_by_signup, messenger_user_id)
     SELECT pid, phone, CASE WHEN i % 20 = 0 THEN 'p' || i || '@mail.example' END,
            CASE WHEN i % 2 = 0 THEN (ARRAY['Мария','Анна','Елена','Ольга','Дарья','Софья'])[1 + i / 2 % 6]
                 ELSE (ARRAY['Иван','Алексей','Дмитрий','Сергей','Артём','Михаил'])[1 + i / 2 % 6] END,
            (ARRAY['Иванов','Смирнов','Кузнецов','Попов','Васильев','Петров','Соколов','Михайлов','Новиков','Фёдоров'])[1 + i / 12 % 10]
              || CASE WHEN i % 2 = 0 THEN 'а' ELSE '' END,
            CASE WHEN i % 2 = 0 THEN (ARRAY['Петровна','Ивановна','Сергеевна','Андреевна'])[1 + i / 7 % 4]
                 ELSE (ARRAY['Петрович','Иванович','Сергеевич','Андреевич'])[1 + i / 7 % 4] END,
            CASE WHEN i % 2 = 0 THEN 'female' ELSE 'male' END,
            CASE WHEN r < 9 THEN date '2019-09-01' - (1 + c / 2) * 365 + i % 365 WHEN r < 18 THEN date '1972-01-01' + i % 7300
                 ELSE date '1962-01-01' + i % 12000 END,
            at, iid, 'signup/' || phone, CASE WHEN i % 10 < 8 THEN 'vk-' || i END
       FROM ${g}`,
  `INSERT INTO school_roles (person_id, school_id, class_id, role, created_at)
     SELECT pid, sid, cid, CASE WHEN r < 9 THEN 'student' WHEN r < 18 THEN 'parent' ELSE 'teacher' END, at + interval '1 hour'
       FROM ${g}`,
  `INSERT INTO applications (id, person_id, school_id, class_id, role, via, status, created_at, decided_at, decided_by)
     SELECT aid, pid, sid, cid, CASE WHEN r < 9 THEN 'student' ELSE 'teacher' END, 'directory', 'approved',
            at + interval '10 minutes', at + interval '1 hour', 'admin-' || sid
       FROM ${g} AND ${applicant}`,
  `INSERT INTO notifications (dedupe_key, kind, recipient_kind, recipient_id, payload, created_at, sent_at)
     SELECT 'application.approved/' || aid, 'application.approved', 'person', pid::text,
            jsonb_build_object('applicationId', aid, 'schoolId', sid, 'classId', cid), at + interval '1 hour', at + interval '61 minutes'
       FROM ${g} AND ${applicant}`,
  `INSERT INTO audit_log (at, actor, actor_role, action, subject_type, subject_id, details)
     SELECT at, 'person:' || pid, NULL, 'person.signed-up', 'person', pid::text,
            jsonb_build_object('via', 'phone', 'identityAccount', iid IS NOT NULL, 'signup', 'signup/' || phone)
       FROM ${g}`,
  `INSERT INTO audit_log (at, actor, actor_role, action, subject_type, subject_id, details)
     SELECT at + v.after, v.actor, v.role, v.action, v.subject_type, v.subject_id, v.details
       FROM ${STAGING} AS g
       CROSS JOIN LATERAL (VALUES
         (interval '10 minutes', pid::text, 'person', 'application.created', 'application', aid::text,
          jsonb_build_object('schoolId', sid, 'classId', cid, 'role', CASE WHEN r < 9 THEN 'student' ELSE 'teacher' END, 'via', 'directory')),
         (interval '1 hour', 'admin-' || sid, 'school_admin', 'application.approved', 'application', aid::text, '{}'::jsonb),
         (interval '1 hour', 'admin-' || sid, 'school_admin', 'school.joined', 'person', pid::text,
          jsonb_build_object('schoolId', sid, 'classId', cid, 'applicationId', aid))
       ) AS v(after, actor, role, action, subject_type, subject_id, details)
      WHERE i BETWEEN $1 AND $2 AND ${applicant}`,
  `INSERT INTO otp_outbox (channel, recipient, recipient_masked, purpose, code, created_at)
     SELECT 'sms', phone, '+7 *** ***-' || substr(phone, 9, 2) || '-' || substr(phone, 11, 2), 'signup', NULL, at - interval '2 minutes'
       FROM ${g}`,
  `INSERT INTO rate_limits (key, points, expire)
     SELECT k.key, 1, (extract(epoch FROM at) * 1000)::bigint + 3600000
       FROM ${STAGING} AS g
       CROSS JOIN LATERAL (VALUES ('code-request:phone:signup-' || hk), ('code-submit:phone:signup-' || hk),
                                  (CASE WHEN i % 20 = 0 THEN 'code-request:ip:' || ${clientIp} END),
                                  (CASE WHEN i % 20 = 0 THEN 'code-submit:ip:' || ${clientIp} END)) AS k(key)
      WHERE i BETWEEN $1 AND $2 AND k.key IS NOT NULL`,
];

/** Keys and indexes of the filled tables, to drop before the inserts and build again after them. */
async function keysAndIndexes(pool: pg.Pool, schema: string) {
  const tables = `(SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname = $1 AND c.relname = ANY($2::text[]))`;
  const constraints = await pool.query(
    `SELECT conname AS name, conrelid::regclass::text AS "table", contype AS kind, pg_get_constraintdef(oid) AS def,
            CASE WHEN contype IN ('p', 'u') THEN pg_get_indexdef(conindid) END AS "indexDef"
       FROM pg_constraint
      WHERE (contype IN ('p', 'u') AND conrelid IN ${tables})
         OR (contype = 'f' AND (conrelid IN ${tables} OR confrelid IN ${tables}))`,
    [schema, FILLED],
  );
  const indexes = await pool.query(
    `SELECT i.indexrelid::regclass::text AS name, i.indrelid::regclass::text AS "table", pg_get_indexdef(i.indexrelid) AS def
       FROM pg_index i
      WHERE i.indrelid IN ${tables}
        AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u', 'x'))`,
    [schema, FILLED],
  );
  type Row = { name: string; table: string; kind?: string; def: string; indexDef?: string };
  const all = constraints.rows as Row[];
  return {
    foreignKeys: all.filter((c) => c.kind === 'f'),
    uniqueKeys: all.filter((c) => c.kind !== 'f'),
    indexes: indexes.rows as Row[],
  };
}

/**
 * Fills `schema` (already migrated) with `people` existing people. As a bulk load is done: the
 * filled tables' keys and indexes are dropped, the rows inserted in chunks on a few connections, then
 * keys and indexes built again (sorted, so a little denser than grown one insert at a time) and the
 * foreign keys added back, which checks every row once. Knobs: BENCH_FILL_CONNECTIONS (default 2),
 * BENCH_FILL_CHUNK (people per statement, default 100000), BENCH_FILL_TRACE=1 (each statement's time
 * on stderr).
 */
export async function fillPeople(dbUrl: string, schema: string, people: number): Promise<FillFigures> {
  const schools = Math.max(1, Math.ceil(people / PEOPLE_PER_SCHOOL));
  const connections = Math.max(1, Number(process.env.BENCH_FILL_CONNECTIONS ?? 2));
  const chunk = Math.max(1000, Number(process.env.BENCH_FILL_CHUNK ?? 100_000));
  const pool = new pg.Pool({
    connectionString: dbUrl,
    max: connections,
    options: `-c search_path=${schema},public -c maintenance_work_mem=1GB -c synchronous_commit=off`,
  });
  try {
    const postmaster = await postmasterPid(pool);
    const cpu0 = postmaster === null ? null : treeCpuS(postmaster);
    const t0 = performance.now();
    const marks: number[] = [];
    if (people > 0) {
      await pool.query(
        `INSERT INTO schools (id, name, settlement, region, timezone)
         SELECT md5('s' || s)::uuid, 'МБОУ СОШ № ' || (s + 2),
                (ARRAY['Казань','Набережные Челны','Нижнекамск','Альметьевск','Зеленодольск','Бугульма','Елабуга'])[1 + s % 7],
                '16', 'Europe/Moscow'
           FROM generate_series(0, $1::int - 1) AS s`,
        [schools],
      );
      await pool.query(
        `INSERT INTO classes (id, school_id, name, grade)
         SELECT md5('c' || s || '/' || c)::uuid, md5('s' || s)::uuid, (1 + c / 2) || (ARRAY['А','Б'])[1 + c % 2], 1 + c / 2
           FROM generate_series(0, $1::int - 1) AS s, generate_series(0, ${CLASSES_PER_SCHOOL - 1}) AS c`,
        [schools],
      );
      await pool.query(
        `CREATE UNLOGGED TABLE ${STAGING} (i int, r int, s int, c int, phone text, pid uuid, sid uuid, cid uuid,
                                           aid uuid, iid uuid, hk text, at timestamptz)`,
      );
      const { foreignKeys, uniqueKeys, indexes } = await keysAndIndexes(pool, schema);
      for (const f of foreignKeys) await pool.query(`ALTER TABLE ${f.table} DROP CONSTRAINT ${f.name}`);
      for (const u of uniqueKeys) await pool.query(`ALTER TABLE ${u.table} DROP CONSTRAINT ${u.name}`);
      for (const i of indexes) await pool.query(`DROP INDEX ${i.name}`);
      const ranges: Array<[number, number]> = [];
      for (let lo = 1; lo <= people; lo += chunk) ranges.push([lo, Math.min(people, lo + chunk - 1)]);
      await Promise.all(ranges.map((range) => pool.query(stagingRows(schools), range)));
      await pool.query(`CREATE INDEX ON ${STAGING} (i)`);
      await pool.query(`ANALYZE ${STAGING}`);
      // BENCH_FILL_TRACE=1: each statement's own time on stderr (to see which table a fill spends on).
      const timed = async (db: pg.Pool | pg.PoolClient, sql: string, values?: unknown[]) => {
        const q0 = performance.now();
        await db.query(sql, values);
        if (process.env.BENCH_FILL_TRACE) {
          const what = sql.replace(/\s+/g, ' ').slice(0, 60);
          console.error(
            `${((performance.now() - q0) / 1000).toFixed(1)} s ${what} ${values ? JSON.stringify(values) : ''}`,
          );
        }
      };
      await Promise.all(
        ranges.flatMap((range) =>
          perPersonStatements.map(async (sql) => {
            const client = await pool.connect();
            try {
              await timed(client, sql, range);
            } finally {
              client.release();
            }
          }),
        ),
      );
      await pool.query(`DROP TABLE ${STAGING}`);
      marks.push(performance.now());
      // Every index on its own (a key's index first, then attached as the key: ADD PRIMARY KEY would
      // lock its table and serialise that table's builds), the biggest tables' first.
      const size = await pool.query(
        `SELECT relname AS name, pg_relation_size(oid) AS bytes FROM pg_class WHERE oid = ANY($1::regclass[])`,
        [FILLED],
      );
      const bytes = new Map(
        (size.rows as Array<{ name: string; bytes: string }>).map((r) => [r.name, Number(r.bytes)]),
      );
      const builds = [...uniqueKeys.map((u) => ({ table: u.table, def: u.indexDef! })), ...indexes];
      builds.sort((a, b) => (bytes.get(b.table) ?? 0) - (bytes.get(a.table) ?? 0));
      await Promise.all(builds.map((b) => timed(pool, b.def)));
      for (const u of uniqueKeys) {
        await pool.query(
          `ALTER TABLE ${u.table} ADD CONSTRAINT ${u.name} ${u.kind === 'p' ? 'PRIMARY KEY' : 'UNIQUE'} USING INDEX ${u.name}`,
        );
      }
      marks.push(performance.now());
      for (const f of foreignKeys)
        await timed(pool, `ALTER TABLE ${f.table} ADD CONSTRAINT ${f.name} ${f.def}`);
      marks.push(performance.now());
    }
    const insertS = (performance.now() - t0) / 1000;
    // As autovacuum would have left a region's tables: statistics, visibility map, hint bits set;
    // and written out (where the role may), so that the levels do not pay for the fill's checkpoint.
    const t1 = performance.now();
    await Promise.all(TABLES.map((t) => pool.query(`VACUUM (ANALYZE) ${t}`)));
    await pool.query('CHECKPOINT').catch(() => undefined);
    const vacuumS = (performance.now() - t1) / 1000;
    const cpu1 = postmaster === null ? null : treeCpuS(postmaster);
    const counts = await pool.query(
      `SELECT c.relname AS name, c.reltuples::bigint AS n FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
        WHERE s.nspname = $1 AND c.relname = ANY($2::text[])`,
      [schema, [...TABLES]],
    );
    const size = await pool.query(
      `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint AS bytes FROM pg_class c
         JOIN pg_namespace s ON s.oid = c.relnamespace WHERE s.nspname = $1 AND c.relkind IN ('r', 'm')`,
      [schema],
    );
    const rows = Object.fromEntries(
      TABLES.map((t) => [
        t,
        Math.max(
          0,
          Number((counts.rows as Array<{ name: string; n: string }>).find((r) => r.name === t)?.n ?? 0),
        ),
      ]),
    );
    return {
      people,
      schools: people > 0 ? schools : 0,
      insertS: Number(insertS.toFixed(1)),
      stepsS: {
        rows: Number((((marks[0] ?? t0) - t0) / 1000).toFixed(1)),
        keys: Number((((marks[1] ?? t0) - (marks[0] ?? t0)) / 1000).toFixed(1)),
        foreignKeys: Number((((marks[2] ?? t0) - (marks[1] ?? t0)) / 1000).toFixed(1)),
      },
      vacuumS: Number(vacuumS.toFixed(1)),
      postgresCpuS: cpu0 === null || cpu1 === null ? null : Math.round(cpu1 - cpu0),
      rows,
      schemaMb: Math.round(Number((size.rows[0] as { bytes: string }).bytes) / 2 ** 20),
    };
  } finally {
    await pool.end();
  }
}
