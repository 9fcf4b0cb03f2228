import { TERRITORIES_DEFAULT_PROGRAMME, territoryStream } from '../eventstore/streams.ts';
import type { Dependencies } from './commandHandler.ts';

/**
 * The stream of territory `id` of `programme` (docs/adr/0007). Phase 1 and the default:
 * `territory-<id>`. Another programme: `territory-<id>@<programme>`, except for a territory the
 * previous release recorded in that programme under `territory-<id>` (its importer wrote phase 2
 * as `2023-NNNN` there; POST /territories took any programme): that stream, found by its first
 * event, stays the territory's stream. Recorded events are never rewritten or moved.
 */
export async function territoryStreamFor(deps: Dependencies, programme: string, id: string): Promise<string> {
  const stream = territoryStream(id, programme);
  if (programme === TERRITORIES_DEFAULT_PROGRAMME) return stream;
  for await (const _e of deps.store.readStream(stream, { maxCount: 1 })) return stream;
  const legacy = territoryStream(id);
  for await (const e of deps.store.readStream(legacy, { maxCount: 1 })) {
    if (e.type === 'TerritoryLabelled' && e.data.programme === programme) return legacy;
  }
  return stream;
}
