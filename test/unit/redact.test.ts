// Issue 17 item 7: personal data leaves no log in clear, found by value wherever it sits.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../infra/logger.js';
import { scrubText } from '../../infra/redact.js';
import { temporalLogger } from '../../infra/temporal-logger.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger('debug', 'test', stream), text: () => lines.join('') };
}

const PHONE = '+79161234567';
const EMAIL = 'maria.ivanova@mail.ru';
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4eXoifQ.c2lnbmF0dXJlLXZhbHVl';

describe('redaction by value', () => {
  it('a phone in a request URL, plain or encoded, is hidden (GET /v1/dev/outbox?to=%2B7…)', () => {
    const { logger, text } = capture();
    logger.info({ req: { url: `/v1/dev/outbox?to=${encodeURIComponent(PHONE)}&limit=5` } }, 'request completed');
    logger.info({ url: `/v1/x?phone=${PHONE}` }, 'x');
    expect(text()).not.toContain('79161234567');
    expect(text()).toContain('limit=5');
  });

  it('e-mails, phones and tokens inside messages, error texts and deep fields are hidden', () => {
    const { logger, text } = capture();
    logger.warn(`could not send to ${EMAIL} or 8 (916) 123-45-67`);
    logger.error({ err: new Error(`SMTP refused <${EMAIL}>`) }, 'send failed');
    logger.info({ a: { b: { c: { d: { contact: PHONE, header: `Bearer ${JWT}` } } } } }, 'deep');
    const out = text();
    for (const secret of [EMAIL, '123-45-67', '79161234567', JWT]) expect(out).not.toContain(secret);
    expect(out).toContain('SMTP refused');
  });

  it('the Temporal SDK logger writes through the same redaction', () => {
    const { logger, text } = capture();
    temporalLogger(logger, 'INFO').warn(`Activity failed for ${PHONE}`, { workflowId: `signup/${EMAIL}` });
    expect(text()).toContain('Activity failed for');
    expect(text()).not.toContain(PHONE);
    expect(text()).not.toContain(EMAIL);
  });

  it('ordinary ids, dates and counts stay readable', () => {
    const line = 'run 3f2c9a1e-8b7d-4c6e-9f00-791612345678 on 2026-12-05 added 120 of 79161 members';
    expect(scrubText(line)).toBe(line);
    expect(scrubText('code=123456&school=42')).toBe('code=[скрыто]&school=42');
  });
});
