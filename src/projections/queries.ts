import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import { regionName } from '../domain/kernel/regions.ts';

/**
 * Read-model queries for contracts, projects, the audit trail and the progress report: plain
 * functions taking `db` first. "As of D" is a version whose [valid_from, valid_to) holds D.
 */
const validAt = (asOf: string | undefined) =>
  asOf === undefined
    ? sql<boolean>`valid_to is null`
    : sql<boolean>`valid_from <= ${asOf}::date and (valid_to is null or valid_to > ${asOf}::date)`;

const eur = (cents: string | number | bigint | null) => (cents === null ? null : Number(cents) / 100);

export interface Page {
  limit: number;
  offset: number;
}

export async function listContracts(
  db: Kysely<Database>,
  q: Page & {
    territoryId?: string | undefined;
    status?: string | undefined;
    region?: string | undefined;
    asOf?: string | undefined;
  },
) {
  let base = db.selectFrom('read.contracts').where(validAt(q.asOf));
  if (q.territoryId) base = base.where('territory_id', '=', q.territoryId);
  if (q.status) base = base.where('status', '=', q.status);
  if (q.region) base = base.where('region_code', '=', q.region);
  const [rows, total] = await Promise.all([
    base.selectAll().orderBy('contract_id').limit(q.limit).offset(q.offset).execute(),
    base.select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow(),
  ]);
  return {
    items: rows.map((r) => ({
      id: r.contract_id,
      territoryId: r.territory_id,
      regionCode: r.region_code,
      kind: r.kind,
      title: r.title,
      status: r.status,
      draftedOn: r.drafted_on,
      submittedOn: r.submitted_on,
      validatedOn: r.validated_on,
      changesRequestedOn: r.changes_requested_on,
      rejectedOn: r.rejected_on,
      signedOn: r.signed_on,
      submissions: r.submissions,
      commitments: r.commitments,
      committedEur: eur(r.committed_cents)!,
      validFrom: r.valid_from,
      validTo: r.valid_to,
      position: String(r.position),
    })),
    total: Number(total.n),
    limit: q.limit,
    offset: q.offset,
  };
}

export async function listProjects(
  db: Kysely<Database>,
  q: Page & {
    territoryId?: string | undefined;
    axis?: string | undefined;
    region?: string | undefined;
    status?: string | undefined;
    asOf?: string | undefined;
  },
) {
  let base = db.selectFrom('read.projects').where(validAt(q.asOf));
  if (q.territoryId) base = base.where('territory_id', '=', q.territoryId);
  if (q.axis) base = base.where('axis', '=', q.axis);
  if (q.region) base = base.where('region_code', '=', q.region);
  if (q.status) base = base.where('status', '=', q.status);
  const [rows, total] = await Promise.all([
    base.selectAll().orderBy('project_id').limit(q.limit).offset(q.offset).execute(),
    base.select(sql<string>`count(*)`.as('n')).executeTakeFirstOrThrow(),
  ]);
  // The version valid on the date carries the fundings granted on or before its start (a grant
  // recorded late is inserted where its grant date falls: docs/read-models.md "Back-dated facts"),
  // the same figures as GET /projects/{id}?asOf=, the progress report and read.project_fundings.
  return {
    items: rows.map((r) => ({
      id: r.project_id,
      territoryId: r.territory_id,
      contractId: r.contract_id,
      regionCode: r.region_code,
      axis: r.axis,
      title: r.title,
      budgetEur: eur(r.budget_cents),
      status: r.status,
      registeredOn: r.registered_on,
      startedOn: r.started_on,
      completedOn: r.completed_on,
      abandonedOn: r.abandoned_on,
      fundings: r.fundings,
      fundingCount: r.fundings,
      fundingEur: eur(r.funding_cents)!,
      validFrom: r.valid_from,
      validTo: r.valid_to,
      position: String(r.position),
    })),
    total: Number(total.n),
    limit: q.limit,
    offset: q.offset,
  };
}

