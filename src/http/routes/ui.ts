import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { territoryAsOf, territoryTimeline } from '../../audit/timeline.ts';
import { listPendingDecisions } from '../../decisions/pending.ts';
import { BusinessDate, forbidden, notFound } from '../../domain/kernel/shared.ts';
import { TerritoryId } from '../../domain/territoires-industrie/territory/territory.ts';
import { progressReport } from '../../projections/queries.ts';
import { APP_JS, STYLE_CSS } from '../../ui/assets.ts';
import { lineChart, type Point } from '../../ui/chart.ts';
import {
  DECISIONS,
  EVENT_LABELS,
  STATUS_LABELS,
  date,
  dateTime,
  euros,
  html,
  num,
  page,
  raw,
  region,
  type Raw,
} from '../../ui/html.ts';
import { PUBLISHED_MILESTONES } from '../../ui/milestones.ts';
import type { AppDeps } from '../app.ts';
import { ROLES, guard, signToken, type Principal, type Role } from '../auth.ts';
import { Cursor, DeprecatedOffset, nextOffset, offsetOf } from '../paging.ts';
import { ProblemSchema, todayOf } from '../commands.ts';

/**
 * The web view for auditors and validators (`/ui/...`): pages are static shells; their data comes
 * as server-rendered HTML fragments (`/ui/fragments/...`) that the page's script fetches with the
 * bearer token kept in sessionStorage (see src/ui/assets.ts for why no cookie). Fragments follow
 * the API's rights; the queue's actions call the API's own decision routes.
 */
const Html = z.string().describe('text/html');
const htmlResponse = (description: string) => ({ description, content: { 'text/html': { schema: Html } } });
const errors = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema, 429: ProblemSchema };

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

/** Sets the headers of an HTML answer and gives its text (the route returns it). */
function asHtml(reply: FastifyReply, body: string | Raw): string {
  reply.headers(SECURITY_HEADERS).type('text/html; charset=utf-8');
  return String(body);
}

const ROLE_LABELS: Record<Role, string> = {
  programme_admin: 'Administration du programme',
  territory_lead: 'Binôme de territoire',
  regional_validator: 'Validation régionale',
  auditor: 'Audit',
  reporter: 'Reporting',
  regional_officer: 'Politique industrielle régionale',
  pole_manager: 'Gestion de pôle',
};

/** The sample principals of local mode, as `npm start` prints them (src/cli/token.ts). */
const LOCAL_SAMPLES: { role: Role; regions?: string[]; territories?: string[] }[] = [
  { role: 'auditor' },
  { role: 'regional_validator', regions: ['44'] },
  { role: 'programme_admin' },
  { role: 'reporter' },
  { role: 'territory_lead', territories: ['4401', '4402'] },
];

/**
 * Month ends from November 2018 to the end of 2020 (the 2018–2020 programme; to `until`'s month
 * when later), plus the milestone dates.
 */
function chartDates(until: string): string[] {
  const out = new Set<string>(['2018-11-01']);
  const end = until > '2020-12-31' ? until : '2020-12-31';
  for (let y = 2018, m = 11; ; m++) {
    if (m > 12) {
      y++;
      m = 1;
    }
    const last = new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
    if (last > end) break;
    out.add(last);
  }
  if (end > '2020-12-31') out.add(end);
  for (const ms of PUBLISHED_MILESTONES) out.add(ms.asOf);
  return [...out].sort();
}

