// Support and authority console: plain ES module, no framework, no network but this API.
// Words come from the catalogue (GET /console/i18n/{lang}.json, i18n/ in the repository), read with t(key, params).
// Every time is shown in the zone the API names for it (the school's, or the connection's for sync
// runs), formatted here with Intl.DateTimeFormat and named: "05.12.2026, 15:30 (Asia/Irkutsk, UTC+8)".
const $ = (sel) => document.querySelector(sel);
const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c ?? '')));
  return node;
};

import { consoleConfig, finishSignIn, providerToken, signOut, startSignIn } from './sign-in.js';

// Staff sign in through the provider (sign-in.js, tab-only); a pasted or dev token is kept in localStorage.
const state = { token: providerToken() || localStorage.getItem('hub.token') || '', current: null, view: 'login', lang: localStorage.getItem('hub.lang') === 'en' ? 'en' : 'ru', words: {}, config: { oidc: null, devTokens: true } };

/** The text of a catalogue key ("subject.role"), its {placeholders} filled; a missing key shows itself. */
function t(key, params = {}) {
  const text = key.split('.').reduce((node, k) => (node && typeof node === 'object' ? node[k] : undefined), state.words);
  if (typeof text !== 'string') return key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

const LOCALES = { ru: 'ru-RU', en: 'en-GB' };

/** An instant as read in a named zone: date and time in the console's language, then the zone and its offset. */
function when(iso, zone) {
  if (!iso) return '';
  const at = new Date(iso);
  if (!zone) return at.toISOString();
  const time = new Intl.DateTimeFormat(LOCALES[state.lang], { timeZone: zone, day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit' }).format(at);
  const gmt = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'shortOffset' }).formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  return t('timeWithZone', { time, zone, offset: gmt.replace('GMT', 'UTC') });
}

/** Loads the words of a language and writes every data-i18n text of the page. */
async function useLanguage(lang) {
  const res = await fetch(`./i18n/${lang}.json`);
  state.words = await res.json();
  state.lang = lang;
  localStorage.setItem('hub.lang', lang);
  document.documentElement.lang = lang;
  $('#lang').value = lang;
  for (const node of document.querySelectorAll('[data-i18n]')) node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll('[data-i18n-placeholder]')) node.placeholder = t(node.dataset.i18nPlaceholder);
}

async function api(method, path, body) {
  const headers = { accept: 'application/json', 'accept-language': state.lang };
  if (state.token) headers.authorization = `Bearer ${state.token}`;
  // FormData (file uploads) goes as multipart/form-data: the browser writes the header with its boundary.
  const form = body instanceof FormData;
  if (body !== undefined && !form) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : form ? body : JSON.stringify(body) });
  const data = res.headers.get('content-type')?.includes('json') ? await res.json() : await res.text();
  if (!res.ok) {
    if (res.status === 401 && state.token && path !== '/v1/session') return sessionEnded();
    const err = new Error((data && data.detail) || t('httpError', { status: res.status }));
    err.status = res.status;
    throw err;
  }
  return data;
}

function say(text, isError = false) {
  const m = $('#message');
  m.textContent = text;
  m.className = isError ? 'error' : '';
}

function decodeClaims(token) {
  try {
    return JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
  } catch {
    return null;
  }
}

function show(view) {
  state.view = view;
  for (const id of ['login', 'stuck', 'connections']) $(`#${id}`).hidden = id !== view;
  for (const b of document.querySelectorAll('nav .tab')) b.classList.toggle('active', b.dataset.view === view);
  if (view === 'stuck') void loadStuck();
  if (view === 'stuck') void loadFailedNotices();
  if (view === 'connections') void loadConnections();
}

// Who the token stands for, as the API reads it: a provider's token names the provider's roles, not the hub's.
async function signedIn(view) {
  let me;
  try {
    me = await api('GET', '/v1/session');
  } catch (err) {
    $('#login-error').textContent = err.message;
    return show('login');
  }
  $('#login-error').textContent = '';
  $('#nav').hidden = false;
  $('#who').textContent = `${me.name ?? me.sub} — ${state.words.roles?.[me.role] ?? me.role}`;
  show(view ?? (me.role === 'authority' ? 'connections' : 'stuck'));
}

/** The API no longer accepts the token (expired, signed out elsewhere): back to sign-in, saying so. */
function sessionEnded() {
  state.token = '';
  localStorage.removeItem('hub.token');
  void signOut(null);
  $('#nav').hidden = true;
  show('login');
  $('#login-error').textContent = t('sessionEnded');
  throw Object.assign(new Error(t('sessionEnded')), { status: 401 });
}

