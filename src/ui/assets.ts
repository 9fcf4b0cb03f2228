/**
 * The web view's two static assets, served by the app itself (no build step). The script keeps the
 * bearer token in sessionStorage (this tab only, gone when it closes) and sends it as an
 * Authorization header with every fetch: no cookie, so no request a third-party site makes carries
 * the user's rights (no CSRF), and the pages themselves hold no data.
 */
export const APP_JS = String.raw`'use strict';
(() => {
  const KEY = 'ti-ledger-token';
  const token = () => sessionStorage.getItem(KEY);
  const $ = (s, el = document) => el.querySelector(s);
  const main = $('#content');
  const today = new Date().toISOString().slice(0, 10);

  async function api(url, init = {}) {
    const headers = Object.assign({ authorization: 'Bearer ' + token() }, init.headers || {});
    return fetch(url, Object.assign({}, init, { headers }));
  }
  async function problem(res) {
    try { const p = await res.json(); return p.detail || p.title || String(res.status); } catch { return String(res.status); }
  }
  function toLogin() {
    location.assign('/ui?suite=' + encodeURIComponent(location.pathname + location.search));
  }

  async function load(extra) {
    if (!main || !main.dataset.fragment) return;
    if (!token()) return toLogin();
    const qs = new URLSearchParams(location.search);
    for (const [k, v] of Object.entries(extra || {})) qs.set(k, v);
    const q = qs.toString();
    const res = await api(main.dataset.fragment + (q ? '?' + q : ''));
    if (res.status === 401) { sessionStorage.removeItem(KEY); return toLogin(); }
    if (!res.ok) {
      main.innerHTML = '';
      const p = document.createElement('p');
      p.className = 'refused';
      p.setAttribute('role', 'alert');
      p.textContent = (res.status === 403 ? 'Accès refusé : ' : 'Erreur ' + res.status + ' : ') + (await problem(res));
      main.append(p);
      return;
    }
    main.innerHTML = await res.text();
    main.dataset.loaded = 'true';
  }

  async function whoami() {
    if (!token()) return;
    const res = await api('/ui/fragments/moi');
    if (res.ok) { $('#whoami').innerHTML = await res.text(); $('#logout').hidden = false; }
  }

  // the login page: paste a token, or (local mode) pick a role
  const login = $('#login');
  if (login) {
    const next = new URLSearchParams(location.search).get('suite') || '/ui/avancement';
    const go = async (value) => {
      sessionStorage.setItem(KEY, value.trim());
      const res = await api('/ui/fragments/moi');
      if (res.ok) return location.assign(next.startsWith('/ui') ? next : '/ui');
      sessionStorage.removeItem(KEY);
      $('#login-error').textContent = 'Jeton refusé : ' + (await problem(res));
    };
    login.addEventListener('submit', (e) => { e.preventDefault(); void go($('#token').value); });
    fetch('/ui/local-tokens').then(async (res) => {
      if (!res.ok) return;
      const list = $('#local-roles');
      for (const t of await res.json()) {
        const b = document.createElement('button');
        b.type = 'button';
        b.textContent = t.label;
        b.dataset.role = t.role;
        b.addEventListener('click', () => void go(t.token));
        list.append(b);
      }
      $('#local').hidden = false;
    });
  }
  const logout = $('#logout');
  if (logout) logout.addEventListener('click', () => { sessionStorage.removeItem(KEY); location.assign('/ui'); });

  document.addEventListener('submit', (e) => { if (e.target.classList.contains('decide')) e.preventDefault(); });
  // the queue's actions: the existing API, with the revision seen as If-Match
  document.addEventListener('click', async (e) => {
    const b = e.target.closest && e.target.closest('button[data-action]');
    if (!b) return;
    const item = b.closest('[data-item]');
    const decidedOn = $('input[name=decidedOn]', item).value || today;
    const text = $('textarea[name=text]', item).value.trim();
    const out = $('.result', item);
    const action = b.dataset.action;
    if (action !== 'validate' && !text) { out.textContent = 'Indiquez le motif.'; return; }
    const body = action === 'validate' ? Object.assign({ decidedOn }, text ? { comment: text } : {}) : { decidedOn, reason: text };
    for (const x of item.querySelectorAll('button')) x.disabled = true;
    const res = await api(b.dataset.href, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'if-match': '"' + item.dataset.revision + '"', 'idempotency-key': crypto.randomUUID() },
      body: JSON.stringify(body),
    });
    if (res.ok) {
      const r = await res.json();
      out.textContent = 'Décision enregistrée.';
      return load({ minPosition: r.position });
    }
    for (const x of item.querySelectorAll('button')) x.disabled = false;
    out.textContent = (res.status === 403 ? 'Refusé : ' : 'Erreur ' + res.status + ' : ') + (await problem(res));
  });

  void whoami();
  void load();
})();
`;

export const STYLE_CSS = `
:root { font-family: system-ui, "Marianne", Arial, sans-serif; color: #161616; background: #f6f6f6; }
body { margin: 0 auto; max-width: 1100px; padding: 0 1.2rem 3rem; }
header { display: flex; flex-wrap: wrap; gap: .8rem; align-items: center; padding: .8rem 0; border-bottom: 3px solid #000091; }
header nav { display: flex; gap: .8rem; flex: 1; }
header nav a { color: #000091; text-decoration: none; }
header nav a[aria-current] { font-weight: 700; text-decoration: underline; }
h1 { color: #000091; font-size: 1.6rem; }
h2 { font-size: 1.2rem; margin-top: 1.6rem; }
table { border-collapse: collapse; width: 100%; background: #fff; font-size: .9rem; }
th, td { border: 1px solid #ddd; padding: .35rem .5rem; text-align: left; vertical-align: top; }
th { background: #eef; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.decision td { background: #fff8e5; }
.card { background: #fff; border: 1px solid #ddd; padding: .8rem 1rem; margin: .8rem 0; }
.refused { color: #b00; font-weight: 600; }
.muted { color: #666; }
form.inline { display: flex; gap: .6rem; align-items: end; flex-wrap: wrap; margin: .6rem 0; }
label { display: flex; flex-direction: column; font-size: .85rem; gap: .2rem; }
button { background: #000091; color: #fff; border: 0; padding: .45rem .8rem; cursor: pointer; }
button.secondary { background: #fff; color: #000091; border: 1px solid #000091; }
button.danger { background: #b00; }
button[disabled] { opacity: .5; }
textarea { width: 100%; min-height: 3rem; }
label.grow { flex: 1; }
nav.pager { display: flex; gap: 1.2rem; justify-content: flex-end; margin: .8rem 0; }
dl.card { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1.2rem; }
dl.card dt { font-weight: 600; }
dl.card dd { margin: 0; }
figure.chart { background: #fff; border: 1px solid #ddd; margin: .8rem 0; padding: .5rem; }
figure.chart figcaption { font-weight: 600; }
figure.chart .last { font-weight: 400; color: #444; margin-left: .6rem; }
figure.chart text { font-size: 11px; fill: #555; }
figure.chart .grid { stroke: #eee; }
figure.chart .year { stroke: #ccc; stroke-dasharray: 2 3; }
figure.chart .milestone line { stroke: #e1000f; stroke-dasharray: 4 3; stroke-width: 1.5; }
figure.chart .published { fill: #e1000f; }
.legend { font-size: .85rem; color: #444; }
.legend .m { color: #e1000f; font-weight: 700; }
#local[hidden] { display: none; }
#local-roles { display: flex; gap: .5rem; flex-wrap: wrap; }
`;
