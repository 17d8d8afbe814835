// Codes, phone numbers and passwords never reach a log line in clear (BRIEF: logs; R-A4).
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { insertIdentityAccount } from '../../db/repositories/identity-accounts.js';
import { maskPhone } from '../../domain/contact.js';
import { createLogger } from '../../infra/logger.js';
import { useTestApi } from '../helpers/api.js';
import { useTestDb } from '../helpers/db.js';
import { aProfile, latestCode, newPhone, signupSteps } from '../helpers/signup.js';
import { useTemporalWorker } from '../helpers/temporal.js';

const lines: string[] = [];
const sink = new Writable({
  write(chunk: Buffer, _enc, done) {
    lines.push(chunk.toString('utf8'));
    done();
  },
});
const logger = createLogger('trace', 'hub', sink);

const db = useTestDb();
const temporal = useTemporalWorker(() => ({ pool: db.pool, logger }));
const api = useTestApi(db, temporal, {}, { logger: () => logger });
const steps = signupSteps(api, db);

describe('signup logs', () => {
  it('R-A4: a whole journey logs the masked phone only: no code, no number, no password in clear', async () => {
    const phone = newPhone();
    const password = 'секретный-пароль-42';
    await insertIdentityAccount(db.pool, { phone, password });
    const started = await steps.start({ phone });
    const id = started.body.signupId as string;
    await steps.code(id, (await latestCode(db.pool, phone)) === '000000' ? '111111' : '000000');
    await steps.code(id, await latestCode(db.pool, phone));
    await steps.password(id, 'неверный');
    await steps.forgot(id);
    await steps.code(id, await latestCode(db.pool, phone));
    await steps.password(id, password);
    const done = await steps.profile(id, aProfile);
    expect(done.body.stage).toBe('done');
    // Anything else that logs these fields by name is redacted by the logger itself.
    logger.warn({ phone, code: '123456', password, req: { headers: { authorization: `Bearer ${done.body.token}` } } }, 'probe');

    const codes = (await db.pool.query(`SELECT code FROM otp_outbox WHERE recipient = $1`, [phone])).rows.map((r) => r.code as string);
    expect(codes.length).toBe(2);
    const text = lines.join('');
    expect(text).toContain('one-time code queued');
    expect(text).toContain(maskPhone(phone));
    expect(text).toContain('[скрыто]');
    for (const secret of [phone, phone.slice(2), phone.slice(-7), password, done.body.token as string, ...codes]) {
      expect(text).not.toContain(secret);
    }
  });
});
