import { Kysely, PostgresDialect, type ColumnType, type Generated, type Selectable } from 'kysely';
import pg from 'pg';

/** Kysely's view of the schemas this application reads and writes (projections and read models). */

type Int8 = ColumnType<string, string | number | bigint, string | number | bigint>;
type DateCol = string;

export interface CheckpointsTable {
  name: string;
  checkpoint: string | null;
  position: Int8 | null;
  events_applied: ColumnType<string, string | number | undefined, string | number>;
  updated_at: Generated<Date>;
}

export interface DeadLettersTable {
  id: Generated<Int8>;
  projection: string;
  event_id: string;
  position: Int8;
  checkpoint: string;
  stream: string;
  type: string;
  error: string;
  attempts: number;
  parked_at: Generated<Date>;
  replayed_at: Date | null;
  revision: Int8 | null;
}

export interface TerritoriesTable {
  territory_id: string;
  valid_from: DateCol;
  valid_to: DateCol | null;
  programme: string;
  name: string;
  region_code: string;
  status: string;
  labelled_on: DateCol;
  epci_count: number;
  industrial_co_lead: string | null;
  elected_co_lead: string | null;
  split_from: string | null;
  succeeds: string | null;
  synthetic: Generated<boolean>;
  position: Int8;
  /** Migration 0015: the application of the programme's call it was labelled from. */
  application_id: string | null;
  /** Migration 0015: the co-financed project lead (chef de projet). */
  project_lead: string | null;
  project_lead_appointed_on: DateCol | null;
  project_lead_cofinancing_cents: Int8 | null;
  project_lead_funders: string | null;
}

/** read.applications (migration 0015): one row per version of an application to a call. */
export interface ApplicationsTable {
  programme: string;
  application_id: string;
  valid_from: DateCol;
  valid_to: DateCol | null;
  name: string;
  region_code: string;
  epci_count: number;
  status: string;
  submitted_on: DateCol;
  decided_on: DateCol | null;
  succeeds: string | null;
  labelled_on: DateCol | null;
  synthetic: Generated<boolean>;
  position: Int8;
}

export interface TerritoryEpcisTable {
  programme: string;
  territory_id: string;
  siren: string;
  valid_from: DateCol;
  valid_to: DateCol | null;
  name: string;
  nature: string | null;
  position: Int8;
}

/** Which stream holds which territory of which programme (docs/adr/0007). */
export interface TerritoryStreamsTable {
  stream: string;
  programme: string;
  territory_id: string;
  position: Int8;
}

export interface RegionsTable {
  region_code: string;
  valid_from: DateCol;
  valid_to: DateCol | null;
  name: string;
  position: Int8;
}

export interface ContractsTable {
  contract_id: string;
  valid_from: DateCol;
  valid_to: DateCol | null;
  territory_id: string;
  region_code: string | null;
  kind: string | null;
  title: string | null;
  status: string;
  drafted_on: DateCol | null;
  submitted_on: DateCol | null;
  validated_on: DateCol | null;
  changes_requested_on: DateCol | null;
  rejected_on: DateCol | null;
  signed_on: DateCol | null;
  reopened_on: DateCol | null;
  submissions: number;
  commitments: number;
  committed_cents: Int8;
  position: Int8;
}

export interface ContractCommitmentsTable {
  contract_id: string;
  commitment_id: string;
  valid_from: DateCol;
  valid_to: DateCol | null;
  territory_id: string;
  region_code: string | null;
  party_kind: string;
  party_name: string | null;
  party_siren: string | null;
  axis: string | null;
  description: string | null;
  amount_cents: Int8;
  due_on: DateCol | null;
  status: string;
  position: Int8;
}

export interface ContractDecisionsTable {
  position: Int8;
  contract_id: string;
  territory_id: string;
  region_code: string | null;
  decision: string;
  valid_from: DateCol;
  valid_to: DateCol | null;
  actor_sub: string | null;
  actor_name: string | null;
  reason: string | null;
}

export interface ProjectsTable {
  project_id: string;
  valid_from: DateCol;
  valid_to: DateCol | null;
  territory_id: string;
  contract_id: string | null;
  region_code: string | null;
  axis: string | null;
  title: string | null;
  budget_cents: Int8 | null;
  status: string;
  registered_on: DateCol | null;
  started_on: DateCol | null;
  completed_on: DateCol | null;
  abandoned_on: DateCol | null;
  fundings: number;
  funding_cents: Int8;
  position: Int8;
}

export interface ProjectFundingsTable {
  position: Int8;
  project_id: string;
  funding_id: string | null;
  territory_id: string;
  region_code: string | null;
  source: string;
  amount_cents: Int8;
  valid_from: DateCol;
  valid_to: DateCol | null;
}

export interface AuditLogTable {
  position: Int8;
  event_id: string;
  stream: string;
  revision: Int8;
  type: string;
  schema_version: number;
  actor_sub: string | null;
  actor_name: string | null;
  occurred_on: DateCol;
  recorded_at: Date;
  correlation_id: string | null;
  causation_id: string | null;
  summary: string;
  hash: string;
  valid_from: DateCol;
  valid_to: DateCol | null;
}

/** Pre-aggregated report figures (migration 0006): dated deltas per metric, region and axis. */
export interface ReportDeltasTable {
  day: DateCol;
  metric: string;
  region_code: string;
  axis: string;
  delta: Int8;
}

export interface ReportDeltasMonthlyTable {
  month: DateCol;
  metric: string;
  region_code: string;
  axis: string;
  delta: Int8;
}