$('#login-form').addEventListener('submit', (e) => {
  e.preventDefault();
  state.token = $('#token').value.trim();
  if (!decodeClaims(state.token)) {
    $('#login-error').textContent = t('notAToken');
    return;
  }
  localStorage.setItem('hub.token', state.token);
  signedIn();
});

for (const b of document.querySelectorAll('[data-dev-role]')) {
  b.addEventListener('click', async () => {
    try {
      const role = b.dataset.devRole;
      // An authority operator acts for one region (the dev stack's demo connection is in region 16).
      const { token } = await api('POST', '/v1/dev/token', { sub: `console-${role}`, role, ...(role === 'authority' ? { region: b.dataset.devRegion ?? '16' } : {}) });
      state.token = token;
      localStorage.setItem('hub.token', token);
      signedIn();
    } catch (err) {
      $('#login-error').textContent = err.status === 404 ? t('devTokensOff') : err.message;
    }
  });
}

$('#oidc-login').addEventListener('click', () => {
  startSignIn(state.config.oidc).catch((err) => ($('#login-error').textContent = err.message));
});

$('#logout').addEventListener('click', async () => {
  state.token = '';
  localStorage.removeItem('hub.token');
  const providerLogout = await signOut(state.config.oidc);
  if (providerLogout) return location.assign(providerLogout);
  $('#nav').hidden = true;
  show('login');
});
for (const b of document.querySelectorAll('nav .tab')) b.addEventListener('click', () => show(b.dataset.view));

// ---- stuck registrations ----

const age = (minutes) =>
  minutes < 60 ? t('ageMinutes', { n: minutes }) : minutes < 2880 ? t('ageHours', { n: Math.floor(minutes / 60) }) : t('ageDays', { n: Math.floor(minutes / 1440) });

/** Searches overlap (opening the tab, then a filter): only the answer to the latest one is shown. */
let stuckSearch = 0;

async function loadStuck() {
  const params = new URLSearchParams();
  for (const [k, v] of new FormData($('#filters'))) if (String(v).trim() !== '') params.set(k, String(v).trim());
  const search = ++stuckSearch;
  try {
    const { items } = await api('GET', `/v1/support/registrations/stuck?${params}`);
    if (search !== stuckSearch) return;
    const tbody = $('#stuck-table tbody');
    tbody.replaceChildren(
      ...items.map((i) => {
        const tr = el(
          'tr',
          { title: i.workflowId },
          el('td', {}, i.journeyTitle ?? i.journey),
          el('td', { title: i.stage ?? '' }, i.stageTitle ?? i.stage ?? '—'),
          el('td', { title: i.waitingOn ?? '' }, i.waitingOnTitle ?? i.waitingOn ?? '—'),
          el('td', {}, i.school?.name ?? '—'),
          el('td', { className: 'since' }, when(i.stuckSince, i.timezone)),
          el('td', {}, age(i.ageMinutes)),
        );
        tr.dataset.workflowId = i.workflowId;
        tr.addEventListener('click', () => void openDetail(i.workflowId));
        return tr;
      }),
    );
    $('#stuck-empty').hidden = items.length > 0;
  } catch (err) {
    say(err.message, true);
  }
}
// ---- notices the dispatcher gave up on (issue 14): addresses come masked from the API ----

async function loadFailedNotices() {
  try {
    const { items } = await api('GET', '/v1/support/notices?state=given-up');
    $('#notices-table tbody').replaceChildren(
      ...items.map((n) =>
        el(
          'tr',
          { title: `${n.kind} #${n.id}` },
          el('td', {}, n.title),
          el('td', {}, n.deliveries.length ? n.deliveries.map((d) => `${d.address} (${d.channel})`).join(', ') : `${n.recipientKind} ${n.recipientId}`),
          el('td', {}, n.attempts),
          el('td', { title: n.lastError ?? '' }, n.reasonTitle ?? n.lastError ?? ''),
          el('td', {}, when(n.gaveUpAt, n.timezone)),
        ),
      ),
    );
    $('#notices-empty').hidden = items.length > 0;
  } catch (err) {
    say(err.message, true);
  }
}

$('#filters').addEventListener('submit', (e) => {
  e.preventDefault();
  void loadStuck();
});

