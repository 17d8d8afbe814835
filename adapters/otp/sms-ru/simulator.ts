// An SMS.ru the project ships: a real HTTP server answering /sms/send as SMS.ru documents it
// (README.md here), keeping what it "sent" in memory, with the gateway's refusals and faults on
// demand. Start it with startSmsRuSimulator({ port }) or `tsx adapters/otp/sms-ru/simulator.ts`.
import { randomInt } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

/** Status texts as SMS.ru words them (its answer-code list). */
const STATUS_TEXT: Record<number, string> = {
  200: 'Неправильный api_id',
  201: 'Не хватает средств на лицевом счету',
  202: 'Неправильно указан номер телефона получателя, либо на него нет маршрута',
  203: 'Нет текста сообщения',
  206: 'Будет превышен или уже превышен дневной лимит на отправку сообщений',
  207: 'На этот номер нет маршрута для доставки сообщений',
  209: 'Вы добавили этот номер (или один из номеров) в стоп-лист',
  220: 'Сервис временно недоступен, попробуйте чуть позже',
  230: 'Превышен общий лимит количества сообщений на этот номер в день',
  231: 'Превышен лимит одинаковых сообщений на этот номер в минуту',
};

/** One injected fault, used up by the next /sms/send. */
export type SmsRuFault =
  /** A documented refusal: top level for account-wide codes (200, 201, 206, 220), per number otherwise. */
  | { kind: 'status'; code: number }
  | { kind: 'http'; status: 500 | 502 | 503 | 429 }
  /** Never answer: the client's timeout must fire. */
  | { kind: 'hang' }
  /** Send the message, then answer after delayMs (the client may have given up). */
  | { kind: 'late'; delayMs: number };

export interface SentSms {
  smsId: string;
  to: string;
  text: string;
  from: string | null;
  at: Date;
}

export interface SmsRuSimulatorOptions {
  port?: number;
  host?: string;
  apiId?: string;
  /** Roubles on the account; each SMS segment costs `pricePerSms`. */
  balance?: number;
  pricePerSms?: number;
  /** Messages the account may send per day (SMS.ru's "дневной лимит"); 206 beyond it. */
  dailyLimit?: number;
  /** Same text to the same number within a minute more than this many times: 231. */
  sameTextPerMinute?: number;
}

export interface SmsRuSimulator {
  url: string;
  apiId: string;
  sent(to?: string): SentSms[];
  /** Requests received at /sms/send, faulted and refused ones included. */
  calls(): number;
  fail(...faults: SmsRuFault[]): void;
  setBalance(roubles: number): void;
  stopList: Set<string>;
  reset(): void;
  stop(): Promise<void>;
}

