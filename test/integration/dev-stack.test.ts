// Issue 13 "done when": `npm start` (bin/dev.ts) runs on the VK API simulator (Сферум, community
// token) and the VK ID simulator, answers /readyz, and the walkthrough docs/walkthrough-sferum.md
// works against it over HTTP: signup → VK ID → journal link on a verified proof → sync, ending with
// the parent invited by link (the link in the outbox), then inside the class's chat once they follow it.
// The real entry point is spawned, on private ports, with its data in a temp folder and its tables in
// this file's schema.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoParent, devJournalModel } from '../../app/dev-simulators.js';
import { projectRoot } from '../../infra/paths.js';
import { useTestDb, testDatabaseUrl } from '../helpers/db.js';

/** A port nothing listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const db = useTestDb();
const dataDir = mkdtempSync(join(tmpdir(), 'hub-dev-stack-'));
let dev: ChildProcess;
let output = '';
let api = '';
let vkSim = '';

async function call(method: string, path: string, opts: { token?: string; body?: unknown } = {}) {
  const res = await fetch(`${api}${path}`, {
    method,
    headers: { ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}), ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) },
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
  });
  const text = await res.text();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON
  return { status: res.status, body: (text ? JSON.parse(text) : null) as any };
}

beforeAll(async () => {
  const port = await freePort();
  const ports = {
    PORT: port,
    HUB_DEV_TEMPORAL_PORT: await freePort(),
    HUB_DEV_TEMPORAL_UI_PORT: await freePort(),
    HUB_DEV_POSTGRES_PORT: await freePort(),
    HUB_DEV_MESSENGER_PORT: await freePort(),
    HUB_DEV_JOURNAL_PORT: await freePort(),
    HUB_DEV_ESIA_PORT: await freePort(),
    HUB_DEV_VK_ID_PORT: await freePort(),
    WORKER_METRICS_PORT: await freePort(),
  };
  const { PATH, HOME } = process.env;
  dev = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'bin', 'dev.ts')], {
    cwd: projectRoot,
    // Only what a developer's shell would hold: no messenger settings, so the defaults are what is tested.
    env: {
      PATH,
      HOME,
      HUB_DATA_DIR: dataDir,
      DATABASE_URL: testDatabaseUrl,
      DATABASE_SCHEMA: db.schema,
      PUBLIC_BASE_URL: `http://localhost:${port}`,
      LOG_LEVEL: 'warn',
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  dev.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  dev.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  api = `http://localhost:${port}`;
  for (let i = 0; ; i++) {
    if (dev.exitCode !== null) throw new Error(`bin/dev.ts exited ${dev.exitCode}:\n${output}`);
    const ready = await fetch(`${api}/readyz`).then((r) => r.ok, () => false);
    // Ready, and the banner (printed after every part started) is out.
    if (ready && output.includes('hub is up')) break;
    if (i > 900) throw new Error(`bin/dev.ts did not answer /readyz in 180 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  vkSim = `http://127.0.0.1:${ports.HUB_DEV_MESSENGER_PORT}`;
});

afterAll(async () => {
  if (dev && dev.exitCode === null) {
    const exited = new Promise((resolve) => dev.once('exit', resolve));
    dev.kill('SIGTERM');
    const timer = setTimeout(() => dev.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }
  rmSync(dataDir, { recursive: true, force: true });
});

describe('issue 13: npm start (bin/dev.ts) on the VK API and VK ID simulators', () => {
  it('answers /readyz, and its messenger is the VK API simulator with a community token (not the VK Teams one)', async () => {
    const ready = await call('GET', '/readyz');
    expect(ready.body).toEqual({ status: 'ready', checks: { postgres: 'ok', temporal: 'ok' } });
    expect(output).toContain(`Messenger:    VK API simulator ${vkSim}/method (community token, group 1001;`);
    expect(output).toMatch(/VK ID: +http:\/\/127\.0\.0\.1:\d+ \(simulator\)/);
    // The port speaks the VK API: a call without a token is VK's error 5 at HTTP 200, as api.vk.com answers.
    const res = await fetch(`${vkSim}/method/messages.getConversationMembers`, { method: 'POST', body: new URLSearchParams({ peer_id: '2000000001', v: '5.199' }) });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { error: { error_code: number } }).error.error_code).toBe(5);
  });

  it('docs/walkthrough-sferum.md: signup → VK ID → journal link (Eljur sign-in proof) → sync: invited by link, then in the class parents’ chat (R-M1, R-L5)', async () => {
    const parent = demoParent(devJournalModel());
    expect(output).toContain(`Eljur login ${parent.login}, child in ${parent.className}`);
    const authority = (await call('POST', '/v1/dev/token', { body: { role: 'authority', region: '16' } })).body.token as string;
    const conn = (await call('GET', '/v1/connections', { token: authority })).body.items[0].id as string;
    const sync = async () => {
      const started = await call('POST', `/v1/connections/${conn}/sync`, { token: authority, body: {} });
      expect(started.status, JSON.stringify(started.body)).toBe(202);
      const id = started.body.run.id as string;
      for (let i = 0; i < 600; i++) {
        const run = await call('GET', `/v1/sync-runs/${id}`, { token: authority });
        if (run.body.status !== 'running') return run.body;
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error('the run did not end in 120 s');
    };
    // The authority's first run: the journal's people are known, nobody is linked, no chat is made yet.
    const first = await sync();
    expect(first.status).toBe('applied');
    expect(first.report.pending).toBeGreaterThan(0);

    // Signup with a phone; the code from the dev outbox.
    const phone = '+79165552026';
    const signup = await call('POST', '/v1/signups', { body: { phone } });
    expect(signup.status).toBe(200);
    const code = (await call('GET', `/v1/dev/outbox?to=${encodeURIComponent(phone)}&limit=1`)).body.items[0].code as string;
    expect((await call('POST', `/v1/signups/${signup.body.signupId}/code`, { body: { code } })).body).toEqual({ stage: 'profile' });
    const done = await call('POST', `/v1/signups/${signup.body.signupId}/profile`, {
      body: { firstName: 'Ольга', lastName: 'Соколова', patronymic: 'Игоревна', gender: 'female', birthDate: '1986-03-14' },
    });
    expect(done.body).toMatchObject({ stage: 'done', outcome: 'created', messengerAccount: { bound: false, next: { path: '/v1/me/messenger-account/vk-id/start' } } });
    const person = done.body.token as string;

    // Sign in with VK ID (the simulator's sign-in page, account 100000001), its redirect posted to the callback.
    const start = await call('POST', '/v1/me/messenger-account/vk-id/start', { token: person, body: { via: 'signup' } });
    expect(start.status).toBe(200);
    const authorize = new URL(start.body.authorizeUrl as string);
    const page = await (await fetch(authorize)).text();
    expect(page).toContain('sim_user_id=100000001');
    authorize.searchParams.set('sim_user_id', '100000001');
    const redirect = await fetch(authorize, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    const back = new URL(redirect.headers.get('location')!);
    expect(back.href.startsWith(`${api}/vk-id/return?`)).toBe(true);
    const bound = await call('POST', '/v1/me/messenger-account/vk-id/callback', { token: person, body: Object.fromEntries(back.searchParams) });
    expect(bound.body).toMatchObject({ status: 'bound', messengerUserId: '100000001' });

    // R-L5: the parent's own Eljur sign-in is the proof; the link joins the parent's chat at once.
    const proof = await call('POST', '/v1/me/journal-proofs/journal-login', { token: person, body: { connectionId: conn, login: parent.login, password: 'demo-pa55' } });
    expect(proof.body).toMatchObject({ method: 'journal-login', externalPersonId: parent.login });
    const link = await call('POST', '/v1/me/journal-links', { token: person, body: { connectionId: conn, externalPersonId: parent.login, proofId: proof.body.proofId } });
    expect(link.body).toMatchObject({ status: 'linked', joinedChats: 1, invitedChats: 1 });
    expect(link.body.message).toMatch(/приглашение: 1/);

    // A community token cannot add anyone (messages.addChatUser is user-only): the parent is invited,
    // the chat's link queued for delivery; in VK the chat holds only the community so far.
    const chatTitle = `${parent.className} Родители`;
    const outbox = (await call('GET', '/v1/dev/invite-outbox?messengerUserId=100000001', { token: authority })).body.items as Array<Record<string, string>>;
    expect(outbox).toHaveLength(1);
    expect(outbox[0]).toMatchObject({ chatTitle, messengerUserId: '100000001', sentAt: null });
    expect(outbox[0]!.inviteLink).toMatch(/^https:\/\/vk\.me\/join\/\S+$/);
    const chats = async () => ((await (await fetch(`${vkSim}/admin/chats`)).json()) as { chats: Array<{ chatId: string; title: string; members: string[] }> }).chats;
    expect(await chats()).toEqual([{ chatId: outbox[0]!.messengerChatId, title: chatTitle, members: ['-1001'] }]);
    const state = (await (await fetch(`${vkSim}/admin/state`)).json()) as { byMethod: Record<string, number> };
    expect(state.byMethod['messages.getInviteLink']).toBe(1);
    expect(state.byMethod['messages.addChatUser']).toBeUndefined();

    // The sync sees the invitation out and the parent not in yet: no second invitation.
    const waiting = await sync();
    expect(waiting.report).toMatchObject({ invited: 0, invitedWaiting: 1, joinedFromInvites: 0, added: 0, refused: 0 });
    expect(waiting.report.messenger.calls).toBeGreaterThan(0);

    // The parent follows the link in VK; the next sync finds them inside and the membership is joined.
    const joined = await fetch(`${vkSim}/admin/join`, { method: 'POST', body: JSON.stringify({ link: outbox[0]!.inviteLink, userId: '100000001' }) });
    expect(joined.status).toBe(200);
    const after = await sync();
    expect(after.report).toMatchObject({ invitedWaiting: 0, joinedFromInvites: 1 });
    expect(after.chats.find((c: { title: string }) => c.title === chatTitle)).toMatchObject({ joinedFromInvites: 1, errors: 0 });
    expect(await chats()).toEqual([{ chatId: outbox[0]!.messengerChatId, title: chatTitle, members: ['-1001', '100000001'] }]);
  });
});