/** Subject fields that are instants: shown in the school's zone under their own label. */
const TIMES = ['expiresAt', 'codeExpiresAt'];

function renderDetail(d) {
  state.current = d;
  $('#detail').hidden = false;
  $('#detail-title').textContent = `${d.journeyTitle}: ${d.stageTitle}${d.school ? ` — ${d.school.name}` : ''}`;
  $('#detail-waiting').textContent = d.waitingOnText;
  $('#detail-zone').textContent = t('timesIn', { zone: d.timezone });
  const dl = $('#detail-subject');
  dl.replaceChildren();
  for (const [k, v] of Object.entries(d.subject)) {
    if (k === 'person' || TIMES.includes(k)) continue;
    const time = TIMES.find((name) => k === `${name}Local`);
    if (time) dl.append(el('dt', {}, t(`subject.${time}`)), el('dd', { className: `subject-${k}` }, when(d.subject[time], d.timezone)));
    else dl.append(el('dt', {}, t(`subject.${k}`)), el('dd', { className: `subject-${k}` }, v ?? '—'));
  }
  const p = d.subject.person;
  if (p) {
    dl.append(el('dt', {}, t('subject.person')), el('dd', { className: 'subject-person' }, [p.name, p.phone, p.email].filter(Boolean).join(', ')));
  }
  $('#reveal').hidden = !p;

  const actions = $('#actions');
  actions.replaceChildren(
    ...d.actions.map((a) => {
      const form = el('form', { className: `action action-${a.action}` });
      if (a.action === 'extend-invite') form.append(el('label', {}, t('extendDays'), el('input', { name: 'days', type: 'number', min: 1, max: 365, value: 7, required: true })));
      form.append(el('label', {}, t('reason'), el('input', { name: 'reason', required: true, minLength: 3, size: 40 })));
      form.append(el('button', { type: 'submit', className: 'primary' }, a.title));
      form.addEventListener('submit', async (e) => {
        e.preventDefault();
        const f = new FormData(form);
        const body = { action: a.action, reason: String(f.get('reason')) };
        if (a.action === 'extend-invite') body.days = Number(f.get('days'));
        try {
          renderDetail(await api('POST', `/v1/support/registrations/${encodeURIComponent(d.workflowId)}/actions`, body));
          say(t('done', { action: a.title.toLowerCase() }));
          void loadStuck();
        } catch (err) {
          say(err.message, true);
        }
      });
      return form;
    }),
  );
  if (d.actions.length === 0) actions.append(el('p', {}, t('noActions')));

  $('#timeline').replaceChildren(
    ...d.timeline.map((e) =>
      el('li', { className: `src-${e.source}` }, `${when(e.at, d.timezone)} — ${e.text}${e.actor ? ` (${e.actor})` : ''}${e.reason ? `: ${t('quote', { text: e.reason })}` : ''}`),
    ),
  );
}

async function openDetail(workflowId) {
  try {
    renderDetail(await api('GET', `/v1/support/registrations/${encodeURIComponent(workflowId)}`));
  } catch (err) {
    say(err.message, true);
  }
}

$('#reveal').addEventListener('click', async () => {
  const reason = prompt(t('revealWhy'));
  if (!reason) return;
  try {
    const { person } = await api('POST', `/v1/support/registrations/${encodeURIComponent(state.current.workflowId)}/reveal`, { reason });
    if (person) document.querySelector('.subject-person').textContent = [person.name, person.phone, person.email].filter(Boolean).join(', ');
  } catch (err) {
    say(err.message, true);
  }
});

// ---- journal connections and sync runs (authority) ----

/** Run, school and connection states as the operator reads them (an unknown one is shown as it is). */
const stateLabel = (code) => (state.words.states && Object.hasOwn(state.words.states, code) ? state.words.states[code] : code);

