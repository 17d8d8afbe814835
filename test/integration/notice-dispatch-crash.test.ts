// Drill (issue 14.2): the notice dispatcher process (bin/notices.ts, as deployed) is killed with
// SIGKILL while the SMTP server holds a message it has not yet accepted. A restarted dispatcher sends
// nothing twice: the notice recorded as sent before the kill is not sent again, the interrupted one
// is sent exactly once (SMTP accepts a message only with its final 250), and the rest go once.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueNotification } from '../../db/repositories/notifications.js';
import { projectRoot } from '../../infra/paths.js';
import { useTestDb } from '../helpers/db.js';
import { seedPerson, seedSchool } from '../helpers/seed.js';
import { startTestSmtp, type TestSmtp } from '../helpers/smtp.js';

const db = useTestDb();
let smtp: TestSmtp;
const children: ChildProcess[] = [];

beforeAll(async () => {
  smtp = await startTestSmtp();
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await smtp?.stop();
});

/** The real entry point under node itself (not a tsx wrapper), so SIGKILL ends the process that sends. */
async function startDispatcher(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'bin/notices.ts')], {
    cwd: projectRoot,
    env: {
      ...process.env,
      DATABASE_URL: db.url,
      DATABASE_SCHEMA: db.schema,
      LOG_LEVEL: 'info',
      SMTP_URL: smtp.url,
      SMTP_FROM: 'noreply@hub.example.ru',
      NOTIFY_POLL_INTERVAL: '100ms',
      // A killed dispatcher's notices are taken again once this lease runs out.
      NOTIFY_LEASE: '1s',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('notice dispatcher running') && resolve());
    child.once('exit', (code) => reject(new Error(`dispatcher exited ${code}`)));
  });
  return child;
}

describe('drill: notice dispatcher killed mid-dispatch', () => {
  it('issue 14.2 drill: SIGKILL while a message is in flight; after restart each notice arrived exactly once', async () => {
    const s = await seedSchool(db.pool, { name: 'Школа № 40', classes: ['6А'] });
    const people = await Promise.all(['first@example.ru', 'second@example.ru', 'third@example.ru'].map((email) => seedPerson(db.pool, { email })));
    // Inserted in this order; the dispatcher takes them oldest first and sends one after another.
    const kinds = ['application.approved', 'application.rejected', 'application.expired'];
    for (const [i, { person }] of people.entries()) {
      await enqueueNotification(db.pool, {
        dedupeKey: `drill/${i}`,
        kind: kinds[i]!,
        recipientKind: 'person',
        recipientId: person.id,
        payload: { schoolId: s.school.id, classId: s.classes['6А']!.id },
      });
    }
    const held = smtp.holdWhen('отклонили'); // the second notice's text

    const first = await startDispatcher();
    await held; // the server has the whole second message and has not answered yet
    const before = await db.pool.query(
      `SELECT n.dedupe_key, n.sent_at IS NOT NULL AS sent, d.status FROM notifications n
         LEFT JOIN notification_deliveries d ON d.notification_id = n.id ORDER BY n.id`,
    );
    expect(before.rows).toEqual([
      { dedupe_key: 'drill/0', sent: true, status: 'sent' },
      { dedupe_key: 'drill/1', sent: false, status: 'sending' },
      { dedupe_key: 'drill/2', sent: false, status: null },
    ]);
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    first.stdout?.destroy();

    const second = await startDispatcher();
    await smtp.waitFor(() => smtp.to('third@example.ru').length > 0 && smtp.to('second@example.ru').length > 0);
    await new Promise((r) => setTimeout(r, 500)); // a duplicate would arrive now
    second.kill('SIGTERM');
    await new Promise((r) => second.once('exit', r));

    expect(smtp.dropped).toBe(1); // the held message was never accepted
    expect(smtp.to('first@example.ru').map((m) => m.subject)).toEqual(['Заявка одобрена']);
    expect(smtp.to('second@example.ru').map((m) => m.subject)).toEqual(['Заявка отклонена']);
    expect(smtp.to('third@example.ru').map((m) => m.subject)).toEqual(['Срок заявки истёк']);
    const after = await db.pool.query(
      `SELECT n.dedupe_key, n.sent_at IS NOT NULL AS sent, n.attempts, d.status, d.attempts AS tries FROM notifications n
         JOIN notification_deliveries d ON d.notification_id = n.id ORDER BY n.id`,
    );
    expect(after.rows).toEqual([
      { dedupe_key: 'drill/0', sent: true, attempts: 1, status: 'sent', tries: 1 },
      { dedupe_key: 'drill/1', sent: true, attempts: 2, status: 'sent', tries: 2 },
      { dedupe_key: 'drill/2', sent: true, attempts: 1, status: 'sent', tries: 1 },
    ]);
  });
});
