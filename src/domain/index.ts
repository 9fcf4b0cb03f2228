import { EventRegistry } from './registry.ts';
import { territoryEventTypes } from './territory/events.ts';

/** Every event type the system records, with versions and upcasters. */
export function buildRegistry(): EventRegistry {
  return new EventRegistry().register(territoryEventTypes);
}
