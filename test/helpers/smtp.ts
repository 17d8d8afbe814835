// A real SMTP server (the smtp-server package) on a loopback port, keeping every message it accepted,
// with the refusals a mail server gives: 550 for an address, 451 "not now", and a message held
// before its final answer (the crash drill kills the sender while the server holds it).
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  headers: Record<string, string>;
  subject: string;
  /** The decoded text/plain part. */
  text: string;
  /** The decoded text/html part, if any. */
  html: string | null;
  contentTypes: string[];
}

export interface TestSmtp {
  url: string;
  port: number;
  received: ReceivedMail[];
  to(address: string): ReceivedMail[];
  /** Addresses refused at RCPT TO with 550. */
  rejectRecipients: Set<string>;
  /** The next n messages are refused after DATA with 451. */
  failNext(n: number): void;
  /**
   * A message whose text contains `marker` is received but not answered until `release` runs; the
   * promise resolves when it is being held. Dropping the connection while held accepts nothing.
   */
  holdWhen(marker: string): Promise<{ release(accept: boolean): void }>;
  /** Messages accepted and connections that ended while a message was held (not accepted). */
  dropped: number;
  waitFor(pred: (all: ReceivedMail[]) => boolean, timeoutMs?: number): Promise<ReceivedMail[]>;
  stop(): Promise<void>;
}

const decodeWord = (s: string): string =>
  s.replace(/=\?utf-8\?([bq])\?([^?]*)\?=\s*/gi, (_m, enc: string, data: string) =>
    enc.toLowerCase() === 'b'
      ? Buffer.from(data, 'base64').toString('utf8')
      : Buffer.from(data.replace(/_/g, ' ').replace(/=([0-9a-f]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'),
  );

function splitHead(raw: string): { headers: Record<string, string>; body: string } {
  const at = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, at).replace(/\r\n[ \t]+/g, ' ');
  const headers: Record<string, string> = {};
  for (const line of head.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  return { headers, body: raw.slice(at + 4) };
}

function decodeBody(body: string, encoding: string | undefined): string {
  if (encoding?.toLowerCase() === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding?.toLowerCase() === 'quoted-printable') {
    return Buffer.from(body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_x, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
  }
  return body;
}

/** The leaf parts of a (possibly nested multipart) message. */
function parts(raw: string): { type: string; text: string }[] {
  const { headers, body } = splitHead(raw);
  const type = headers['content-type'] ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (!type.toLowerCase().startsWith('multipart/') || !boundary) {
    return [{ type: type.split(';')[0]!.trim().toLowerCase(), text: decodeBody(body, headers['content-transfer-encoding']) }];
  }
  return body
    .split(`--${boundary}`)
    .slice(1)
    .filter((p) => !p.startsWith('--'))
    .flatMap((p) => parts(p.replace(/^\r\n/, '')));
}

export async function startTestSmtp(): Promise<TestSmtp> {
  const received: ReceivedMail[] = [];
  const rejectRecipients = new Set<string>();
  let failing = 0;
  const holds: { marker: string; onHeld: (h: { release(accept: boolean): void }) => void }[] = [];
  const t = { dropped: 0 } as TestSmtp;
  const pending = new Map<string, () => void>();

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onClose(session) {
      pending.get(session.id)?.();
      pending.delete(session.id);
    },
    onRcptTo(address: SMTPServerAddress, _s, cb) {
      if (rejectRecipients.has(address.address.toLowerCase())) {
        const e = new Error('No such mailbox') as Error & { responseCode: number };
        e.responseCode = 550;
        return cb(e);
      }
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const { headers } = splitHead(raw);
        const leaves = parts(raw);
        const mail: ReceivedMail = {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          headers,
          subject: decodeWord(headers.subject ?? ''),
          text: leaves.find((p) => p.type === 'text/plain')?.text ?? '',
          html: leaves.find((p) => p.type === 'text/html')?.text ?? null,
          contentTypes: leaves.map((p) => p.type),
        };
        if (failing > 0) {
          failing--;
          const e = new Error('Try again later') as Error & { responseCode: number };
          e.responseCode = 451;
          return cb(e);
        }
        const hold = holds.findIndex((h) => mail.text.includes(h.marker));
        if (hold >= 0) {
          const [h] = holds.splice(hold, 1);
          let answered = false;
          const release = (accept: boolean) => {
            if (answered) return;
            answered = true;
            if (accept) received.push(mail);
            cb(accept ? null : new Error('dropped'));
          };
          // The client going away before the answer drops it: like a real server, nothing is accepted.
          pending.set(session.id, () => {
            if (!answered) {
              answered = true;
              t.dropped++;
            }
          });
          h!.onHeld({ release });
          return;
        }
        received.push(mail);
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;

  Object.assign(t, {
    url: `smtp://127.0.0.1:${port}`,
    port,
    received,
    rejectRecipients,
    to: (address: string) => received.filter((m) => m.to.includes(address.toLowerCase())),
    failNext: (n: number) => void (failing = n),
    holdWhen: (marker: string) => new Promise((resolve) => holds.push({ marker, onHeld: resolve })),
    async waitFor(pred: (all: ReceivedMail[]) => boolean, timeoutMs = 15_000) {
      const until = Date.now() + timeoutMs;
      while (!pred(received)) {
        if (Date.now() > until) throw new Error(`SMTP: condition not met within ${timeoutMs} ms; received ${received.length}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return received;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
  return t;
}