export async function startSmsRuSimulator(opts: SmsRuSimulatorOptions = {}): Promise<SmsRuSimulator> {
  const apiId = opts.apiId ?? 'SIM-API-ID';
  const price = opts.pricePerSms ?? 3.5;
  let balance = opts.balance ?? 1000;
  let sent: SentSms[] = [];
  let faults: SmsRuFault[] = [];
  let calls = 0;
  const stopList = new Set<string>();
  const hanging = new Set<ServerResponse>();
  const timers = new Set<NodeJS.Timeout>();

  const json = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(body));
  };
  const topError = (code: number) => ({ status: 'ERROR', status_code: code, status_text: STATUS_TEXT[code] ?? 'Ошибка' });
  const numberError = (to: string, code: number) => ({
    status: 'OK',
    status_code: 100,
    sms: { [to]: { status: 'ERROR', status_code: code, status_text: STATUS_TEXT[code] ?? 'Ошибка' } },
    balance,
  });
  /** Cyrillic text: 70 characters per segment, 67 per part of a long one. */
  const segments = (text: string): number => (text.length <= 70 ? 1 : Math.ceil(text.length / 67));

  function accept(to: string, text: string, from: string | null, test: boolean) {
    const smsId = `${String(randomInt(100000, 999999))}-${String(sent.length + 1).padStart(8, '0')}`;
    const cost = price * segments(text);
    if (!test) {
      balance = Math.round((balance - cost) * 100) / 100;
      sent.push({ smsId, to, text, from, at: new Date() });
    }
    return { status: 'OK', status_code: 100, sms: { [to]: { status: 'OK', status_code: 100, sms_id: smsId } }, balance };
  }

  function handleSend(p: URLSearchParams, res: ServerResponse): void {
    calls++;
    const fault = faults.shift();
    if (fault?.kind === 'hang') {
      hanging.add(res);
      return;
    }
    if (fault?.kind === 'http') {
      if (fault.status === 429) res.setHeader('retry-after', '5');
      return json(res, fault.status, { status: 'ERROR' });
    }
    if (p.get('api_id') !== apiId) return json(res, 200, topError(200));
    const to = p.get('to') ?? '';
    const text = p.get('msg') ?? '';
    if (fault?.kind === 'status') {
      const c = fault.code;
      return json(res, 200, [200, 201, 206, 210, 211, 220, 300, 301, 302].includes(c) ? topError(c) : numberError(to, c));
    }
    if (!text) return json(res, 200, topError(203));
    if (!/^\d{11,15}$/.test(to)) return json(res, 200, numberError(to, 202));
    if (stopList.has(to)) return json(res, 200, numberError(to, 209));
    const today = new Date().toISOString().slice(0, 10);
    if (opts.dailyLimit !== undefined && sent.filter((s) => s.at.toISOString().startsWith(today)).length >= opts.dailyLimit) {
      return json(res, 200, topError(206));
    }
    const minuteAgo = Date.now() - 60_000;
    const same = sent.filter((s) => s.to === to && s.text === text && s.at.getTime() > minuteAgo).length;
    if (opts.sameTextPerMinute !== undefined && same >= opts.sameTextPerMinute) return json(res, 200, numberError(to, 231));
    if (balance < price * segments(text)) return json(res, 200, topError(201));
    const answer = accept(to, text, p.get('from'), p.get('test') === '1');
    if (fault?.kind === 'late') {
      const t = setTimeout(() => {
        timers.delete(t);
        if (!res.destroyed) json(res, 200, answer);
      }, fault.delayMs);
      timers.add(t);
      return;
    }
    json(res, 200, answer);
  }

  async function body(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  // Admin door for the dev stack (no api_id; bound to 127.0.0.1).
  async function handleAdmin(req: IncomingMessage, url: URL, res: ServerResponse): Promise<void> {
    if (req.method === 'GET' && url.pathname === '/admin/messages') return json(res, 200, { messages: sim.sent(url.searchParams.get('to') ?? undefined), balance });
    if (req.method === 'POST' && url.pathname === '/admin/faults') {
      const b = JSON.parse((await body(req)) || '{}') as { faults?: SmsRuFault[] };
      sim.fail(...(b.faults ?? []));
      return json(res, 200, { queued: faults.length });
    }
    if (req.method === 'POST' && url.pathname === '/admin/reset') {
      sim.reset();
      return json(res, 200, { ok: true });
    }
    json(res, 404, { status: 'ERROR' });
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sim');
    if (url.pathname.startsWith('/admin/')) {
      handleAdmin(req, url, res).catch(() => json(res, 400, { status: 'ERROR' }));
      return;
    }
    if (url.pathname === '/sms/send') {
      // Parameters come in the query string or a form body, as SMS.ru accepts both.
      body(req).then(
        (text) => {
          const p = new URLSearchParams(url.searchParams);
          for (const [k, v] of new URLSearchParams(text)) p.set(k, v);
          handleSend(p, res);
        },
        () => json(res, 400, { status: 'ERROR' }),
      );
      return;
    }
    json(res, 200, { status: 'ERROR', status_code: 211, status_text: 'Метод не найден' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const sim: SmsRuSimulator = {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    apiId,
    sent: (to) => sent.filter((s) => to === undefined || s.to === to.replace(/^\+/, '')),
    calls: () => calls,
    fail: (...f) => void faults.push(...f),
    setBalance: (r) => void (balance = r),
    stopList,
    reset() {
      sent = [];
      faults = [];
      calls = 0;
      balance = opts.balance ?? 1000;
      stopList.clear();
    },
    async stop() {
      for (const t of timers) clearTimeout(t);
      for (const r of hanging) r.destroy();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  return sim;
}

// CLI: `tsx adapters/otp/sms-ru/simulator.ts --port 8092` for the dev stack.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { port: { type: 'string', default: '8092' }, host: { type: 'string', default: '127.0.0.1' } } });
  const sim = await startSmsRuSimulator({ port: Number(values.port), host: values.host, apiId: process.env.SMSRU_API_ID ?? 'SIM-API-ID' });
  process.stdout.write(`SMS.ru simulator on ${sim.url} (messages: ${sim.url}/admin/messages)\n`);
  const stop = () => void sim.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