export const uiRoutes: FastifyPluginAsyncZod = async (app) => {
  const deps: AppDeps & { jwtSecret?: string | undefined } = app.deps;
  const anyone = guard(deps.auth);
  const auditors = guard(deps.auth, 'auditor', 'programme_admin', 'regional_validator');
  const queueReaders = guard(deps.auth, 'regional_validator', 'auditor', 'programme_admin');
  const tag = ['ui'];

  // ---- the shells -----------------------------------------------------------------------------
  const shell = (path: string, operationId: string, summary: string, build: (req: FastifyRequest) => string) =>
    app.get(
      path,
      {
        schema: {
          operationId,
          tags: tag,
          summary,
          description:
            'A page of the web view (French). It holds no data: its script fetches the fragment with the bearer token kept in sessionStorage.',
          ...(path.includes(':id') ? { params: z.strictObject({ id: TerritoryId }) } : {}),
          querystring: z.object({}).loose(),
          response: { 200: htmlResponse('the page'), 400: ProblemSchema, 429: ProblemSchema },
        },
      },
      async (req, reply) => asHtml(reply, build(req)),
    );

  shell('/ui', 'uiLoginPage', 'Web view: log in by pasting a token (local mode: pick a role)', () =>
    page({
      title: 'Connexion',
      path: '/ui',
      body: html`<form id="login" class="card">
          <label for="token">Collez votre jeton d’accès (JWT)</label>
          <textarea id="token" name="token" autocomplete="off" spellcheck="false" required></textarea>
          <p><button type="submit">Se connecter</button> <span id="login-error" class="refused" role="alert"></span></p>
          <p class="muted">
            Le jeton reste dans cet onglet (sessionStorage) et n’est envoyé qu’à ce serveur, dans l’en-tête
            Authorization.
          </p>
        </form>
        <section id="local" class="card" hidden>
          <h2>Mode local : choisir un rôle</h2>
          <div id="local-roles"></div>
          <p class="muted">Les jetons locaux que le serveur affiche au démarrage.</p>
        </section>`,
    }),
  );
  shell('/ui/territoires', 'uiTerritoryIndexPage', 'Web view: pick a territory', () =>
    page({
      title: 'Chronologie d’un territoire',
      path: '/ui/territoires',
      body: html`<form class="inline card" method="get" action="/ui/territoires/go" id="pick">
        <label
          >Code du territoire <input name="id" required pattern="[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}" placeholder="4401"
        /></label>
        <button type="submit">Afficher</button>
      </form>`,
    }),
  );
  app.get(
    '/ui/territoires/go',
    {
      schema: {
        // a browser form's redirect, not an API operation: kept out of /openapi.json (no 2xx answer)
        hide: true,
        operationId: 'uiTerritoryPick',
        tags: tag,
        summary: 'Web view: go to a territory’s timeline',
        description: 'Redirects to /ui/territoires/{id} (the territory picker’s form).',
        querystring: z.strictObject({ id: TerritoryId }),
        response: { 302: z.null().describe('to the territory’s page'), 400: ProblemSchema, 429: ProblemSchema },
      },
    },
    (req, reply) => {
      void reply.redirect(`/ui/territoires/${encodeURIComponent(req.query.id)}`);
    },
  );
  shell('/ui/territoires/:id', 'uiTerritoryPage', "Web view: a territory's timeline as of a date", (req) => {
    const id = (req.params as { id: string }).id;
    const asOf = (req.query as { asOf?: unknown }).asOf;
    return page({
      title: `Chronologie du territoire ${id}`,
      path: '/ui/territoires',
      fragment: `/ui/fragments/territoires/${encodeURIComponent(id)}`,
      body: html`<form class="inline card" method="get">
        <label
          >Situation au <input type="date" name="asOf" value="${typeof asOf === 'string' ? asOf : ''}" min="2018-01-01"
        /></label>
        <button type="submit">Voir à cette date</button> <a href="?">Aujourd’hui</a>
      </form>`,
    });
  });
  shell('/ui/avancement', 'uiProgressPage', 'Web view: the programme’s progress over time', (req) => {
    const asOf = (req.query as { asOf?: unknown }).asOf;
    return page({
      title: 'Avancement du programme',
      path: '/ui/avancement',
      fragment: '/ui/fragments/avancement',
      body: html`<form class="inline card" method="get">
        <label
          >Chiffres au <input type="date" name="asOf" value="${typeof asOf === 'string' ? asOf : ''}" min="2018-01-01"
        /></label>
        <button type="submit">Afficher</button>
      </form>`,
    });
  });
  shell('/ui/file', 'uiQueuePage', "Web view: the validator's queue", () =>
    page({ title: 'File de validation', path: '/ui/file', fragment: '/ui/fragments/file' }),
  );

  const asset = (path: string, operationId: string, type: string, body: string) =>
    app.get(
      path,
      {
        schema: {
          operationId,
          tags: tag,
          summary: `Web view asset ${path.split('/').pop()}`,
          description: 'A static asset of the web view, served by the app (no build step).',
          response: { 200: { description: type, content: { [type]: { schema: z.string() } } }, 429: ProblemSchema },
        },
      },
      async (_req, reply) => {
        reply
          .headers({ 'x-content-type-options': 'nosniff', 'cache-control': 'no-cache' })
          .type(`${type}; charset=utf-8`);
        return body;
      },
    );
  asset('/ui/assets/app.js', 'uiScript', 'text/javascript', APP_JS);
  asset('/ui/assets/style.css', 'uiStylesheet', 'text/css', STYLE_CSS);

  // local mode: the tokens `npm start` prints, for the "pick a role" buttons (loopback only)
  app.get(
    '/ui/local-tokens',
    {
      schema: {
        operationId: 'uiLocalTokens',
        tags: tag,
        summary: 'Local mode only: one token per role, for the login page',
        description:
          'Answers only outside production, with the local HS256 secret (no AUTH_JWKS_URL), to a loopback client: the tokens `npm start` prints. 404 otherwise.',
        response: {
          200: z.array(z.object({ role: z.enum(ROLES), label: z.string(), token: z.string() })),
          404: ProblemSchema,
          429: ProblemSchema,
        },
      },
    },
    async (req) => {
      const loopback = ['127.0.0.1', '::1', '::ffff:127.0.0.1'].includes(req.socket.remoteAddress ?? '');
      const local =
        deps.config.NODE_ENV !== 'production' && !deps.config.AUTH_JWKS_URL && typeof deps.jwtSecret === 'string';
      if (!local || !loopback)
        throw notFound('no local tokens here (production, an identity provider, or not loopback)');
      const out = [];
      for (const s of LOCAL_SAMPLES) {
        const token = await signToken(deps.jwtSecret!, {
          sub: `local-${s.role}`,
          name: `Local ${s.role.replace('_', ' ')}`,
          roles: [s.role],
          ...(s.regions ? { regions: s.regions } : {}),
          ...(s.territories ? { territories: s.territories } : {}),
        });
        const scope = s.regions ? ` — Région ${s.regions.join(', ')}` : '';
        out.push({ role: s.role, label: `${ROLE_LABELS[s.role]}${scope}`, token });
      }
      return out;
    },
  );

  // ---- the fragments (bearer token) -----------------------------------------------------------
  const fragment = <Q extends z.ZodType, P extends z.ZodType | undefined>(
    path: string,
    o: {
      operationId: string;
      summary: string;
      description: string;
      guard: (req: FastifyRequest) => Promise<void>;
      querystring: Q;
      params?: P;
    },
    render: (req: FastifyRequest, p: Principal, query: z.infer<Q>, params: unknown) => Promise<Raw>,
  ) =>
    app.get(
      path,
      {
        preParsing: o.guard,
        schema: {
          operationId: o.operationId,
          tags: tag,
          summary: o.summary,
          description: o.description,
          security: [{ bearer: [] }],
          querystring: o.querystring,
          ...(o.params ? { params: o.params } : {}),
          response: { 200: htmlResponse('an HTML fragment'), ...errors },
        },
      },
      async (req, reply) => asHtml(reply, await render(req, req.principal!, req.query as z.infer<Q>, req.params)),
    );

  fragment(
    '/ui/fragments/moi',
    {
      operationId: 'uiWhoAmI',
      summary: 'Web view: who the token is',
      description: 'The name and roles of the bearer token, as HTML (the login check of the web view).',
      guard: anyone,
      querystring: z.strictObject({}),
    },
    async (_req, p) =>
      html`<span class="who"
        >${p.name} —
        ${p.roles.map((r) => ROLE_LABELS[r]).join(', ')}${p.regions.length ? ` (Région ${p.regions.join(', ')})` : ''}</span
      >`,
  );

  fragment(
    '/ui/fragments/territoires/:id',
    {
      operationId: 'uiTerritoryTimeline',
      summary: "Web view: a territory's timeline as of a date, who decided what",
      description:
        'The territory as its stream says on `asOf` (default today) and every event of its streams (its own, its contracts’, its projects’) dated up to then, with who recorded it. Auditors and programme administrators; regional validators for the territories of their Regions.',
      guard: auditors,
      params: z.strictObject({ id: TerritoryId }),
      querystring: z.strictObject({ asOf: BusinessDate.optional() }),
    },
    async (_req, p, q, params) => {
      const id = (params as { id: string }).id;
      const asOf = q.asOf ?? todayOf(deps.clock);
      const [folded, timeline] = await Promise.all([
        territoryAsOf(deps, id, asOf),
        territoryTimeline(deps, id, { to: asOf }),
      ]);
      const s = folded.state;
      if (timeline.streams.length === 0 || (s.status === 'Unknown' && timeline.events.length === 0))
        throw notFound(`territory ${id} has no event up to ${asOf}`);
      const all = p.roles.includes('auditor') || p.roles.includes('programme_admin');
      if (!all && (s.status === 'Unknown' || !p.regions.includes(s.regionCode)))
        throw forbidden(`territory ${id} is not in your regions (${p.regions.join(', ') || 'none'})`);
      const events = timeline.events;
      const decisions = events.filter((e) => DECISIONS.has(e.type));
      const summary =
        s.status === 'Unknown'
          ? html`<p>Le territoire n’existait pas encore le ${date(asOf)}.</p>`
          : html`<dl class="card">
              <dt>Nom</dt>
              <dd id="t-name">${s.name}</dd>
              <dt>Région</dt>
              <dd id="t-region">${region(s.regionCode)}</dd>
              <dt>Statut</dt>
              <dd id="t-status">${STATUS_LABELS[s.status] ?? s.status}</dd>
              <dt>Labellisé le</dt>
              <dd>${date(s.labelledOn)}</dd>
              <dt>Intercommunalités (EPCI)</dt>
              <dd id="t-epcis">${num(s.epcis.length)}</dd>
              <dt>Binôme de pilotage</dt>
              <dd>${s.coLeads ? `${s.coLeads.industrial.name} / ${s.coLeads.elected.name}` : '—'}</dd>
            </dl>`;
      const row = (e: (typeof events)[number]) =>
        html`<tr class="${DECISIONS.has(e.type) ? 'decision' : ''}" data-type="${e.type}">
          <td>${date(e.occurredOn)}</td>
          <td>${EVENT_LABELS[e.type] ?? e.type}</td>
          <td>${e.actor.name || e.actor.sub}</td>
          <td class="muted">${e.summary}</td>
          <td class="muted">${dateTime(e.recordedAt)}</td>
        </tr>`;
      return html`<p class="muted">
          Situation au <strong id="as-of">${date(asOf)}</strong> : ${num(events.length)} événements, d’après le journal
          lui-même.
        </p>
        ${summary}
        <h2>Qui a décidé quoi</h2>
        <table id="decisions">
          <thead>
            <tr>
              <th>Date</th>
              <th>Décision</th>
              <th>Par</th>
              <th>Détail</th>
              <th>Enregistrée le</th>
            </tr>
          </thead>
          <tbody>
            ${decisions.length ? decisions.map(row) : raw('<tr><td colspan="5">Aucune décision à cette date.</td></tr>')}
          </tbody>
        </table>
        <h2>Chronologie complète</h2>
        <table id="timeline">
          <thead>
            <tr>
              <th>Date</th>
              <th>Événement</th>
              <th>Par</th>
              <th>Détail</th>
              <th>Enregistré le</th>
            </tr>
          </thead>
          <tbody>
            ${events.map(row)}
          </tbody>
        </table>`;
    },
  );

  fragment(
    '/ui/fragments/avancement',
    {
      operationId: 'uiProgress',
      summary: "Web view: the programme's progress as charts over time, the published milestones marked",
      description:
        'Territories in force, contracts validated and projects registered at each month end from November 2018 (GET /reports/progress for each date), the published milestones marked, and the figures on `asOf` (default today). Anyone with a token.',
      guard: anyone,
      querystring: z.strictObject({ asOf: BusinessDate.optional() }),
    },
    async (_req, _p, q) => {
      const today = todayOf(deps.clock);
      const asOf = q.asOf ?? today;
      const dates = chartDates(q.asOf ?? '2020-12-31');
      const reports = new Map<string, Awaited<ReturnType<typeof progressReport>>>();
      for (let i = 0; i < dates.length; i += 6)
        for (const r of await Promise.all(dates.slice(i, i + 6).map((d) => progressReport(deps.db, d))))
          reports.set(r.asOf, r);
      const now = await progressReport(deps.db, asOf);
      const series = (f: (r: Awaited<ReturnType<typeof progressReport>>) => number): Point[] =>
        dates.map((d) => ({ date: d, value: f(reports.get(d)!) }));
      const marks = (f: (m: (typeof PUBLISHED_MILESTONES)[number]) => number | null) =>
        PUBLISHED_MILESTONES.map((m) => ({ date: m.asOf, value: f(m), label: m.label }));
      const milestoneRows = PUBLISHED_MILESTONES.map((m) => {
        const r = reports.get(m.asOf)!;
        const pub = (v: number | null) => (v === null ? '—' : num(v));
        return html`<tr data-as-of="${m.asOf}">
          <td>${date(m.asOf)}</td>
          <td>${m.label}</td>
          <td class="n">${num(r.territories)}</td>
          <td class="n muted">${pub(m.territories)}</td>
          <td class="n">${num(r.contracts.validated)}</td>
          <td class="n muted">${pub(m.contractsValidated)}</td>
          <td class="n">${num(r.projects)}</td>
          <td class="n muted">${pub(m.projects)}</td>
        </tr>`;
      });
      return html`<section class="card" id="figures">
          <h2>Au ${date(asOf)}</h2>
          <table>
            <tbody>
              <tr>
                <th>Territoires labellisés en vigueur</th>
                <td class="n" id="f-territories">${num(now.territories)}</td>
              </tr>
              <tr>
                <th>Intercommunalités (EPCI)</th>
                <td class="n" id="f-epcis">${num(now.epcis)}</td>
              </tr>
              <tr>
                <th>Contrats validés par les Régions</th>
                <td class="n" id="f-validated">${num(now.contracts.validated)}</td>
              </tr>
              <tr>
                <th>Contrats signés</th>
                <td class="n" id="f-signed">${num(now.contracts.signed)}</td>
              </tr>
              <tr>
                <th>Projets</th>
                <td class="n" id="f-projects">${num(now.projects)}</td>
              </tr>
              <tr>
                <th>Financements accordés</th>
                <td class="n" id="f-funding">${euros(now.fundingEur)}</td>
              </tr>
            </tbody>
          </table>
        </section>
        <p class="legend">
          Courbes : le registre en fin de mois. <span class="m">- - -</span> jalons publiés ;
          <span class="m">●</span> chiffre publié.
        </p>
        ${raw(lineChart({ id: 'chart-territories', title: 'Territoires labellisés', series: series((r) => r.territories), milestones: marks((m) => m.territories), color: '#000091' }))}
        ${raw(lineChart({ id: 'chart-validated', title: 'Contrats validés par les Régions', series: series((r) => r.contracts.validated), milestones: marks((m) => m.contractsValidated), color: '#18753c' }))}
        ${raw(lineChart({ id: 'chart-projects', title: 'Projets', series: series((r) => r.projects), milestones: marks((m) => m.projects), color: '#a94645' }))}
        <h2>Jalons publiés et registre</h2>
        <table id="milestones">
          <thead>
            <tr>
              <th>Date</th>
              <th>Jalon</th>
              <th class="n">Territoires</th>
              <th class="n">publié</th>
              <th class="n">Contrats validés</th>
              <th class="n">publié</th>
              <th class="n">Projets</th>
              <th class="n">publié</th>
            </tr>
          </thead>
          <tbody>
            ${milestoneRows}
          </tbody>
        </table>`;
    },
  );

  fragment(
    '/ui/fragments/file',
    {
      operationId: 'uiQueue',
      summary: "Web view: the validator's queue with its actions",
      description:
        'GET /decisions/pending as HTML: what waits, oldest first, what changed since the contract was sent back, and (regional validators of the Region only) the buttons to validate, request changes or reject, which call the API’s decision routes with If-Match. Auditors and programme administrators see the queue without actions; other roles are refused. Paged like GET /decisions/pending: `limit` and `cursor` (a page’s “suivant” link carries its `next`; `offset` is a deprecated alias).',
      guard: queueReaders,
      querystring: z.strictObject({
        limit: z.coerce.number().int().min(1).max(100).default(20),
        cursor: Cursor,
        offset: DeprecatedOffset(100_000),
        minPosition: z
          .string()
          .regex(/^\d{1,19}$/)
          .optional(),
      }),
    },
    async (_req, p, q) => {
      if (q.minPosition) await deps.runner.waitFor(BigInt(q.minPosition), 5000);
      const all = p.roles.includes('auditor') || p.roles.includes('programme_admin');
      const today = todayOf(deps.clock);
      const offset = offsetOf(q, 100_000);
      const pending = await listPendingDecisions(deps.db, deps, {
        regions: all ? undefined : [...p.regions],
        limit: q.limit,
        offset,
        today,
      });
      const next = nextOffset(offset, pending.items.length, pending.total);
      // the page's links keep its own query (limit) and change the cursor only
      const pageLink = (cursor: string | null) => {
        const qs = new URLSearchParams();
        if (q.limit !== 20) qs.set('limit', String(q.limit));
        if (cursor !== null) qs.set('cursor', cursor);
        const s = qs.toString();
        return `/ui/file${s ? `?${s}` : ''}`;
      };
      const shown =
        pending.items.length === 0
          ? raw('')
          : html` Décisions ${num(offset + 1)} à ${num(offset + pending.items.length)}.`;
      const pager =
        next === null && offset === 0
          ? raw('')
          : html`<nav class="pager" aria-label="Pages de la file">
              ${offset > 0 ? html`<a id="queue-first" href="${pageLink(null)}">« début de la file</a>` : raw('')}
              ${next !== null ? html`<a id="queue-next" rel="next" href="${pageLink(next)}">suivant »</a>` : raw('')}
            </nav>`;
      const canDecide = (code: string) => p.roles.includes('regional_validator') && p.regions.includes(code);
      const changeList = (
        label: string,
        xs: { partyName: string; amountEur: number; previousAmountEur: number | null }[],
      ) =>
        xs.length === 0
          ? raw('')
          : html`<li>
              ${label} :
              ${xs.map((c, i) => html`${i ? ', ' : ''}${c.partyName} (${c.previousAmountEur !== null ? `${euros(c.previousAmountEur)} → ` : ''}${euros(c.amountEur)})`)}
            </li>`;
      const items = pending.items.map((it) => {
        const actions = canDecide(it.regionCode)
          ? html`<form class="inline decide">
                <label>Date de la décision <input type="date" name="decidedOn" value="${today}" /></label>
                <label class="grow">Commentaire ou motif <textarea name="text"></textarea></label>
                <button type="button" data-action="validate" data-href="/contracts/${it.id}/validate">Valider</button>
                <button
                  type="button"
                  class="secondary"
                  data-action="request-changes"
                  data-href="/contracts/${it.id}/request-changes"
                >
                  Demander des modifications
                </button>
                <button type="button" class="danger" data-action="reject" data-href="/contracts/${it.id}/reject">
                  Rejeter
                </button>
              </form>
              <p class="result" role="status"></p>`
          : html`<p class="muted">Lecture seule : seule la Région ${it.regionCode} décide.</p>`;
        const changes = it.changes
          ? html`<ul>
                ${changeList('Ajoutés', it.changes.added)}${changeList('Modifiés', it.changes.amended)}${changeList('Retirés', it.changes.withdrawn)}
              </ul>
              ${
                it.changes.added.length + it.changes.amended.length + it.changes.withdrawn.length === 0
                  ? raw('<p class="muted">Aucun engagement modifié depuis.</p>')
                  : raw('')
              }`
          : raw('');
        return html`<article class="card" data-item="${it.id}" data-revision="${it.revision}">
          <h2>${it.title}</h2>
          <p>
            Territoire
            <a href="/ui/territoires/${it.territoryId}">${it.territoryName ?? it.territoryId} (${it.territoryId})</a> —
            ${region(it.regionCode)}
          </p>
          <p>
            Soumission n° ${it.submission} du <strong>${date(it.submittedOn)}</strong>, en attente depuis
            ${num(it.waitingDays)} jours — ${num(it.commitments)} engagements, ${euros(it.totalEur)}
          </p>
          ${
            it.sentBack
              ? html`<p>
                    Renvoyé le ${date(it.sentBack.on)}
                    (${it.sentBack.kind === 'reopened' ? 'rouvert' : 'modifications demandées'}) : «
                    ${it.sentBack.reason ?? ''} ». Depuis :
                  </p>
                  ${changes}`
              : raw('<p class="muted">Première soumission.</p>')
          }
          ${actions}
        </article>`;
      });
      return html`<p id="queue-total">
          ${num(pending.total)} décision(s) en
          attente${all ? ' (toutes les Régions)' : ` (Région ${p.regions.join(', ')})`}, la plus ancienne
          d’abord.${shown}
        </p>
        ${items.length ? items : raw('<p>Rien n’attend de décision.</p>')} ${pager}`;
    },
  );
};
