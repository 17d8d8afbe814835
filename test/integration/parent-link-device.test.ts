// R-G5 (issue 17 item 8): the child opening their own parent link gets an error, not only under their
// own account but in the browser that signed them up, whoever is signed in there. The child signs up
// through the API (the signup sets the device cookie), applies, is approved and issues the link.
import { beforeAll, describe, expect, it } from 'vitest';
import { CURRENT_CONSENT } from '../../domain/consent.js';
import type { Principal } from '../../api/auth.js';
import { useTestApi } from '../helpers/api.js';
import { useTestDb } from '../helpers/db.js';
import { birthDateForAge, seedPerson, seedSchool, type SchoolWithClasses } from '../helpers/seed.js';
import { aProfile, latestCode, newPhone, signupSteps } from '../helpers/signup.js';
import { useTemporalWorker } from '../helpers/temporal.js';

const db = useTestDb();
const temporal = useTemporalWorker(() => ({ pool: db.pool }));
const api = useTestApi(db, temporal);
const steps = signupSteps(api, db);
let s: SchoolWithClasses;
beforeAll(async () => {
  s = await seedSchool(db.pool, { name: 'Школа № 5' });
});

describe('R-G5: a parent link in the browser that signed the child up', () => {
  it('is refused as the child\'s own, whichever account is signed in; another browser may confirm', async () => {
    const phone = newPhone();
    const started = await steps.start({ phone });
    const cookie = started.headers.get('set-cookie')?.split(';')[0];
    expect(cookie).toMatch(/^hub_device=[\w-]{32,}$/);
    const id = started.body.signupId as string;
    await steps.code(id, await latestCode(db.pool, phone));
    const done = await api.call('POST', `/v1/signups/${id}/profile`, { body: { ...aProfile, birthDate: birthDateForAge(10) }, headers: { cookie: cookie! } });
    expect(done.body).toMatchObject({ stage: 'done', outcome: 'created' });
    const child: Principal = { sub: done.body.personId as string, role: 'person', schools: [], classes: [] };

    const applied = await api.call('POST', '/v1/applications', { as: child, body: { schoolId: s.school.id, role: 'student', classId: s.classes['1А']!.id } });
    expect((await api.call('POST', `/v1/applications/${applied.body.id}/approve`, { as: s.admin, body: {} })).body.status).toBe('approved');
    const link = await api.call('POST', '/v1/me/parent-link', { as: child });
    expect(link.status).toBe(201);
    const token = link.body.token as string;

    // The child hands the phone to nobody: they sign in to a parent's account in the same browser.
    const parent = await seedPerson(db.pool, { firstName: 'Ольга', lastName: 'Иванова', birthDate: '1985-03-02' });
    const sameBrowser = { cookie: cookie! };
    const preview = await api.call('GET', `/v1/parent-links/${token}`, { headers: sameBrowser });
    expect(preview.status).toBe(403);
    expect(preview.body.type).toBe('/problems/own-parent-link');
    expect((await api.call('GET', `/v1/parent-links/${token}/review`, { as: parent.as, headers: sameBrowser })).status).toBe(403);
    const accepted = await api.call('POST', `/v1/parent-links/${token}/accept`, {
      as: parent.as,
      headers: sameBrowser,
      body: { consentVersion: CURRENT_CONSENT.version, consentGiven: true },
    });
    expect(accepted.status).toBe(403);
    expect(accepted.body.type).toBe('/problems/own-parent-link');

    // The parent's own browser (no cookie, or another one) confirms.
    const otherBrowser = { cookie: 'hub_device=another-browser-0123456789abcdefghijklmnop' };
    expect((await api.call('GET', `/v1/parent-links/${token}`, { headers: otherBrowser })).status).toBe(200);
    const confirmed = await api.call('POST', `/v1/parent-links/${token}/accept`, {
      as: parent.as,
      headers: otherBrowser,
      body: { consentVersion: CURRENT_CONSENT.version, consentGiven: true },
    });
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
    expect(confirmed.body.confirmedParents).toBe(1);
  });
});
