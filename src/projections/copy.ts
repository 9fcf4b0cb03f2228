import { Kysely, PostgresDialect, type PostgresPool, type PostgresQueryResult } from 'kysely';
import type pg from 'pg';
import type { Database } from '../db/database.ts';

/**
 * `COPY ... FROM STDIN` on a node-postgres client without another dependency: a "submittable"
 * query that answers the server's CopyInResponse with the rows (text format) and ends the copy.
 */
interface CopyConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

class CopyIn {
  private error: Error | undefined;
  private settle!: { resolve: () => void; reject: (e: Error) => void };
  readonly done = new Promise<void>((resolve, reject) => {
    this.settle = { resolve, reject };
  });
  constructor(
    private readonly text: string,
    private readonly data: string,
  ) {}
  submit(connection: CopyConnection): void {
    connection.query(this.text);
  }
  handleCopyInResponse(connection: CopyConnection): void {
    connection.sendCopyFromChunk(Buffer.from(this.data, 'utf8'));
    connection.endCopyFrom();
  }
  handleCommandComplete(): void {}
  handleEmptyQuery(): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleError(err: Error): void {
    this.error = err;
  }
  handleReadyForQuery(): void {
    if (this.error) this.settle.reject(this.error);
    else this.settle.resolve();
  }
}

/** COPY text format: \N for null, backslash escapes for \, tab, newline, carriage return. */
function field(v: unknown): string {
  if (v === null || v === undefined) return '\\N';
  const s =
    typeof v === 'string'
      ? v
      : typeof v === 'number' || typeof v === 'bigint'
        ? v.toString()
        : typeof v === 'boolean'
          ? v
            ? 't'
            : 'f'
          : v instanceof Date
            ? v.toISOString()
            : JSON.stringify(v);
  return /[\\\t\n\r]/.test(s) ? s.replace(/[\\\t\n\r]/g, (c) => ESC[c]!) : s;
}
const ESC: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

const quote = (id: string) => `"${id.replace(/"/g, '""')}"`;

/**
 * Runs the statements given to it on one client one after the other. Several projections write
 * side by side on a batch's connection; node-postgres's own queue for a query issued while
 * another runs is deprecated (removed in pg@9), so they queue here instead.
 */
export type Serial = <T>(statement: () => Promise<T>) => Promise<T>;
export function serial(): Serial {
  let tail: Promise<unknown> = Promise.resolve();
  return (statement) => {
    const run = tail.then(statement, statement);
    tail = run.catch(() => undefined);
    return run;
  };
}

/**
 * Copies `rows` (objects keyed by column) into `table` (already quoted/qualified) on `client`.
 * The rows are encoded first, then the COPY waits for its turn on `queue`.
 */
export async function copyRows(
  client: pg.ClientBase,
  table: string,
  columns: readonly string[],
  rows: readonly object[],
  queue: Serial,
): Promise<void> {
  if (rows.length === 0) return;
  let data = '';
  const last = columns.length - 1;
  for (const r of rows) {
    const rec = r as Record<string, unknown>;
    for (let i = 0; i < last; i++) data += field(rec[columns[i]!]) + '\t';
    data += field(rec[columns[last]!]) + '\n';
  }
  const q = new CopyIn(`copy ${table} (${columns.map(quote).join(', ')}) from stdin`, data);
  await queue(() => {
    // a submittable: node-postgres hands it the connection
    void client.query(q as unknown as pg.QueryConfig);
    return q.done;
  });
}

/** A Kysely bound to one client (the batch's transaction runs on it), its statements on `queue`. */
export function kyselyOn(client: pg.ClientBase, queue: Serial): Kysely<Database> {
  const pool: PostgresPool = {
    connect: () =>
      Promise.resolve({
        query: <R>(sqlText: string, parameters: readonly unknown[]) =>
          queue(() => client.query(sqlText, [...parameters]) as unknown as Promise<PostgresQueryResult<R>>),
        release: () => undefined,
      }) as ReturnType<PostgresPool['connect']>,
    end: () => Promise.resolve(),
  };
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
