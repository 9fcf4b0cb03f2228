import { EventRegistry } from './registry.ts';
import { territoryEventTypes } from './territoires-industrie/territory/events.ts';
import { contractEventTypes } from './territoires-industrie/contract/events.ts';
import { projectEventTypes } from './territoires-industrie/project/events.ts';
import { programmeEventTypes } from './programmes/events.ts';
import { applicationEventTypes } from './territoires-industrie/application/events.ts';
import { plansEventTypes, prioritiesEventTypes } from './nouvelle-france-industrielle/events.ts';
import { polesEventTypes } from './poles-competitivite/events.ts';

/** Every event type the system records, with versions and upcasters. */
export function buildRegistry(): EventRegistry {
  return new EventRegistry()
    .register(territoryEventTypes)
    .register(contractEventTypes)
    .register(projectEventTypes)
    .register(programmeEventTypes)
    .register(applicationEventTypes)
    .register(plansEventTypes)
    .register(prioritiesEventTypes)
    .register(polesEventTypes);
}
