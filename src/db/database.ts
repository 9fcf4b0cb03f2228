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
  synthetic: Generated<boolean>;
  position: Int8;
}

export interface TerritoryEpcisTable {
  territory_id: string;
  siren: string;
  valid_from: DateCol;
  valid_to: DateCol | null;
  name: string;
  nature: string | null;
  position: Int8;
}

export interface Database {
  'projections.checkpoints': CheckpointsTable;
  'projections.dead_letters': DeadLettersTable;
  'read.territories': TerritoriesTable;
  'read.territory_epcis': TerritoryEpcisTable;
}

export type TerritoryRow = Selectable<TerritoriesTable>;
export type TerritoryEpciRow = Selectable<TerritoryEpcisTable>;

// Dates as plain 'YYYY-MM-DD' strings (no time zone games), int8 as strings (no precision loss).
pg.types.setTypeParser(1082, (v) => v);

export function createPool(url: string, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, application_name: 'ti-ledger' });
  // An idle client's error (server restart, network) must not crash the process.
  pool.on('error', () => undefined);
  return pool;
}

export function createDb(pool: pg.Pool): Kysely<Database> {
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
