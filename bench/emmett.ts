import { sql } from '@event-driven-io/dumbo';
import {
  getPostgreSQLEventStore,
  postgreSQLRawSQLProjection,
  rebuildPostgreSQLProjections,
} from '@event-driven-io/emmett-postgresql';
import type pg from 'pg';
import type { EventRegistry } from '../src/domain/registry.ts';

/**
 * The comparison: Emmett's PostgreSQL projection rebuild of the same events into equivalent
 * tables (audit trail, contracts and projects current state, fundings), written the way Emmett's
 * raw-SQL projections are written: SQL statements per event, executed by Emmett per batch.
 * The events are copied into Emmett's own message table first (not measured).
 */
export const EMMETT_SCHEMA = 'emmett_bench';

type Ev = {
  type: string;
  data: Record<string, unknown>;
  metadata: {
    streamName: string;
    streamPosition: bigint;
    globalPosition: bigint;
    messageId: string;
    occurredOn?: string;
    recordedAt?: string;
    actor?: { sub?: string; name?: string };
  };
};

const s = (v: unknown): string | null =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'bigint' ? v.toString() : null;

export async function prepareEmmett(connectionString: string, pool: pg.Pool, limit: number): Promise<number> {
  const store = getPostgreSQLEventStore(connectionString);
  await store.schema.migrate();
  await store.close();
  await pool.query(`drop schema if exists ${EMMETT_SCHEMA} cascade; create schema ${EMMETT_SCHEMA};
    create table ${EMMETT_SCHEMA}.audit_log (position bigint primary key, event_id text not null, stream text not null,
      revision bigint not null, type text not null, actor_sub text, actor_name text, occurred_on date not null,
      recorded_at timestamptz not null, summary text not null);
    create table ${EMMETT_SCHEMA}.contracts (contract_id text primary key, territory_id text, region_code text,
      status text not null, drafted_on date, submitted_on date, validated_on date, rejected_on date, signed_on date,
      commitments int not null default 0, committed_cents bigint not null default 0, position bigint not null);
    create table ${EMMETT_SCHEMA}.commitments (contract_id text, commitment_id text, amount_cents bigint, status text,
      position bigint, primary key (contract_id, commitment_id));
    create table ${EMMETT_SCHEMA}.projects (project_id text primary key, territory_id text, region_code text, axis text,
      status text not null, registered_on date, started_on date, completed_on date, abandoned_on date,
      fundings int not null default 0, funding_cents bigint not null default 0, position bigint not null);
    create table ${EMMETT_SCHEMA}.project_fundings (position bigint primary key, project_id text, source text,
      amount_cents bigint, granted_on date);`);
  await pool.query(`delete from emt_messages`);
  const r = await pool.query(
    `insert into emt_messages (stream_position, global_position, transaction_id, created, stream_id, message_schema_version,
       message_id, message_type, message_data, message_metadata)
     select revision + 1, position, pg_current_xact_id(), recorded_at, stream_name, schema_version::text, event_id::text, type,
            data, metadata
       from es.events order by transaction_id, position limit $1`,
    [limit],
  );
  return r.rowCount ?? 0;
}