function runsChart(runs) {
  const data = runs.filter((r) => r.report).slice(-30);
  if (data.length === 0) return el('p', {}, t('noReports'));
  const W = 640, H = 180, pad = 30;
  const max = Math.max(1, ...data.map((r) => Math.max(r.report.adds ?? 0, r.report.removes ?? 0)));
  const x = (i) => pad + (i * (W - 2 * pad)) / Math.max(1, data.length - 1);
  const y = (v) => H - pad - (v * (H - 2 * pad)) / max;
  const line = (key) => data.map((r, i) => `${i ? 'L' : 'M'}${x(i).toFixed(1)},${y(r.report[key] ?? 0).toFixed(1)}`).join(' ');
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.setAttribute('width', String(W));
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', t('chartLabel'));
  const add = (tag, attrs, text) => {
    const n = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
    if (text) n.textContent = text;
    svg.append(n);
  };
  add('line', { x1: pad, y1: H - pad, x2: W - pad, y2: H - pad, stroke: '#999' });
  add('path', { d: line('adds'), fill: 'none', stroke: '#2e7d32', 'stroke-width': 2, class: 'adds' });
  add('path', { d: line('removes'), fill: 'none', stroke: '#c62828', 'stroke-width': 2, class: 'removes' });
  add('text', { x: pad, y: 14 }, t('chartLegend', { max }));
  add('text', { x: pad, y: H - 8 }, when(data[0].startedAt, data[0].timezone));
  add('text', { x: W - pad, y: H - 8, 'text-anchor': 'end' }, when(data[data.length - 1].startedAt, data[data.length - 1].timezone));
  return svg;
}

/** Connections that read an uploaded export, and the files each takes. */
const FILE_KINDS = {
  'oneroster-csv': { accept: '.zip,.csv' },
  'esh-file': { accept: '.zip,.csv' },
  'epos-file': { accept: '.jsonl' },
};

const kb = (bytes) => t('kb', { n: Math.max(1, Math.round(bytes / 1024)) });

function showUpload(text, isError) {
  const out = $('#upload-result');
  out.hidden = false;
  out.textContent = text;
  out.className = isError ? 'error' : 'accepted';
}

