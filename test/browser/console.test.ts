// The support console in a real browser (playwright-core driving the system Chromium): sign in
// with a dev token, find a stuck invite, extend it and then cancel it, and see each change; as an
// authority operator, upload a journal export for a file-based connection and see it refused or accepted.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../api/auth.js';
import { projectRoot } from '../../infra/paths.js';
import { useTestApi } from '../helpers/api.js';
import { useTestDb } from '../helpers/db.js';
import { seedPerson, seedSchool, type SchoolWithClasses } from '../helpers/seed.js';
import { useTemporalWorker } from '../helpers/temporal.js';
import { startTestSmtp } from '../helpers/smtp.js';
import { enqueueNotification } from '../../db/repositories/notifications.js';
import { loadConfig } from '../../infra/config.js';
import { createLogger } from '../../infra/logger.js';
import { noticeDispatcherFromConfig } from '../../notices/from-config.js';
import { addRunSchoolWarning, replaceRunChats, upsertRunSchool } from '../../db/repositories/roster-sync.js';
import { ensureSyncRun, refreshSyncRunTotals, setSyncRunStatus } from '../../db/repositories/sync-runs.js';

const CHROMIUM = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].find(
  (p): p is string => !!p && existsSync(p),
);
if (!CHROMIUM) console.warn('test/browser/console.test.ts SKIPPED: no Chromium found (apt-get install -y chromium, or set CHROMIUM_PATH)');

const shots = join(projectRoot, 'test-results', 'console');
const db = useTestDb();
const temporal = useTemporalWorker(() => ({ pool: db.pool }));
const api = useTestApi(db, temporal, { HUB_DEV_AUTH: 'true', HUB_SECRETS_KEY: randomBytes(32).toString('base64') });
const oneroster = join(projectRoot, 'test', 'fixtures', 'oneroster');

let browser: Browser;
let page: Page;
let s: SchoolWithClasses;
let inviteToken: string;

beforeAll(async () => {
  if (!CHROMIUM) return;
  mkdirSync(shots, { recursive: true });
  s = await seedSchool(db.pool, { name: 'Школа № 12', settlement: 'Иркутск', timezone: 'Asia/Irkutsk' });
  const created = await api.call('POST', `/v1/schools/${s.school.id}/invites`, { as: s.admin, body: { role: 'student', classId: s.classes['1А']!.id } });
  inviteToken = created.body.token;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  // The browser sits in another zone than the school: a time shown in the browser's zone would differ.
  page = await browser.newPage({ locale: 'ru-RU', timezoneId: 'America/Los_Angeles', viewport: { width: 1280, height: 900 } });
});
afterAll(async () => {
  await browser?.close();
});