/** Audit entries in log order, keyset-paged by position (`after`). */
export async function listAuditEvents(
  db: Kysely<Database>,
  q: {
    stream?: string | undefined;
    actor?: string | undefined;
    type?: string | undefined;
    from?: string | undefined;
    to?: string | undefined;
    after?: string | undefined;
    limit: number;
  },
) {
  let base = db.selectFrom('read.audit_log');
  if (q.stream) base = base.where('stream', '=', q.stream);
  if (q.actor) base = base.where('actor_sub', '=', q.actor);
  if (q.type) base = base.where('type', '=', q.type);
  if (q.from) base = base.where('occurred_on', '>=', q.from);
  if (q.to) base = base.where('occurred_on', '<=', q.to);
  if (q.after) base = base.where('position', '>', q.after);
  const rows = await base
    .selectAll()
    .orderBy('position')
    .limit(q.limit + 1)
    .execute();
  const more = rows.length > q.limit;
  const page = rows.slice(0, q.limit);
  return {
    items: page.map((r) => ({
      position: String(r.position),
      eventId: r.event_id,
      stream: r.stream,
      revision: Number(r.revision),
      type: r.type,
      schemaVersion: r.schema_version,
      actor: { sub: r.actor_sub, name: r.actor_name },
      occurredOn: r.occurred_on,
      recordedAt: r.recorded_at.toISOString(),
      correlationId: r.correlation_id,
      causationId: r.causation_id,
      summary: r.summary,
      hash: r.hash,
    })),
    nextAfter: more ? String(page[page.length - 1]!.position) : null,
  };
}

export interface ProgressReport {
  asOf: string;
  programme: string;
  territories: number;
  epcis: number;
  contracts: { drafted: number; submitted: number; validated: number; rejected: number; signed: number };
  projects: number;
  fundingEur: number;
  byRegion: {
    regionCode: string;
    /** The Region's name in force on `asOf` (the kernel's table, else read.regions); null if unknown. */
    regionName: string | null;
    territories: number;
    contractsValidated: number;
    projects: number;
  }[];
  byAxis: { axis: string; projects: number }[];
  /** With `by: ['region', 'axis']`: projects per Region and axis (pairs with at least one). */
  byRegionAxis?: { regionCode: string; regionName: string | null; axis: string; projects: number }[];
}

/**
 * The programme's progress as of a business date (see docs/read-models.md for the definitions):
 * counts are cumulative milestones reached on or before the date; territories and EPCIs are
 * those in force on the date.
 */
export async function progressReport(
  db: Kysely<Database>,
  asOf: string,
  programme: string = 'territoires-industrie-2018',
  opts: { by?: readonly ('region' | 'axis')[] } = {},
): Promise<ProgressReport> {
  const d = sql`${asOf}::date`;
  // Contracts and projects name their territory by id: they are phase 1's (docs/adr/0007).
  const withContracts = programme === 'territoires-industrie-2018';
  const [terr, epcis, figures, regions, axes] = await Promise.all([
    sql<{ region_code: string; n: string }>`
      select region_code, count(*) as n from read.territories
       where programme = ${programme}
         and valid_from <= ${d} and (valid_to is null or valid_to > ${d}) and status = 'labelled'
       group by region_code`.execute(db),
    sql<{ n: string }>`
      select count(distinct siren) as n from read.territory_epcis
       where programme = ${programme}
         and valid_from <= ${d} and (valid_to is null or valid_to > ${d})`.execute(db),
    // contracts, projects and funding: the pre-aggregated deltas (read.report_deltas*, see
    // docs/read-models.md): whole months before D's month, then the days of D's month up to D
    sql<{ metric: string; region_code: string; axis: string; n: string }>`
      select metric, region_code, axis, sum(delta) as n from (
        select metric, region_code, axis, delta from read.report_deltas_monthly
         where month < date_trunc('month', ${d})::date
        union all
        select metric, region_code, axis, delta from read.report_deltas
         where day >= date_trunc('month', ${d})::date and day <= ${d}
      ) x where ${withContracts} group by metric, region_code, axis having sum(delta) <> 0`.execute(db),
    sql<{ region_code: string; name: string }>`
      select region_code, name from read.regions
       where valid_from <= ${d} and (valid_to is null or valid_to > ${d}) order by region_code`.execute(db),
    Promise.resolve(['attractiveness', 'skills', 'innovation', 'simplification']),
  ]);
  const sum = (xs: { n: string }[]) => xs.reduce((a, x) => a + Number(x.n), 0);
  const c = { drafted: 0, submitted: 0, validated: 0, rejected: 0, signed: 0 };
  const validatedBy = new Map<string, number>();
  const projects: { region_code: string | null; axis: string | null; n: string }[] = [];
  let fundingCents = 0;
  for (const f of figures.rows) {
    const n = Number(f.n);
    if (f.metric === 'projects') projects.push({ region_code: f.region_code || null, axis: f.axis || null, n: f.n });
    else if (f.metric === 'funding_cents') fundingCents += n;
    else if (f.metric.startsWith('contracts_')) {
      const k = f.metric.slice('contracts_'.length) as keyof typeof c;
      if (k in c) c[k] += n;
      if (k === 'validated') validatedBy.set(f.region_code, (validatedBy.get(f.region_code) ?? 0) + n);
    }
  }
  const codes = new Set(regions.rows.map((r) => r.region_code));
  for (const r of terr.rows) codes.add(r.region_code);
  const names = new Map(regions.rows.map((r) => [r.region_code, r.name]));
  // the kernel's table knows every name a Region bore (provisional 2016 names, pre-2016 Regions);
  // read.regions (the 2016 map) only backs up a code the kernel does not know
  const nameOf = (code: string) => regionName(code, asOf) ?? names.get(code) ?? null;
  const byRegion = [...codes].sort().map((regionCode) => ({
    regionCode,
    regionName: nameOf(regionCode),
    territories: sum(terr.rows.filter((r) => r.region_code === regionCode)),
    contractsValidated: validatedBy.get(regionCode) ?? 0,
    projects: sum(projects.filter((r) => r.region_code === regionCode)),
  }));
  const axisSet = new Set<string>(axes);
  for (const r of projects) if (r.axis) axisSet.add(r.axis);
  return {
    asOf,
    programme,
    territories: sum(terr.rows),
    epcis: Number(epcis.rows[0]?.n ?? 0),
    contracts: c,
    projects: sum(projects),
    fundingEur: fundingCents / 100,
    byRegion,
    byAxis: [...axisSet].map((axis) => ({ axis, projects: sum(projects.filter((r) => r.axis === axis)) })),
    ...(opts.by?.includes('region') && opts.by.includes('axis')
      ? { byRegionAxis: byRegionAxis(projects, nameOf) }
      : {}),
  };
}

