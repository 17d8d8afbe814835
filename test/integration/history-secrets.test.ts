// Issue 14 item 3: what a reader of Temporal history learns. Whole histories of finished journeys
// (signups by phone and by e-mail; a child's application and parent confirmation with two parents)
// are read as the Temporal UI or a dump of its store would show them: no phone, e-mail or profile in
// clear anywhere (ids, search attributes, payloads), and, even for someone holding the payload key,
// nothing a guessed code could be checked against offline (the code's MAC needs the server-side key).
import { createHash, createHmac } from 'node:crypto';
import { Client, type WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import proto from '@temporalio/proto';
import { beforeAll, describe, expect, it } from 'vitest';
import { CURRENT_CONSENT } from '../../domain/consent.js';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING, parsePayloadKeys } from '../../infra/payload-codec.js';
import { applicationWorkflowId, guardianWorkflowId } from '../../workflows/definitions.js';
import type { Principal } from '../../api/auth.js';
import { useTestApi } from '../helpers/api.js';
import { useTestDb } from '../helpers/db.js';
import { birthDateForAge, seedSchool, type SchoolWithClasses } from '../helpers/seed.js';
import { latestCode, newPhone, signupSteps, workflowIdOf } from '../helpers/signup.js';
import { TEST_PAYLOAD_KEYS, testCodeMac, useTemporalWorker } from '../helpers/temporal.js';

const db = useTestDb();
const temporal = useTemporalWorker(() => ({ pool: db.pool }));
const api = useTestApi(db, temporal);
const steps = signupSteps(api, db);
const codec = new AesGcmPayloadCodec(parsePayloadKeys(TEST_PAYLOAD_KEYS));

let s: SchoolWithClasses;
beforeAll(async () => {
  s = await seedSchool(db.pool, { classes: ['1А', '3В'] });
});

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const asPerson = (id: string): Principal => ({ sub: id, role: 'person', schools: [], classes: [] });

interface Found {
  payload: Payload;
  path: string[];
}

/** Every Payload in a history, with where it sits. */
function payloadsOf(node: unknown, path: string[] = [], out: Found[] = []): Found[] {
  if (node === null || typeof node !== 'object' || node instanceof Uint8Array) return out;
  const o = node as Record<string, unknown>;
  if (o.metadata && typeof o.metadata === 'object' && o.data instanceof Uint8Array) {
    out.push({ payload: o as Payload, path });
    return out;
  }
  for (const [k, v] of Object.entries(o)) payloadsOf(v, [...path, k], out);
  return out;
}

/**
 * Search attributes and headers are not run through payload codecs (Temporal indexes and routes by
 * them); the core SDK's local-activity marker keeps its own bookkeeping (activity type, times).
 */
const notCodecEncoded = (path: string[]) =>
  path.includes('searchAttributes') || path.includes('header') || path.join('.').includes('markerRecordedEventAttributes.details.data.');

/** Strings and numbers anywhere in a decoded value. */
function leaves(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string' || typeof v === 'number') out.push(String(v));
  else if (Array.isArray(v)) for (const x of v) leaves(x, out);
  else if (v && typeof v === 'object') for (const x of Object.values(v)) leaves(x, out);
  return out;
}

async function readHistory(handle: WorkflowHandle) {
  const history = await handle.fetchHistory();
  const raw = Buffer.from(proto.temporal.api.history.v1.History.encode(history).finish());
  const found = payloadsOf(history);
  const decoded = await Promise.all(
    found.map(async (f) => defaultPayloadConverter.fromPayload((await codec.decode([f.payload]))[0]!) as unknown),
  );
  return { raw, found, decoded, strings: decoded.flatMap((d) => leaves(d)) };
}

/** What a reader without any key sees: the raw bytes of the history, the workflow's id and its search attributes. */
async function expectNothingInClear(handle: WorkflowHandle, secrets: string[]): Promise<void> {
  const { raw, found } = await readHistory(handle);
  const described = await handle.describe();
  const visible = JSON.stringify({ id: described.workflowId, sa: described.searchAttributes, memo: described.memo ?? null });
  for (const secret of secrets) {
    expect(raw.includes(Buffer.from(secret, 'utf8')), `${handle.workflowId}: history bytes hold ${secret}`).toBe(false);
    expect(visible, `${handle.workflowId}: id or search attributes`).not.toContain(secret);
  }
  const hubPayloads = found.filter((f) => !notCodecEncoded(f.path));
  expect(hubPayloads.length).toBeGreaterThan(0);
  for (const f of hubPayloads) {
    expect(Buffer.from(f.payload.metadata!.encoding!).toString(), f.path.join('.')).toBe(ENCRYPTED_ENCODING);
  }
}

/** Every spelling of a phone a reader might grep for. */
const phoneForms = (phone: string) => [phone, phone.slice(1), phone.slice(2), sha256(phone)];

/**
 * Someone holding the payload key reads the whole decoded history and the code that was sent: the
 * code is not there, no SHA-256 over the code and any string of the history is there, and the MAC
 * that is there is not reproduced with any string of the history as its key.
 */