describe.skipIf(!CHROMIUM)('support console in Chromium', () => {
  it('R-J3: signs in, finds the stuck invite, extends it, then cancels it, and sees each change', async () => {
    await page.goto(`${api.baseUrl}/console/`);
    await page.getByRole('button', { name: 'Войти как сотрудник поддержки' }).click();
    await page.getByRole('heading', { name: 'Зависшие регистрации' }).waitFor();
    await page.locator('input[name=school]').fill(s.school.id);
    // Visibility catches up within a moment: search until the row appears.
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Найти' }).click();
          await page.waitForTimeout(300);
          return page.locator('#stuck-table tbody tr').count();
        },
        { timeout: 15_000, interval: 500 },
      )
      .toBeGreaterThan(0);
    await page.screenshot({ path: join(shots, '1-stuck-list.png'), fullPage: true });
    const row = page.locator('#stuck-table tbody tr').first();
    expect(await row.textContent()).toContain('Школа № 12');
    expect(await row.textContent()).toMatch(/GMT\+8|UTC\+8/); // Irkutsk time, the school's zone
    // Issue 6: stage and waiting party in words, not the codes "active" / "invitee".
    expect(await row.textContent()).toContain('ссылка действует');
    expect(await row.textContent()).toContain('приглашённый');
    expect(await row.textContent()).not.toMatch(/\bactive\b|\binvitee\b/);
    await row.click();

    await page.locator('#detail-waiting').getByText('приглашённого').waitFor();
    const before = await page.locator('.subject-expiresAtLocal').textContent();
    const extend = page.locator('form.action-extend-invite');
    await extend.locator('input[name=days]').fill('25');
    await extend.locator('input[name=reason]').fill('школа попросила продлить');
    await extend.getByRole('button', { name: 'Продлить приглашение' }).click();
    await page.locator('#timeline').getByText('Поддержка: продление приглашения').waitFor();
    const after = await page.locator('.subject-expiresAtLocal').textContent();
    expect(after).not.toBe(before);
    expect(await page.locator('#message').textContent()).toContain('Готово');
    await page.screenshot({ path: join(shots, '2-extended.png'), fullPage: true });

    const cancel = page.locator('form.action-cancel');
    await cancel.locator('input[name=reason]').fill('ссылка ушла не тому');
    await cancel.getByRole('button', { name: 'Отменить' }).click();
    await page.locator('#actions').getByText('Для этого этапа действий нет.').waitFor();
    await page.screenshot({ path: join(shots, '3-cancelled.png'), fullPage: true });
    const preview = await api.call('GET', `/v1/invites/${inviteToken}`);
    expect(preview.body.type).toBe('/problems/invite-revoked');
  });

  it('an authority operator uploads an export: a broken one is refused naming file and column, a good one is accepted', async () => {
    const operator: Principal = { sub: 'op-upload', role: 'authority', schools: [], classes: [], region: '16' };
    const created = await api.call('POST', '/v1/connections', { as: operator, body: { name: 'Выгрузка OneRoster', kind: 'oneroster-csv' } });
    expect(created.status).toBe(201);
    const id = created.body.id as string;

    await page.evaluate(() => localStorage.clear());
    await page.goto(`${api.baseUrl}/console/`);
    await page.getByRole('button', { name: 'Войти как оператор органа управления' }).click();
    await page.getByRole('heading', { name: 'Подключения журналов' }).waitFor();
    const row = page.locator(`tr[data-connection-id="${id}"]`);
    const result = page.locator('#upload-result');

    // The CSV files of a OneRoster 1.2 export, with orgs.csv lacking its "type" column.
    const csvDir = join(oneroster, 'catalyst-v1p2');
    const files = readdirSync(csvDir)
      .filter((n) => n.endsWith('.csv') && n !== 'orgs.csv')
      .map((name) => ({ name, mimeType: 'text/csv', buffer: readFileSync(join(csvDir, name)) }));
    files.push({ name: 'orgs.csv', mimeType: 'text/csv', buffer: Buffer.from('sourcedId,status,name\norg-1,active,Школа\n') });
    await row.locator('input[type=file]').setInputFiles(files);
    await row.getByRole('button', { name: 'Загрузить выгрузку' }).click();
    await result.filter({ hasText: 'не принята' }).waitFor();
    expect(await result.getAttribute('class')).toBe('error');
    expect(await result.textContent()).toMatch(/Выгрузка не принята, ничего не сохранено: файл orgs\.csv, строка 1, столбец «type»/);
    await page.screenshot({ path: join(shots, '4-upload-refused.png'), fullPage: true });
    const stored = async () => (await db.pool.query(`SELECT layout FROM journal_exports WHERE connection_id = $1`, [id])).rows;
    expect(await stored()).toEqual([]);

    await row.locator('input[type=file]').setInputFiles(join(oneroster, 'catalyst-v1p1', 'Test_full_data_set.zip'));
    await row.getByRole('button', { name: 'Загрузить выгрузку' }).click();
    await result.filter({ hasText: 'принята —' }).waitFor();
    expect(await result.getAttribute('class')).toBe('accepted');
    expect(await result.textContent()).toMatch(/«Выгрузка OneRoster»: выгрузка принята — школ: [1-9]\d*, файлов: 1, \d+ КБ/);
    await page.screenshot({ path: join(shots, '5-upload-accepted.png'), fullPage: true });
    expect(await stored()).toEqual([{ layout: 'zip' }]);
  });

  it('R-C5, R-C7: an operator opens a run and reads, in Russian, which chat the bot cannot change and which chat was created again', async () => {
    const operator: Principal = { sub: 'op-runs', role: 'authority', schools: [], classes: [], region: '16' };
    const created = await api.call('POST', '/v1/connections', { as: operator, body: { name: 'ЭлЖур (район)', kind: 'oneroster-csv' } });
    expect(created.status).toBe(201);
    // A finished run as the reconciler leaves it: one school, a chat whose bot lost its admin rights
    // (two refused adds), a chat created again after an unrecorded create.
    const run = await ensureSyncRun(db.pool, { connectionId: created.body.id, workflowId: `reconcile/${created.body.id}/console-test`, kind: 'nightly', dryRun: false });
    await upsertRunSchool(db.pool, run.id, '1001', { status: 'applied', rowsRead: 552 });
    await addRunSchoolWarning(db.pool, run.id, '1001', { code: 'chat-created-again', ref: 'class:c5a', title: '5А' });
    await replaceRunChats(db.pool, run.id, '1001', [
      { chatKey: 'class:c5a', title: '5А', adds: 25, removes: 0, pending: 0, handKept: 0 },
      { chatKey: 'class:c7b', title: '7Б', adds: 2, removes: 0, pending: 0, handKept: 0 },
    ]);
    await db.pool.query(`UPDATE sync_run_chats SET errors = 2, error_detail = $2 WHERE run_id = $1 AND chat_key = 'class:c7b'`, [
      run.id,
      JSON.stringify({ code: 'forbidden', message: 'Permission denied' }),
    ]);
    await refreshSyncRunTotals(db.pool, run.id);
    await setSyncRunStatus(db.pool, run.id, 'applied', { finished: true });

    await page.evaluate(() => localStorage.clear());
    await page.goto(`${api.baseUrl}/console/`);
    await page.getByRole('button', { name: 'Войти как оператор органа управления' }).click();
    await page.locator(`tr[data-connection-id="${created.body.id}"] td`).first().click();
    const row = page.locator(`tr[data-run-id="${run.id}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('применён · ошибок: 2');
    // Issue 12 item 4: a run's time in its connection's zone (the region's; the default when unset), named.
    const listed = await api.call('GET', `/v1/connections/${created.body.id}/runs`, { as: operator });
    const listedRun = listed.body.items.find((r: { id: string }) => r.id === run.id);
    const zone = listedRun.timezone as string;
    const offset = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'shortOffset' }).formatToParts(new Date(listedRun.startedAt)).find((p) => p.type === 'timeZoneName')!.value.replace('GMT', 'UTC');
    const local = new Intl.DateTimeFormat('ru-RU', { timeZone: zone, day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' }).format(new Date(listedRun.startedAt));
    expect(await row.locator('td.started').textContent()).toBe(`${local} (${zone}, ${offset})`);
    await row.locator('td').first().click();
    const detail = page.locator('#run-detail');
    await detail.getByText('Чаты, где изменения не применены').waitFor();
    const text = (await detail.textContent()) ?? '';
    expect(text).toContain('Школа 1001: применён, прочитано строк: 552');
    expect(text).toContain('Чат «5А» создан повторно: прежняя попытка могла создать его в мессенджере — проверьте, нет ли дубликата.');
    expect(text).toContain('Чат «7Б»: у бота нет прав администратора, изменения не применены (2).');
    await page.screenshot({ path: join(shots, '6-run-detail.png'), fullPage: true });
    // The same report in English for an API client that asks for it.
    const en = await api.call('GET', `/v1/sync-runs/${run.id}`, { as: operator, headers: { 'accept-language': 'en' } });
    expect(en.body.chats.find((c: { title: string }) => c.title === '7Б').message).toMatch(/the bot is not an admin/);
    expect(en.body.chats.find((c: { title: string }) => c.title === '5А').message).toBeUndefined();
  });

  it('issue 14.2: support sees a notice the dispatcher gave up on, with the reason and the address masked', async () => {
    const smtp = await startTestSmtp();
    try {
      smtp.rejectRecipients.add('gone.parent@example.ru');
      const { person } = await seedPerson(db.pool, { email: 'gone.parent@example.ru', phone: null });
      await enqueueNotification(db.pool, {
        dedupeKey: `console/${person.id}`,
        kind: 'application.approved',
        recipientKind: 'person',
        recipientId: person.id,
        payload: { schoolId: s.school.id },
      });
      const config = loadConfig({ SMTP_URL: smtp.url, SMTP_FROM: 'noreply@hub.example.ru' });
      await noticeDispatcherFromConfig(config, db.pool, createLogger('silent')).drain();
    } finally {
      await smtp.stop();
    }
    await page.evaluate(() => localStorage.clear());
    await page.goto(`${api.baseUrl}/console/`);
    await page.getByRole('button', { name: 'Войти как сотрудник поддержки' }).click();
    const row = page.locator('#notices-table tbody tr').filter({ hasText: 'Заявка одобрена' });
    await row.waitFor();
    expect(await row.textContent()).toContain('g***@example.ru (email)');
    expect(await row.textContent()).toContain('адрес или номер не принимает сообщения');
    expect(await row.locator('td').nth(3).getAttribute('title')).toContain('recipient-rejected (550)');
    expect(await page.locator('#notices-table').textContent()).not.toContain('gone.parent@example.ru');
    await page.screenshot({ path: join(shots, '7-notices-given-up.png'), fullPage: true });
  });

  it('a wrong token is refused on sign-in without a crash', async () => {
    await page.evaluate(() => localStorage.clear());
    await page.goto(`${api.baseUrl}/console/`);
    await page.locator('#token').fill('nonsense');
    await page.getByRole('button', { name: 'Войти', exact: true }).click();
    expect(await page.locator('#login-error').textContent()).toContain('не похоже на токен');
  });

  it('issue 12 item 4: switched to English, the console speaks English and shows times in the school\'s zone (Asia/Irkutsk), named', async () => {
    const support: Principal = { sub: 'agent-en', role: 'support', schools: [], classes: [] };
    const created = await api.call('POST', `/v1/schools/${s.school.id}/invites`, { as: s.admin, body: { role: 'student', classId: s.classes['1А']!.id } });
    expect(created.status).toBe(201);
    await page.evaluate(() => localStorage.clear());
    await page.goto(`${api.baseUrl}/console/`);
    expect(await page.locator('#lang').inputValue()).toBe('ru'); // Russian by default
    await page.locator('#lang').selectOption('en');
    await page.getByRole('button', { name: 'Sign in as support staff' }).click();
    await page.getByRole('heading', { name: 'Stuck registrations' }).waitFor();
    await page.locator('input[name=school]').fill(s.school.id);
    const row = page.locator('#stuck-table tbody tr').filter({ hasText: 'link is valid' }).first();
    await expect
      .poll(async () => {
        await page.getByRole('button', { name: 'Search' }).click();
        await page.waitForTimeout(300);
        return row.count();
      }, { timeout: 15_000, interval: 500 })
      .toBeGreaterThan(0);
    expect(await page.locator('#stuck-table thead').textContent()).toBe('JourneyStageWaiting onSchoolSinceWaiting for');
    expect(await row.textContent()).toContain('the invitee'); // the API answers in the console's language

    // The time the school reads: the instant the API gives, in Asia/Irkutsk (UTC+8 all year), named.
    const listed = await api.call('GET', `/v1/support/registrations/stuck?school=${s.school.id}&journey=invite`, { as: support });
    const workflowId = await row.getAttribute('title');
    const item = listed.body.items.find((i: { workflowId: string }) => i.workflowId === workflowId);
    const irkutsk = (iso: string) =>
      `${new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Irkutsk', day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' }).format(new Date(iso))} (Asia/Irkutsk, UTC+8)`;
    expect(item.timezone).toBe('Asia/Irkutsk');
    expect(await row.locator('td.since').textContent()).toBe(irkutsk(item.stuckSince));
    expect(irkutsk(item.stuckSince)).not.toContain(new Intl.DateTimeFormat('en-GB', { timeZone: 'America/Los_Angeles', hour: '2-digit', minute: '2-digit' }).format(new Date(item.stuckSince)));

    await row.click();
    await page.locator('#detail-waiting').getByText('Waiting on the invitee').waitFor();
    const detail = await api.call('GET', `/v1/support/registrations/${encodeURIComponent(item.workflowId)}`, { as: support });
    expect(await page.locator('.subject-expiresAtLocal').textContent()).toBe(irkutsk(detail.body.subject.expiresAt));
    expect(await page.locator('#timeline').textContent()).toContain('Process started');
    expect(await page.locator('#timeline li').first().textContent()).toContain(irkutsk(detail.body.timeline[0].at));
    await page.screenshot({ path: join(shots, '7-english.png'), fullPage: true });

    // The choice is remembered across visits; switching back gives Russian again.
    await page.reload();
    await page.getByRole('heading', { name: 'Stuck registrations' }).waitFor();
    await page.locator('#lang').selectOption('ru');
    await page.getByRole('heading', { name: 'Зависшие регистрации' }).waitFor();
  });
});