/** "Upload export" for a file-based connection: the chosen files go as multipart/form-data to POST …/export. */
function uploadControl(c) {
  const kind = FILE_KINDS[c.kind];
  const input = el('input', { type: 'file', name: 'files', multiple: c.kind !== 'epos-file', accept: kind.accept, required: true });
  const form = el('form', { className: 'upload' },
    el('label', {}, t('exportField', { hint: t(`fileHints.${c.kind}`) }), input),
    el('button', { type: 'submit' }, t('uploadExport')),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = new FormData();
    for (const f of input.files) body.append('files', f, f.name);
    const button = form.querySelector('button');
    button.disabled = true;
    showUpload(t('uploadChecking', { name: c.name }), false);
    try {
      const r = await api('POST', `/v1/connections/${c.id}/export`, body);
      showUpload(t('uploadAccepted', { name: c.name, schools: r.schools, files: r.files.length, size: kb(r.bytes) }), false);
      form.reset();
    } catch (err) {
      showUpload(t('uploadRefused', { name: c.name, detail: err.message }), true);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

async function loadConnections() {
  const body = $('#connections-body');
  try {
    const { items } = await api('GET', '/v1/connections');
    body.replaceChildren(
      el('table', {},
        el('thead', {}, el('tr', {}, ...[...['colSource', 'colAddress', 'colSchools', 'colNightly', 'colState'].map((k) => t(k)), ''].map((h) => el('th', {}, h)))),
        el('tbody', {}, ...items.map((c) => {
          const toggle = el('button', { type: 'button' }, c.status === 'enabled' ? t('pause') : t('enable'));
          toggle.addEventListener('click', async () => {
            await api('POST', `/v1/connections/${c.id}/${c.status === 'enabled' ? 'pause' : 'enable'}`, {}).catch((e) => say(e.message, true));
            void loadConnections();
          });
          const controls = el('td', {}, toggle);
          if (FILE_KINDS[c.kind]) controls.append(uploadControl(c));
          const source = c.settings?.baseUrl ?? (FILE_KINDS[c.kind] ? t('fileSource') : '—');
          const tr = el('tr', {}, el('td', {}, c.name ?? c.kind), el('td', {}, source), el('td', {}, c.schools?.length ?? 0), el('td', {}, c.nightlyAt ? `${c.nightlyAt} (${c.timezone ?? ''})` : '—'), el('td', {}, stateLabel(c.status)), controls);
          tr.dataset.connectionId = c.id;
          tr.addEventListener('click', (e) => { if (!controls.contains(e.target)) void loadRuns(c.id); });
          return tr;
        })),
      ),
    );
    if (items[0]) void loadRuns(items[0].id);
  } catch (err) {
    body.replaceChildren(el('p', {}, err.status === 404 ? t('connectionsMissing') : err.message));
  }
}

async function loadRuns(connectionId) {
  try {
    const { items } = await api('GET', `/v1/connections/${connectionId}/runs`);
    $('#runs-chart').replaceChildren(runsChart([...items].reverse()));
    $('#runs-table tbody').replaceChildren(...items.map((r) => {
      const cell = el('td');
      if (r.status === 'awaiting-confirmation') {
        for (const [what, title] of [['confirm', t('confirm')], ['discard', t('discard')]]) {
          const b = el('button', { type: 'button' }, title);
          b.addEventListener('click', async () => {
            const reason = prompt(t('runReason'));
            if (!reason) return;
            await api('POST', `/v1/sync-runs/${r.id}/${what}`, { reason }).catch((e) => say(e.message, true));
            void loadRuns(connectionId);
          });
          cell.append(b);
        }
      }
      const progress = r.progress ? ` (${r.progress.done}/${r.progress.total})` : '';
      let notes = (r.report?.errors ?? 0) > 0 ? t('errorsNote', { n: r.report.errors }) : '';
      // Issue 13: people handed an invite link are not members yet; shown apart from the added ones.
      if (r.report?.invited || r.report?.invitedWaiting) notes += t('invitesNote', { invited: r.report.invited ?? 0, waiting: r.report.invitedWaiting ?? 0 });
      if (r.report?.refused) notes += t('refusedNote', { n: r.report.refused });
      const tr = el('tr', {}, el('td', { className: 'started' }, when(r.startedAt, r.timezone)), el('td', {}, stateLabel(r.status) + progress + notes), el('td', {}, r.report?.adds ?? '—'), el('td', {}, r.report?.removes ?? '—'), cell);
      tr.dataset.runId = r.id;
      tr.addEventListener('click', (e) => { if (!cell.contains(e.target)) void loadRunDetail(r.id); });
      return tr;
    }));
    $('#run-detail').replaceChildren();
  } catch (err) {
    say(err.message, true);
  }
}

/** One run: per school its state and what needs a human (warnings), then the chats whose changes were refused. */
async function loadRunDetail(runId) {
  const box = $('#run-detail');
  try {
    const run = await api('GET', `/v1/sync-runs/${runId}`);
    const schools = run.schools.map((sch) =>
      el('li', {}, t('runSchool', { school: sch.schoolExternalId, state: stateLabel(sch.status), rows: sch.rowsRead }),
        ...(sch.warnings.length ? [el('ul', {}, ...sch.warnings.map((w) => el('li', { className: 'warning' }, w.message)))] : [])));
    const refused = run.chats.filter((c) => c.errors > 0).map((c) => el('li', { className: 'error' }, c.message));
    const invites = run.chats
      .filter((c) => c.appliedInvites || c.invitedWaiting || c.joinedFromInvites || c.refused)
      .map((c) => el('li', { className: 'invites' },
        t('chatInvites', { title: c.title, added: c.appliedAdds, invited: c.appliedInvites, waiting: c.invitedWaiting, joined: c.joinedFromInvites }) +
        (c.refused ? t('chatRefused', { n: c.refused }) : '')));
    box.replaceChildren(
      el('h4', {}, t('runTitle', { start: when(run.startedAt, run.timezone) })),
      el('ul', {}, ...schools),
      ...(refused.length ? [el('h4', {}, t('refusedChats')), el('ul', {}, ...refused)] : []),
      ...(invites.length ? [el('h4', {}, t('invitesTitle')), el('ul', {}, ...invites)] : []),
    );
  } catch (err) {
    say(err.message, true);
  }
}

$('#lang').addEventListener('change', async () => {
  await useLanguage($('#lang').value);
  // Answers carry words too (titles, problem details): ask again in the new language.
  if (state.view !== 'login') void signedIn(state.view);
  if (state.current && state.view === 'stuck') void openDetail(state.current.workflowId);
});

/** A sign-in failure in the console's words (sign-in.js names it by a catalogue key). */
const signInMessage = (err) => (err.i18n ? t(err.i18n, err.params ?? {}) : err.message);

async function boot() {
  await useLanguage(state.lang);
  state.config = await consoleConfig();
  $('#oidc-login').hidden = !state.config.oidc;
  $('#dev-login').hidden = !state.config.devTokens;
  try {
    const fromProvider = await finishSignIn(state.config.oidc);
    if (fromProvider) state.token = fromProvider;
  } catch (err) {
    $('#login-error').textContent = signInMessage(err);
  }
  if (state.token) await signedIn();
  else show('login');
}
void boot();
