import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import t from 'tap';
import { loadDemoHistory } from '../../seeds/index.ts';
import { build } from '../helpers/build.ts';

/**
 * The web view in a real headless Chromium (Debian's package, launched by playwright-core) on the
 * whole demo history: each page loads and shows the demo's figures, and a reporter is refused the
 * validator's actions. Screenshots go to docs/screenshots/.
 */
// Debian's chromium (installed by .ci/run); CHROMIUM_PATH names another build (GitHub's runners have Chrome)
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = 'docs/screenshots';

interface Pending {
  items: { id: string; title: string; revision: number }[];
  total: number;
}

/** Numbers as the French pages print them (1 250 with a narrow no-break space). */
const text = (s: string | null) => (s ?? '').replace(/\s+/g, ' ').trim();
const n = (s: string | null) => Number((s ?? '').replace(/[\s\u202f\u00a0]/g, ''));

t.test('the web view in headless Chromium on the demo history', async (t) => {
  const b = await build(t);
  const today = new Date().toISOString().slice(0, 10);
  const seeded = await loadDemoHistory(b.system, { today });
  t.ok(await b.system.runner.waitFor(seeded.lastPosition!, 180_000), 'projections caught up with the demo');
  await b.app.listen({ host: '127.0.0.1', port: 0 });
  // the demo leaves nothing waiting in Grand Est at the end of 2020: two contracts submitted in
  // 2020 by the co-leads of 4411 and 4413, one of them sent back and changed first
  const lead = await b.token('territory_lead', { territories: ['4411', '4413'], sub: 'lead-ge', name: 'Binôme GE' });
  const regional = await b.token('regional_validator', { regions: ['44'], name: 'Validatrice Grand Est' });
  const call = async (token: string, url: string, payload: object) => {
    const r = await b.app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}` }, payload });
    if (r.statusCode >= 300) throw new Error(`${url}: ${r.body}`);
    return r.json<{ id?: string; commitmentId?: string; position: string }>();
  };
  const contract = async (territoryId: string, title: string, on: string) => {
    const { id } = await call(lead, '/contracts', { territoryId, title, draftedOn: on });
    const ids: string[] = [];
    for (const [partyKind, amountEur] of [
      ['industrial', 250000],
      ['epci', 60000],
      ['region', 120000],
      ['state', 90000],
    ] as const)
      ids.push(
        (
          await call(lead, `/contracts/${id}/commitments`, {
            partyKind,
            partyName: `Partenaire ${partyKind} (synthétique)`,
            axis: 'innovation',
            description: 'Accompagner 10 PME',
            amountEur,
            dueOn: '2022-12-31',
            madeOn: on,
          })
        ).commitmentId!,
      );
    return { id: id!, commitments: ids };
  };
  const back = await contract('4411', 'Avenant 2020 (synthétique) – Terres de Lorraine', '2020-06-01');
  await call(lead, `/contracts/${back.id}/submit`, { submittedOn: '2020-06-20' });
  await call(regional, `/contracts/${back.id}/request-changes`, {
    decidedOn: '2020-07-01',
    reason: 'Préciser l’engagement de la Région',
  });
  await call(lead, `/contracts/${back.id}/commitments/${back.commitments[2]}/amendments`, {
    amountEur: 150000,
    amendedOn: '2020-07-05',
  });
  await call(lead, `/contracts/${back.id}/commitments`, {
    partyKind: 'industrial',
    partyName: 'Industriel B (synthétique)',
    axis: 'skills',
    description: 'Former 40 techniciens',
    amountEur: 80000,
    dueOn: '2022-06-30',
    madeOn: '2020-07-05',
  });
  await call(lead, `/contracts/${back.id}/submit`, { submittedOn: '2020-07-10' });
  const fresh = await contract('4413', 'Avenant 2020 (synthétique) – Val de Lorraine', '2020-08-01');
  const lastWrite = await call(lead, `/contracts/${fresh.id}/submit`, { submittedOn: '2020-09-01' });
  t.ok(await b.system.runner.waitFor(BigInt(lastWrite.position), 30_000));
  const base = `http://127.0.0.1:${(b.app.server.address() as AddressInfo).port}`;

  const profile = mkdtempSync(join(tmpdir(), 'ti-ledger-chromium-'));
  // a fresh profile (--user-data-dir, which playwright takes as this first argument)
  const browser: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    viewport: { width: 1200, height: 900 },
    locale: 'fr-FR',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  t.teardown(async () => {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  });
  mkdirSync(SHOTS, { recursive: true });
  const errors: string[] = [];
  const open = async (): Promise<Page> => {
    // a tab of its own: sessionStorage (the token) is per tab
    const page = await browser.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) errors.push(m.text());
    });
    return page;
  };
  /** Logs in on /ui by clicking a local-mode role button; lands on `next`. */
  const login = async (page: Page, role: string, next: string) => {
    await page.goto(`${base}/ui?suite=${encodeURIComponent(next)}`);
    await page.click(`#local-roles button[data-role="${role}"]`);
    await page.waitForURL(`${base}${next}`);
    await page.waitForSelector('#content[data-loaded], #content .refused');
  };
  const api = async <T>(token: string, url: string) =>
    (await b.app.inject({ url, headers: { authorization: `Bearer ${token}` } })).json<T>();

  // ---- login: paste a token, or pick a role -------------------------------------------------
  const page = await open();
  await page.goto(`${base}/ui`);
  await page.waitForSelector('#local-roles button');
  t.same(
    await page.$$eval('#local-roles button', (bs) => bs.map((x) => x.getAttribute('data-role'))),
    ['auditor', 'regional_validator', 'programme_admin', 'reporter', 'territory_lead'],
    'local mode offers one button per role',
  );
  await page.fill('#token', 'not-a-token');
  await page.click('#login button[type=submit]');
  await page.waitForSelector('#login-error:not(:empty)');
  t.match(await page.textContent('#login-error'), /Jeton refusé/);
  await page.screenshot({ path: `${SHOTS}/connexion.png`, fullPage: true });
  const auditorToken = await b.token('auditor', { name: 'Auditrice de la Cour des comptes' });
  await page.fill('#token', auditorToken);
  await page.click('#login button[type=submit]');
  await page.waitForURL(`${base}/ui/avancement`);
  await page.waitForSelector('#content[data-loaded]');
  t.match(
    text(await page.textContent('#whoami')),
    /Auditrice de la Cour des comptes — Audit/,
    'a pasted token logs in',
  );

  // ---- progress: figures on a date, charts with the milestones ----------------------------------
  await page.goto(`${base}/ui/avancement?asOf=2019-11-19`);
  await page.waitForSelector('#content[data-loaded]');
  const reporter = await b.token('reporter');
  const report = await api<{ territories: number; epcis: number; contracts: { validated: number }; projects: number }>(
    reporter,
    '/reports/progress?asOf=2019-11-19',
  );
  t.equal(n(await page.textContent('#f-territories')), 146, '146 territories on 2019-11-19');
  t.equal(n(await page.textContent('#f-validated')), 58, '58 contracts validated');
  t.equal(n(await page.textContent('#f-projects')), 1250, '1,250 projects');
  t.equal(n(await page.textContent('#f-epcis')), report.epcis, 'EPCIs as the report says');
  const milestones = await page.$$eval('#milestones tbody tr', (rows) =>
    rows.map((r) => [r.getAttribute('data-as-of'), ...[...r.querySelectorAll('td.n')].map((c) => c.textContent)]),
  );
  const expected: [string, number, number, number][] = [
    ['2018-11-22', 124, 0, 0],
    ['2019-04-30', 136, 13, 330],
    ['2019-09-24', 144, 29, 474],
    ['2019-11-19', 146, 58, 1250],
    ['2020-02-14', 146, 100, 1330],
    ['2020-12-31', 148, 135, 1600],
  ];
  t.same(
    milestones.map((m) => [m[0], n(m[1]), n(m[3]), n(m[5])]),
    expected,
    'the ledger beside each published milestone (docs/real-data.md)',
  );
  t.equal(await page.locator('figure.chart svg').count(), 3, 'three charts');
  t.equal(await page.locator('#chart-projects .milestone line').count(), 6, 'the six milestones marked');
  t.equal(await page.locator('#chart-projects circle.published').count(), 5, 'five published project figures');
  await page.screenshot({ path: `${SHOTS}/avancement.png`, fullPage: true });

  // ---- a territory's timeline as of a date: who decided what ------------------------------------
  await page.goto(`${base}/ui/territoires/4490?asOf=2019-03-01`);
  await page.waitForSelector('#content[data-loaded]');
  t.equal(await page.textContent('#t-name'), 'Val et Terres de Lorraine');
  t.equal(await page.textContent('#t-status'), 'labellisé', 'labelled before its split');
  t.match(await page.textContent('#t-region'), /Grand Est \(44\)/);
  const timeline = await api<{ events: { type: string; occurredOn: string; actor: { name: string } }[] }>(
    auditorToken,
    '/audit/territories/4490/timeline?to=2019-03-01',
  );
  t.equal(await page.locator('#timeline tbody tr').count(), timeline.events.length, 'every event up to the date');
  const labelled = timeline.events.find((e) => e.type === 'TerritoryLabelled')!;
  const decisionRow = page.locator('#decisions tr[data-type="TerritoryLabelled"]');
  t.match(await decisionRow.textContent(), labelled.actor.name, 'who labelled it');
  t.match(await decisionRow.textContent(), /Territoire labellisé/);
  // the date picker: after the split
  await page.fill('input[name=asOf]', '2020-01-01');
  await page.click('form.inline button[type=submit]');
  await page.waitForURL(/asOf=2020-01-01/);
  await page.waitForSelector('#content[data-loaded]');
  t.equal(await page.textContent('#t-status'), 'scindé', 'split by 2020');
  t.ok(await page.locator('#decisions tr[data-type="TerritorySplit"]').count(), 'the split is a decision, with who');
  await page.screenshot({ path: `${SHOTS}/territoire.png`, fullPage: true });

  // ---- the validator's queue: act on it ---------------------------------------------------------
  const validator = await open();
  await login(validator, 'regional_validator', '/ui/file');
  const locals = (await (await fetch(`${base}/ui/local-tokens`)).json()) as { role: string; token: string }[];
  const localValidator = locals.find((x) => x.role === 'regional_validator')!.token;
  const queue = await api<Pending>(localValidator, '/decisions/pending?limit=100');
  t.match(
    text(await validator.textContent('#queue-total')),
    new RegExp(`^${queue.total} décision`),
    'the queue’s total',
  );
  t.equal(await validator.locator('article[data-item]').count(), Math.min(20, queue.items.length));
  t.equal(await validator.locator('#queue-next').count(), 0, 'one page: no "suivant" link');
  await validator.screenshot({ path: `${SHOTS}/file.png`, fullPage: true });
  t.same(
    queue.items.map((i) => i.id),
    [back.id, fresh.id],
    'the two contracts, oldest submission first',
  );
  // ---- the queue pages like GET /decisions/pending: limit + cursor, a "suivant" link -----------
  {
    const apiPage = await api<Pending & { next: string | null }>(localValidator, '/decisions/pending?limit=1');
    t.ok(apiPage.next, 'the API has a second page at limit=1');
    await validator.goto(`${base}/ui/file?limit=1`);
    await validator.waitForSelector('#content[data-loaded]');
    const ids = async () =>
      validator.locator('article[data-item]').evaluateAll((els) => els.map((e) => e.getAttribute('data-item')));
    t.same(await ids(), [back.id], 'page 1: the oldest submission only');
    t.match(
      text(await validator.textContent('#queue-total')),
      new RegExp(`^${queue.total} décision.*Décisions 1 à 1\\.`),
      'the total and the range',
    );
    t.equal(await validator.locator('#queue-first').count(), 0, 'page 1 has no link back');
    const href = await validator.locator('#queue-next').getAttribute('href');
    t.equal(href, `/ui/file?limit=1&cursor=${apiPage.next}`, "the link carries the API's next cursor");
    await validator.click('#queue-next');
    await validator.waitForURL(/cursor=/);
    await validator.waitForSelector('#content[data-loaded]');
    t.same(await ids(), [fresh.id], 'page 2: the next one');
    t.match(text(await validator.textContent('#queue-total')), /Décisions 2 à 2\./);
    t.equal(await validator.locator('#queue-next').count(), 0, 'the last page has no "suivant" link');
    await validator.click('#queue-first');
    await validator.waitForURL((u) => !u.search.includes('cursor'));
    await validator.waitForSelector('#content[data-loaded]');
    t.same(await ids(), [back.id], 'back to the start of the queue');
    await validator.goto(`${base}/ui/file`);
    await validator.waitForSelector('#content[data-loaded]');
  }
  const backCard = text(await validator.locator(`article[data-item="${back.id}"]`).textContent());
  t.match(backCard, /Renvoyé le 01\/07\/2020 \(modifications demandées\)/, 'when it was sent back');
  t.match(backCard, /Ajoutés : Industriel B \(synthétique\)/, 'the commitment added since');
  t.match(backCard, /Modifiés : Partenaire region \(synthétique\) \(120 000 € → 150 000 €\)/, 'the one amended');
  {
    const first = queue.items[0]!;
    const card = validator.locator(`article[data-item="${first.id}"]`);
    t.equal(await card.getAttribute('data-revision'), String(first.revision));
    await card.locator('textarea[name=text]').fill('Validé en comité régional');
    await card.locator('button[data-action=validate]').click();
    await card.waitFor({ state: 'detached' });
    await validator.waitForSelector('#content[data-loaded]');
    const contract = await api<{ status: string; decisions: { kind: string; text: string | null }[] }>(
      localValidator,
      `/contracts/${first.id}`,
    );
    t.equal(contract.status, 'validated', 'the button validated the contract through the API');
    t.match(contract.decisions.at(-1), { kind: 'validated', text: 'Validé en comité régional' });
  }

  // ---- an auditor sees the queue without actions; a reporter is refused -----------------------
  await page.goto(`${base}/ui/file`);
  await page.waitForSelector('#content[data-loaded]');
  t.equal(await page.locator('button[data-action]').count(), 0, 'an auditor has no action buttons');
  const rep = await open();
  await login(rep, 'reporter', '/ui/file');
  t.match(await rep.textContent('#content .refused'), /Accès refusé/, 'a reporter is refused the queue');
  t.equal(await rep.locator('button[data-action]').count(), 0, 'and has no action buttons');
  const target = (await api<Pending>(localValidator, '/decisions/pending')).items[0];
  if (target) {
    const reporterToken = locals.find((x) => x.role === 'reporter')!.token;
    const { status } = await fetch(`${base}/contracts/${target.id}/validate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${reporterToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ decidedOn: today }),
    });
    t.equal(status, 403, "the reporter's token cannot validate through the API either");
  }
  await rep.screenshot({ path: `${SHOTS}/file-reporter.png`, fullPage: true });
  t.same(errors, [], 'no script error in any page');
});
