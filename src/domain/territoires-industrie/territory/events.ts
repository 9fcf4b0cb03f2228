import type { EventTypeSpec } from '../../registry.ts';
import { TerritoryEventSchemas as S } from './territory.ts';

const str = (v: unknown) => String(v);

export const territoryEventTypes: Record<string, EventTypeSpec> = {
  TerritoryLabelled: {
    version: 1,
    schema: S.TerritoryLabelled,
    occurredOn: (d) => str(d.labelledOn),
    summary: (d) => `Territory ${str(d.territoryId)} "${str(d.name)}" labelled in region ${str(d.regionCode)}`,
  },
  TerritoryRenamed: {
    version: 1,
    schema: S.TerritoryRenamed,
    occurredOn: (d) => str(d.renamedOn),
    summary: (d) => `Territory ${str(d.territoryId)} renamed "${str(d.name)}"`,
  },
  TerritoryPerimeterChanged: {
    version: 1,
    schema: S.TerritoryPerimeterChanged,
    occurredOn: (d) => str(d.decidedOn),
    summary: (d) =>
      `Territory ${str(d.territoryId)} perimeter: +${(d.added as unknown[]).length} -${(d.removed as unknown[]).length} EPCIs`,
  },
  TerritorySplit: {
    version: 1,
    schema: S.TerritorySplit,
    occurredOn: (d) => str(d.splitOn),
    summary: (d) =>
      `Territory ${str(d.territoryId)} split into ${(d.into as { territoryId: string }[]).map((t) => t.territoryId).join(', ')}`,
  },
  TerritoryCoLeadsAppointed: {
    version: 1,
    schema: S.TerritoryCoLeadsAppointed,
    occurredOn: (d) => str(d.appointedOn),
    summary: (d) => `Territory ${str(d.territoryId)} co-leads appointed`,
  },
  TerritoryWithdrawn: {
    version: 1,
    schema: S.TerritoryWithdrawn,
    occurredOn: (d) => str(d.withdrawnOn),
    summary: (d) => `Territory ${str(d.territoryId)} withdrawn`,
  },
  TerritoryProjectLeadAppointed: {
    version: 1,
    schema: S.TerritoryProjectLeadAppointed,
    occurredOn: (d) => str(d.appointedOn),
    summary: (d) => `Territory ${str(d.territoryId)} project lead appointed`,
  },
  TerritorySuccessionLinked: {
    version: 1,
    schema: S.TerritorySuccessionLinked,
    occurredOn: (d) => str(d.linkedOn),
    summary: (d) => `Territory ${str(d.territoryId)} renews ${str(d.succeeds)}`,
  },
};
