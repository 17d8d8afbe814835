// Support and authority console: plain ES module, no framework, no network but this API.
// Every time shown comes from the API already formatted in the school's time zone (…Local fields).
const $ = (sel) => document.querySelector(sel);
const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c ?? '')));
  return node;
};

import { consoleConfig, finishSignIn, providerToken, signOut, startSignIn } from './sign-in.js';

// Staff sign in through the provider (sign-in.js, tab-only); a pasted or dev token is kept in localStorage.
const state = { token: providerToken() || localStorage.getItem('hub.token') || '', current: null, config: { oidc: null, devTokens: true } };

async function api(method, path, body) {
  const headers = { accept: 'application/json' };
  if (state.token) headers.authorization = `Bearer ${state.token}`;
  // FormData (file uploads) goes as multipart/form-data: the browser writes the header with its boundary.
  const form = body instanceof FormData;
  if (body !== undefined && !form) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : form ? body : JSON.stringify(body) });
  const data = res.headers.get('content-type')?.includes('json') ? await res.json() : await res.text();
  if (!res.ok) {
    if (res.status === 401 && state.token && path !== '/v1/session') return sessionEnded();
    const err = new Error((data && data.detail) || `Ошибка ${res.status}`);
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

const ROLE_TITLES = { support: 'поддержка', authority: 'орган управления образованием', school_admin: 'администратор школы', class_teacher: 'классный руководитель', person: 'пользователь' };

function show(view) {
  for (const id of ['login', 'stuck', 'connections']) $(`#${id}`).hidden = id !== view;
  for (const b of document.querySelectorAll('nav .tab')) b.classList.toggle('active', b.dataset.view === view);
  if (view === 'stuck') void loadStuck();
  if (view === 'connections') void loadConnections();
}

// Who the token stands for, as the API reads it: a provider's token names the provider's roles, not the hub's.
async function signedIn() {
  let me;
  try {
    me = await api('GET', '/v1/session');
  } catch (err) {
    $('#login-error').textContent = err.message;
    return show('login');
  }
  $('#login-error').textContent = '';
  $('#nav').hidden = false;
  $('#who').textContent = `${me.name ?? me.sub} — ${ROLE_TITLES[me.role] ?? me.role}`;
  show(me.role === 'authority' ? 'connections' : 'stuck');
}

/** The API no longer accepts the token (expired, signed out elsewhere): back to sign-in, saying so. */
function sessionEnded() {
  state.token = '';
  localStorage.removeItem('hub.token');
  void signOut(null);
  $('#nav').hidden = true;
  show('login');
  $('#login-error').textContent = 'Сеанс завершён. Войдите снова.';
  throw Object.assign(new Error('Сеанс завершён. Войдите снова.'), { status: 401 });
}

$('#login-form').addEventListener('submit', (e) => {
  e.preventDefault();
  state.token = $('#token').value.trim();
  if (!decodeClaims(state.token)) {
    $('#login-error').textContent = 'Это не похоже на токен доступа.';
    return;
  }
  localStorage.setItem('hub.token', state.token);
  signedIn();
});

for (const b of document.querySelectorAll('[data-dev-role]')) {
  b.addEventListener('click', async () => {
    try {
      const role = b.dataset.devRole;
      const { token } = await api('POST', '/v1/dev/token', { sub: `console-${role}`, role, ...(role === 'authority' ? { region: undefined } : {}) });
      state.token = token;
      localStorage.setItem('hub.token', token);
      signedIn();
    } catch (err) {
      $('#login-error').textContent = err.status === 404 ? 'Выдача токенов выключена: это не стенд разработчика. Вставьте токен.' : err.message;
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

const JOURNEYS = { signup: 'Регистрация', invite: 'Приглашение', application: 'Заявка', guardians: 'Подтверждение родителем' };
const age = (minutes) => (minutes < 60 ? `${minutes} мин` : minutes < 2880 ? `${Math.floor(minutes / 60)} ч` : `${Math.floor(minutes / 1440)} дн`);

async function loadStuck() {
  const params = new URLSearchParams();
  for (const [k, v] of new FormData($('#filters'))) if (String(v).trim() !== '') params.set(k, String(v).trim());
  try {
    const { items } = await api('GET', `/v1/support/registrations/stuck?${params}`);
    const tbody = $('#stuck-table tbody');
    tbody.replaceChildren(
      ...items.map((i) => {
        const tr = el(
          'tr',
          { title: i.workflowId },
          el('td', {}, i.journeyTitle ?? JOURNEYS[i.journey] ?? i.journey),
          el('td', { title: i.stage ?? '' }, i.stageTitle ?? i.stage ?? '—'),
          el('td', { title: i.waitingOn ?? '' }, i.waitingOnTitle ?? i.waitingOn ?? '—'),
          el('td', {}, i.school?.name ?? '—'),
          el('td', {}, i.stuckSinceLocal ?? ''),
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
$('#filters').addEventListener('submit', (e) => {
  e.preventDefault();
  void loadStuck();
});

const SUBJECT_TITLES = {
  role: 'Роль',
  class: 'Класс',
  status: 'Статус',
  expiresAtLocal: 'Действует до',
  inviteId: 'Приглашение',
  applicationId: 'Заявка',
  channel: 'Канал кода',
  resendInSeconds: 'Повторная отправка возможна через, с',
  codeExpiresAtLocal: 'Код действует до',
};

function renderDetail(d) {
  state.current = d;
  $('#detail').hidden = false;
  $('#detail-title').textContent = `${d.journeyTitle}: ${d.stageTitle}${d.school ? ` — ${d.school.name}` : ''}`;
  $('#detail-waiting').textContent = d.waitingOnText;
  $('#detail-zone').textContent = `(время: ${d.timezone})`;
  const dl = $('#detail-subject');
  dl.replaceChildren();
  for (const [k, v] of Object.entries(d.subject)) {
    if (k === 'person' || k === 'expiresAt') continue;
    dl.append(el('dt', {}, SUBJECT_TITLES[k] ?? k), el('dd', { className: `subject-${k}` }, v ?? '—'));
  }
  const p = d.subject.person;
  if (p) {
    dl.append(el('dt', {}, 'Человек'), el('dd', { className: 'subject-person' }, [p.name, p.phone, p.email].filter(Boolean).join(', ')));
  }
  $('#reveal').hidden = !p;

  const actions = $('#actions');
  actions.replaceChildren(
    ...d.actions.map((a) => {
      const form = el('form', { className: `action action-${a.action}` });
      if (a.action === 'extend-invite') form.append(el('label', {}, 'Продлить на, дней', el('input', { name: 'days', type: 'number', min: 1, max: 365, value: 7, required: true })));
      form.append(el('label', {}, 'Причина (обязательно)', el('input', { name: 'reason', required: true, minLength: 3, size: 40 })));
      form.append(el('button', { type: 'submit', className: 'primary' }, a.title));
      form.addEventListener('submit', async (e) => {
        e.preventDefault();
        const f = new FormData(form);
        const body = { action: a.action, reason: String(f.get('reason')) };
        if (a.action === 'extend-invite') body.days = Number(f.get('days'));
        try {
          renderDetail(await api('POST', `/v1/support/registrations/${encodeURIComponent(d.workflowId)}/actions`, body));
          say(`Готово: ${a.title.toLowerCase()}.`);
          void loadStuck();
        } catch (err) {
          say(err.message, true);
        }
      });
      return form;
    }),
  );
  if (d.actions.length === 0) actions.append(el('p', {}, 'Для этого этапа действий нет.'));

  $('#timeline').replaceChildren(
    ...d.timeline.map((t) =>
      el('li', { className: `src-${t.source}` }, `${t.atLocal} — ${t.text}${t.actor ? ` (${t.actor})` : ''}${t.reason ? `: «${t.reason}»` : ''}`),
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
  const reason = prompt('Зачем нужны персональные данные? Причина сохранится в журнале.');
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
const STATE_LABELS = {
  running: 'идёт', 'awaiting-confirmation': 'ждёт подтверждения', applied: 'применён', planned: 'только план (пробный запуск)',
  discarded: 'отменён', failed: 'ошибка', reading: 'чтение журнала', held: 'остановлен защитой от массовых изменений',
  applying: 'применяется', enabled: 'включено', paused: 'приостановлено', disabled: 'выключено',
};
const stateLabel = (code) => STATE_LABELS[code] ?? code;

function runsChart(runs) {
  const data = runs.filter((r) => r.report).slice(-30);
  if (data.length === 0) return el('p', {}, 'Отчётов синхронизаций пока нет.');
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
  svg.setAttribute('aria-label', 'Добавления и удаления по запускам');
  const add = (tag, attrs, text) => {
    const n = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
    if (text) n.textContent = text;
    svg.append(n);
  };
  add('line', { x1: pad, y1: H - pad, x2: W - pad, y2: H - pad, stroke: '#999' });
  add('path', { d: line('adds'), fill: 'none', stroke: '#2e7d32', 'stroke-width': 2, class: 'adds' });
  add('path', { d: line('removes'), fill: 'none', stroke: '#c62828', 'stroke-width': 2, class: 'removes' });
  add('text', { x: pad, y: 14 }, `добавлено (зелёный) / удалено (красный), максимум ${max}`);
  add('text', { x: pad, y: H - 8 }, data[0].startedAtLocal ?? '');
  add('text', { x: W - pad, y: H - 8, 'text-anchor': 'end' }, data[data.length - 1].startedAtLocal ?? '');
  return svg;
}

/** Connections that read an uploaded export, and the files each takes. */
const FILE_KINDS = {
  'oneroster-csv': { accept: '.zip,.csv', hint: 'ZIP-архив или CSV-файлы OneRoster' },
  'esh-file': { accept: '.zip,.csv', hint: 'ZIP-архив или CSV-файлы ЭШ' },
  'epos-file': { accept: '.jsonl', hint: 'файл .jsonl ЭПОС' },
};

const kb = (bytes) => `${Math.max(1, Math.round(bytes / 1024))} КБ`;

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
    el('label', {}, `Выгрузка (${kind.hint})`, input),
    el('button', { type: 'submit' }, 'Загрузить выгрузку'),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const body = new FormData();
    for (const f of input.files) body.append('files', f, f.name);
    const button = form.querySelector('button');
    button.disabled = true;
    showUpload(`«${c.name}»: выгрузка проверяется…`, false);
    try {
      const r = await api('POST', `/v1/connections/${c.id}/export`, body);
      showUpload(`«${c.name}»: выгрузка принята — школ: ${r.schools}, файлов: ${r.files.length}, ${kb(r.bytes)}. Следующая синхронизация прочитает её.`, false);
      form.reset();
    } catch (err) {
      showUpload(`«${c.name}»: ${err.message}`, true);
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
        el('thead', {}, el('tr', {}, ...['Источник', 'Адрес', 'Школ', 'Ночной запуск', 'Состояние', ''].map((h) => el('th', {}, h)))),
        el('tbody', {}, ...items.map((c) => {
          const toggle = el('button', { type: 'button' }, c.status === 'enabled' ? 'Приостановить' : 'Включить');
          toggle.addEventListener('click', async () => {
            await api('POST', `/v1/connections/${c.id}/${c.status === 'enabled' ? 'pause' : 'enable'}`, {}).catch((e) => say(e.message, true));
            void loadConnections();
          });
          const controls = el('td', {}, toggle);
          if (FILE_KINDS[c.kind]) controls.append(uploadControl(c));
          const source = c.settings?.baseUrl ?? (FILE_KINDS[c.kind] ? 'выгрузка из файлов' : '—');
          const tr = el('tr', {}, el('td', {}, c.name ?? c.kind), el('td', {}, source), el('td', {}, c.schools?.length ?? 0), el('td', {}, `${c.nightlyAt ?? ''} ${c.timezone ?? ''}`), el('td', {}, stateLabel(c.status)), controls);
          tr.dataset.connectionId = c.id;
          tr.addEventListener('click', (e) => { if (!controls.contains(e.target)) void loadRuns(c.id); });
          return tr;
        })),
      ),
    );
    if (items[0]) void loadRuns(items[0].id);
  } catch (err) {
    body.replaceChildren(el('p', {}, err.status === 404 ? 'Подключения журналов ещё не доступны в этой версии API.' : err.message));
  }
}

async function loadRuns(connectionId) {
  try {
    const { items } = await api('GET', `/v1/connections/${connectionId}/runs`);
    $('#runs-chart').replaceChildren(runsChart([...items].reverse()));
    $('#runs-table tbody').replaceChildren(...items.map((r) => {
      const cell = el('td');
      if (r.status === 'awaiting-confirmation') {
        for (const [what, title] of [['confirm', 'Подтвердить'], ['discard', 'Отменить']]) {
          const b = el('button', { type: 'button' }, title);
          b.addEventListener('click', async () => {
            const reason = prompt('Причина (сохранится в журнале):');
            if (!reason) return;
            await api('POST', `/v1/sync-runs/${r.id}/${what}`, { reason }).catch((e) => say(e.message, true));
            void loadRuns(connectionId);
          });
          cell.append(b);
        }
      }
      const progress = r.progress ? ` (${r.progress.done}/${r.progress.total})` : '';
      const notes = (r.report?.errors ?? 0) > 0 ? ` · ошибок: ${r.report.errors}` : '';
      const tr = el('tr', {}, el('td', {}, r.startedAtLocal ?? r.id), el('td', {}, stateLabel(r.status) + progress + notes), el('td', {}, r.report?.adds ?? '—'), el('td', {}, r.report?.removes ?? '—'), cell);
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
      el('li', {}, `Школа ${sch.schoolExternalId}: ${stateLabel(sch.status)}, прочитано строк: ${sch.rowsRead}`,
        ...(sch.warnings.length ? [el('ul', {}, ...sch.warnings.map((w) => el('li', { className: 'warning' }, w.message)))] : [])));
    const refused = run.chats.filter((c) => c.errors > 0).map((c) => el('li', { className: 'error' }, c.message));
    box.replaceChildren(
      el('h4', {}, `Запуск ${run.startedAtLocal ?? run.id}`),
      el('ul', {}, ...schools),
      ...(refused.length ? [el('h4', {}, 'Чаты, где изменения не применены'), el('ul', {}, ...refused)] : []),
    );
  } catch (err) {
    say(err.message, true);
  }
}

async function boot() {
  state.config = await consoleConfig();
  $('#oidc-login').hidden = !state.config.oidc;
  $('#dev-login').hidden = !state.config.devTokens;
  try {
    const fromProvider = await finishSignIn(state.config.oidc);
    if (fromProvider) state.token = fromProvider;
  } catch (err) {
    $('#login-error').textContent = err.message;
  }
  if (state.token) await signedIn();
  else show('login');
}
void boot();
