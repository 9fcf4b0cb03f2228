import { EventRegistry } from './registry.ts';
import { territoryEventTypes } from './territory/events.ts';
import { contractEventTypes } from './contract/events.ts';
import { projectEventTypes } from './project/events.ts';

/** Every event type the system records, with versions and upcasters. */
export function buildRegistry(): EventRegistry {
  return new EventRegistry().register(territoryEventTypes).register(contractEventTypes).register(projectEventTypes);
}