/** Projects per (Region, axis), from the same deltas as the other figures; sorted by Region, axis. */
function byRegionAxis(
  projects: { region_code: string | null; axis: string | null; n: string }[],
  nameOf: (code: string) => string | null,
): NonNullable<ProgressReport['byRegionAxis']> {
  const counts = new Map<string, number>();
  for (const p of projects) {
    const k = `${p.region_code ?? ''}\u0000${p.axis ?? ''}`;
    counts.set(k, (counts.get(k) ?? 0) + Number(p.n));
  }
  return [...counts]
    .filter(([, n]) => n !== 0)
    .map(([k, n]) => {
      const [regionCode = '', axis = ''] = k.split('\u0000');
      return { regionCode, regionName: nameOf(regionCode), axis, projects: n };
    })
    .sort((a, b) => a.regionCode.localeCompare(b.regionCode) || a.axis.localeCompare(b.axis));
}

/**
 * The report as CSV: one line per figure, `section,key,metric,value,region_name`. The last column
 * (added after the first four, so consumers reading by position are unaffected) is the Region's
 * name in force on the report's date on the lines that carry a Region (`region`, `region_axis`),
 * empty elsewhere.
 *
 * `fr`: for French spreadsheets (Excel, LibreOffice in a French locale): `;` between fields,
 * decimal comma, and a UTF-8 byte order mark so Excel reads the accents. Otherwise RFC 4180 with
 * `,` and a decimal point. Fields holding the separator, a quote or a line break are quoted.
 */
export function progressCsv(r: ProgressReport, opts: { fr?: boolean } = {}): string {
  const sep = opts.fr ? ';' : ',';
  const field = (v: string) => (v.includes(sep) || /["\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  const text = progressCsvRows(r)
    .map(([section, key, metric, value, name]) => {
      const v = opts.fr && /^-?\d+\.\d+$/.test(value) ? value.replace('.', ',') : value;
      return [section, key, metric, v, name].map(field).join(sep);
    })
    .join('\n');
  return (opts.fr ? '\ufeff' : '') + text + '\n';
}

type CsvRow = [section: string, key: string, metric: string, value: string, regionName: string];

function progressCsvRows(r: ProgressReport): CsvRow[] {
  const rows: CsvRow[] = [['section', 'key', 'metric', 'value', 'region_name']];
  const total = (metric: string, value: string | number): CsvRow => ['total', '', metric, String(value), ''];
  rows.push(total('as_of', r.asOf), total('territories', r.territories), total('epcis', r.epcis));
  for (const [k, v] of Object.entries(r.contracts)) rows.push(['contracts', '', k, String(v), '']);
  rows.push(total('projects', r.projects), total('funding_eur', r.fundingEur.toFixed(2)));
  for (const x of r.byRegion) {
    const name = x.regionName ?? '';
    rows.push(['region', x.regionCode, 'territories', String(x.territories), name]);
    rows.push(['region', x.regionCode, 'contracts_validated', String(x.contractsValidated), name]);
    rows.push(['region', x.regionCode, 'projects', String(x.projects), name]);
  }
  for (const x of r.byAxis) rows.push(['axis', x.axis, 'projects', String(x.projects), '']);
  for (const x of r.byRegionAxis ?? [])
    rows.push(['region_axis', `${x.regionCode}/${x.axis}`, 'projects', String(x.projects), x.regionName ?? '']);
  return rows;
}