/** Idempotency keys of the command API (migration 0003). */
export interface NfiPlansTable {
  plan_id: string;
  valid_from: DateCol;
  valid_to: DateCol | null;
  programme: string;
  name: string;
  launched_on: DateCol;
  leads: unknown;
  leads_appointed_on: DateCol | null;
  roadmap_validated_on: DateCol | null;
  status: string;
  grouping_id: string | null;
  grouping_name: string | null;
  synthetic: boolean;
  position: Int8;
}

export interface NfiPlanChoicesTable {
  region_code: string;
  plan_id: string;
  valid_from: DateCol;
  valid_to: DateCol | null;
  programme: string;
  plan_name: string;
  rank: number;
  status: string;
  chosen_on: DateCol;
  withdrawn_on: DateCol | null;
  lead_person: string | null;
  lead_company: string | null;
  lead_siren: string | null;
  lead_appointed_on: DateCol | null;
  synthetic: boolean;
  position: Int8;
}

export interface NfiRoadmapsTable {
  region_code: string;
  valid_from: DateCol;
  valid_to: DateCol | null;
  programme: string;
  mandated_on: DateCol;
  due_on: DateCol;
  status: string;
  submitted_on: DateCol | null;
  late: boolean;
  accepted_on: DateCol | null;
  sent_back_on: DateCol | null;
  sent_back_reason: string | null;
  position: Int8;
}

export interface NfiUsineDuFuturTable {
  position: Int8;
  programme: string;
  region_code: string;
  siren: string;
  name: string;
  size: string;
  selected_on: DateCol;
  synthetic: boolean;
}

export interface IdempotencyKeysTable {
  principal_sub: string;
  key: string;
  method: string;
  route: string;
  body_hash: string;
  status_code: number | null;
  response_body: unknown;
  response_headers: ColumnType<Record<string, string>, string | undefined, string>;
  created_at: Generated<Date>;
  completed_at: Date | null;
  expires_at: ColumnType<Date, Date | string, Date | string>;
  claim_id: string | null;
  lease_until: Date | null;
}

export interface Database {
  'projections.checkpoints': CheckpointsTable;
  'projections.dead_letters': DeadLettersTable;
  'read.territories': TerritoriesTable;
  'read.territory_epcis': TerritoryEpcisTable;
  'read.territory_streams': TerritoryStreamsTable;
  'read.regions': RegionsTable;
  'read.contracts': ContractsTable;
  'read.contract_commitments': ContractCommitmentsTable;
  'read.contract_decisions': ContractDecisionsTable;
  'read.projects': ProjectsTable;
  'read.project_fundings': ProjectFundingsTable;
  'read.audit_log': AuditLogTable;
  'read.report_deltas': ReportDeltasTable;
  'read.report_deltas_monthly': ReportDeltasMonthlyTable;
  'read.nfi_plans': NfiPlansTable;
  'read.nfi_plan_choices': NfiPlanChoicesTable;
  'read.nfi_roadmaps': NfiRoadmapsTable;
  'read.nfi_usine_du_futur': NfiUsineDuFuturTable;
  'http.idempotency_keys': IdempotencyKeysTable;
  'read.applications': ApplicationsTable;
}

export type TerritoryRow = Selectable<TerritoriesTable>;
export type TerritoryEpciRow = Selectable<TerritoryEpcisTable>;
export type ApplicationRow = Selectable<ApplicationsTable>;

// Dates as plain 'YYYY-MM-DD' strings (no time zone games), int8 as strings (no precision loss).
pg.types.setTypeParser(1082, (v) => v);

export interface PoolTimeouts {
  /** statement_timeout (0: none). */
  statementTimeoutMs?: number;
  /** idle_in_transaction_session_timeout (0: none). */
  idleInTransactionTimeoutMs?: number;
  /** How long to wait for a connection (new or from the pool). */
  connectTimeoutMs?: number;
  /** How long the client waits for any query's answer. */
  queryTimeoutMs?: number;
}

/** The defaults of src/config.ts, for tools that build a pool without a configuration. */
export const DEFAULT_POOL_TIMEOUTS: Required<PoolTimeouts> = {
  statementTimeoutMs: 15_000,
  idleInTransactionTimeoutMs: 60_000,
  connectTimeoutMs: 5_000,
  queryTimeoutMs: 20_000,
};

export function createPool(url: string, max = 10, timeouts: PoolTimeouts = {}): pg.Pool {
  const t = { ...DEFAULT_POOL_TIMEOUTS, ...timeouts };
  const pool = new pg.Pool({
    connectionString: url,
    max,
    application_name: 'ti-ledger',
    // Every wait on the database is bounded (docs/architecture.md, "Faults"): a dead or stalled
    // server gives errors the HTTP layer answers as 503, never a request that hangs.
    // A session idle inside a transaction holds back every reader of the event log (ADR 0002).
    options: `-c idle_in_transaction_session_timeout=${t.idleInTransactionTimeoutMs} -c statement_timeout=${t.statementTimeoutMs}`,
    connectionTimeoutMillis: t.connectTimeoutMs,
    ...(t.queryTimeoutMs > 0 ? { query_timeout: t.queryTimeoutMs } : {}),
    // TCP keepalive: a peer that vanished (host down, network cut) is noticed
    keepAlive: true,
  });
  // An idle client's error (server restart, network) must not crash the process.
  pool.on('error', () => undefined);
  // Nor that of a client checked out and idle between two queries (a transaction, a lock held on
  // a connection): pg emits 'error' on it with no listener, which would throw. The query that
  // uses it next fails, and the pool drops it when it is released.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

export function createDb(pool: pg.Pool): Kysely<Database> {
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