function evolve(registry: EventRegistry) {
  const t = (name: string) => `${EMMETT_SCHEMA}.${name}`;
  return (e: Ev): ReturnType<typeof sql>[] => {
    const m = e.metadata;
    const d = registry.upcast(e.type, 1 + (e.type === 'CommitmentMade' ? 1 : 0), e.data).data as Record<
      string,
      unknown
    >;
    const pos = m.globalPosition.toString();
    const date = m.occurredOn ?? '1970-01-01';
    const out: ReturnType<typeof sql>[] = [
      sql(
        `insert into ${t('audit_log')} values (%L, %L, %L, %L, %L, %L, %L, %L, %L, %L) on conflict do nothing`,
        pos,
        m.messageId,
        m.streamName,
        (m.streamPosition - 1n).toString(),
        e.type,
        s(m.actor?.sub),
        s(m.actor?.name),
        date,
        m.recordedAt ?? new Date(0).toISOString(),
        registry.summary({ type: e.type, data: d }),
      ),
    ];
    const contract = (set: string) =>
      sql(`update ${t('contracts')} set ${set}, position = %L where contract_id = %L`, pos, s(d.contractId));
    const project = (set: string) =>
      sql(`update ${t('projects')} set ${set}, position = %L where project_id = %L`, pos, s(d.projectId));
    switch (e.type) {
      case 'ContractDrafted':
        out.push(
          sql(
            `insert into ${t('contracts')} (contract_id, territory_id, region_code, status, drafted_on, position)
             values (%L, %L, %L, 'draft', %L, %L) on conflict do nothing`,
            s(d.contractId),
            s(d.territoryId),
            s(d.regionCode),
            date,
            pos,
          ),
        );
        break;
      case 'CommitmentMade':
        out.push(
          sql(
            `insert into ${t('commitments')} values (%L, %L, %L, 'made', %L) on conflict do nothing`,
            s(d.contractId),
            s(d.commitmentId),
            s(d.amountCents),
            pos,
          ),
          contract(
            sql(`commitments = commitments + 1, committed_cents = committed_cents + %L::bigint`, s(d.amountCents)),
          ),
        );
        break;
      case 'CommitmentAmended':
        out.push(
          contract(
            sql(
              `committed_cents = committed_cents + %L::bigint - (select amount_cents from ${t('commitments')} where contract_id = %L and commitment_id = %L)`,
              s(d.amountCents),
              s(d.contractId),
              s(d.commitmentId),
            ),
          ),
          sql(
            `update ${t('commitments')} set amount_cents = %L, status = 'amended', position = %L where contract_id = %L and commitment_id = %L`,
            s(d.amountCents),
            pos,
            s(d.contractId),
            s(d.commitmentId),
          ),
        );
        break;
      case 'ContractSubmittedForValidation':
        out.push(contract(sql(`status = 'submitted', submitted_on = coalesce(submitted_on, %L)`, date)));
        break;
      case 'ContractValidatedByRegion':
        out.push(contract(sql(`status = 'validated', validated_on = coalesce(validated_on, %L)`, date)));
        break;
      case 'ContractChangesRequestedByRegion':
        out.push(contract(`status = 'changes_requested'`));
        break;
      case 'ContractRejectedByRegion':
        out.push(contract(sql(`status = 'rejected', rejected_on = coalesce(rejected_on, %L)`, date)));
        break;
      case 'ContractSigned':
        out.push(contract(sql(`status = 'signed', signed_on = coalesce(signed_on, %L)`, date)));
        break;
      case 'ProjectRegistered':
        out.push(
          sql(
            `insert into ${t('projects')} (project_id, territory_id, region_code, axis, status, registered_on, position)
             values (%L, %L, %L, %L, 'registered', %L, %L) on conflict do nothing`,
            s(d.projectId),
            s(d.territoryId),
            s(d.regionCode),
            s(d.axis),
            date,
            pos,
          ),
        );
        break;
      case 'ProjectFundingGranted':
        out.push(
          sql(
            `insert into ${t('project_fundings')} values (%L, %L, %L, %L, %L) on conflict do nothing`,
            pos,
            s(d.projectId),
            s(d.source),
            s(d.amountCents),
            date,
          ),
          project(sql(`fundings = fundings + 1, funding_cents = funding_cents + %L::bigint`, s(d.amountCents))),
        );
        break;
      case 'ProjectStarted':
        out.push(project(sql(`status = 'started', started_on = coalesce(started_on, %L)`, date)));
        break;
      case 'ProjectCompleted':
        out.push(project(sql(`status = 'completed', completed_on = coalesce(completed_on, %L)`, date)));
        break;
      case 'ProjectAbandoned':
        out.push(project(sql(`status = 'abandoned', abandoned_on = coalesce(abandoned_on, %L)`, date)));
        break;
      default:
        break;
    }
    return out;
  };
}

/** Runs Emmett's rebuild over its message table; resolves when no message is left. */
export async function runEmmettRebuild(connectionString: string, registry: EventRegistry): Promise<void> {
  const f = evolve(registry);
  const projection = postgreSQLRawSQLProjection<any>({
    name: 'bench',
    canHandle: registry.types(),
    evolve: (e: Ev) => f(e),
  });
  const consumer = rebuildPostgreSQLProjections({
    connectionString,
    projections: [projection],
    pulling: { batchSize: 1000, pullingFrequencyInMs: 10 },
  });
  await consumer.start();
  await consumer.close();
}