async function expectNoOfflineCodeCheck(handle: WorkflowHandle, code: string): Promise<void> {
  const { strings } = await readHistory(handle);
  expect(strings).not.toContain(code);
  const candidates = ['', ...new Set(strings)];
  const hexes = new Set(strings.filter((x) => /^[0-9a-f]{64}$/.test(x)));
  for (const t of candidates) {
    for (const digest of [sha256(`${t}:${code}`), sha256(`${t}${code}`), sha256(`${code}${t}`), sha256(`${code}:${t}`)]) {
      expect(hexes.has(digest), `a SHA-256 over the code and "${t}" is in history`).toBe(false);
    }
  }
  // What is kept is the keyed MAC of the code: computable with the server's key only.
  const codeIds = strings.filter((x) => /^[0-9a-f]{32}$/.test(x));
  const macs = codeIds.map((id) => testCodeMac.of(handle.workflowId, id, code));
  expect(macs.some((m) => hexes.has(m))).toBe(true);
  for (const t of candidates) {
    for (const id of codeIds) {
      const guess = createHmac('sha256', t).update(`otp-v1\0${handle.workflowId}\0${id}\0${code}`, 'utf8').digest('hex');
      expect(hexes.has(guess), `the MAC is reproduced with "${t}" as key`).toBe(false);
    }
  }
}

/** Sign up through the API to the end; returns the person and the code that was used. */
async function signUp(contact: { phone: string } | { email: string; inviteToken: string }, birthDate: string) {
  const started = await steps.start(contact);
  expect(started.status).toBe(200);
  const recipient = 'phone' in contact ? contact.phone : contact.email;
  const code = await latestCode(db.pool, recipient);
  expect((await steps.code(started.body.signupId, code)).body.stage).toBe('profile');
  const done = await steps.profile(started.body.signupId, { firstName: 'Алиса', lastName: 'Смирнова', gender: 'female', birthDate });
  expect(done.body).toMatchObject({ stage: 'done', outcome: 'created' });
  const handle = temporal.client.workflow.getHandle(workflowIdOf(started.body.signupId));
  await handle.result();
  return { personId: done.body.personId as string, code, handle };
}

describe('issue 14: secrets stay out of workflow history', () => {
  it('R-A4, issue 14: a finished phone signup shows no phone and nothing to test a code guess against', async () => {
    const phone = newPhone();
    const { code, handle } = await signUp({ phone }, '1990-03-04');
    await expectNothingInClear(handle, [...phoneForms(phone), 'Смирнова']);
    await expectNoOfflineCodeCheck(handle, code);
  });

  it('R-A3, issue 14: a finished e-mail signup shows no e-mail address', async () => {
    const invite = await api.call('POST', `/v1/schools/${s.school.id}/invites`, { as: s.admin, body: { role: 'student', classId: s.classes['3В']!.id } });
    expect(invite.status).toBe(201);
    const email = `alisa.${Date.now()}@school.example.ru`;
    const { code, handle } = await signUp({ email, inviteToken: invite.body.token }, birthDateForAge(9));
    await expectNothingInClear(handle, [email, email.split('@')[0]!, sha256(email)]);
    await expectNoOfflineCodeCheck(handle, code);
  });

  it('R-G1..R-G4, issue 14: a child\'s application and parent confirmation by two parents show no phone', async () => {
    const childPhone = newPhone();
    const mumPhone = newPhone();
    const dadPhone = newPhone();
    const child = await signUp({ phone: childPhone }, birthDateForAge(10));
    const mum = await signUp({ phone: mumPhone }, '1985-01-02');
    const dad = await signUp({ phone: dadPhone }, '1984-02-03');

    const applied = await api.call('POST', '/v1/applications', {
      as: asPerson(child.personId),
      body: { schoolId: s.school.id, role: 'student', classId: s.classes['1А']!.id },
    });
    expect(applied.status).toBe(201);
    const approved = await api.call('POST', `/v1/applications/${applied.body.id}/approve`, { as: s.admin, body: {} });
    expect(approved.body.status).toBe('approved');
    const link = await api.call('POST', '/v1/me/parent-link', { as: asPerson(child.personId) });
    expect(link.status).toBe(201);
    for (const parent of [mum, dad]) {
      const accepted = await api.call('POST', `/v1/parent-links/${link.body.token}/accept`, {
        as: asPerson(parent.personId),
        body: { consentVersion: CURRENT_CONSENT.version, consentGiven: true },
      });
      expect(accepted.status).toBe(200);
    }
    const guardians = temporal.client.workflow.getHandle(guardianWorkflowId(child.personId));
    const state = (await guardians.result()) as { parents: string[] };
    expect(state.parents).toHaveLength(2); // the journey ended: two parents (R-G3)

    const phones = [childPhone, mumPhone, dadPhone].flatMap(phoneForms);
    const application = temporal.client.workflow.getHandle(applicationWorkflowId(child.personId, s.school.id));
    await expectNothingInClear(guardians, phones);
    await expectNothingInClear(application, phones);
    // These journeys only refer to people by id: even decrypted, they hold no phone nor a hash of one.
    for (const handle of [guardians, application]) {
      const decrypted = (await readHistory(handle)).strings.join('\n');
      for (const p of phones) expect(decrypted, `${handle.workflowId} decrypted`).not.toContain(p);
    }
    for (const signup of [child, mum, dad]) await expectNothingInClear(signup.handle, phones);
  });

  it('issue 14: a client without the payload key cannot read a result; the hub\'s client can', async () => {
    const phone = newPhone();
    const { handle, personId } = await signUp({ phone }, '1991-05-06');
    const keyless = new Client({ connection: temporal.client.connection });
    await expect(keyless.workflow.getHandle(handle.workflowId).result()).rejects.toThrow();
    expect(await handle.result()).toMatchObject({ stage: 'done', personId });
  });
});
