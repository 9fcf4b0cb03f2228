import type { AuditLogTable } from '../../db/database.ts';
import type { Db, Projection, ProjectedEvent, ProjectionContext } from '../types.ts';
import { insertFacts } from '../versioned.ts';

/** read.audit_log: one row per event of the log, whatever its type. */
type AuditRow = {
  [K in keyof AuditLogTable]: K extends 'position' | 'revision'
    ? string
    : K extends 'recorded_at'
      ? string
      : AuditLogTable[K];
};

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function row(e: ProjectedEvent, ctx: ProjectionContext): AuditRow {
  const m = e.recorded.metadata;
  let summary: string;
  try {
    summary = ctx.registry.summary({ type: e.type, data: e.data });
  } catch {
    summary = e.type;
  }
  return {
    position: e.recorded.position.toString(),
    event_id: e.recorded.id,
    stream: e.recorded.stream,
    revision: e.recorded.revision.toString(),
    type: e.type,
    schema_version: e.recorded.schemaVersion,
    actor_sub: m.actor?.sub ?? null,
    actor_name: m.actor?.name ?? null,
    occurred_on: e.occurredOn,
    recorded_at: m.recordedAt,
    correlation_id: str(m.correlationId),
    causation_id: str(m.causationId),
    summary,
    hash: e.recorded.hash,
    valid_from: e.occurredOn,
    valid_to: null,
  };
}

async function applyAudit(db: Db, events: ProjectedEvent[], ctx: ProjectionContext): Promise<void> {
  await insertFacts(
    db,
    ctx,
    'audit_log',
    events.map((e) => row(e, ctx)),
  );
}

export const auditProjection: Projection = {
  name: 'audit',
  handles: 'all',
  apply: (db, event, ctx) => applyAudit(db, [event], ctx),
  applyBatch: applyAudit,
};
