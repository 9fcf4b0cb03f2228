import type { Decider } from '../../kernel/decider.ts';
import { decideTerritory, type TerritoryCommand } from './decide.ts';
import { evolveTerritory, initialTerritory, type Territory, type TerritoryEvent } from './territory.ts';

export const territoryDecider: Decider<TerritoryCommand, TerritoryEvent, Territory> = {
  decide: decideTerritory,
  evolve: evolveTerritory,
  initialState: initialTerritory,
};
export * from './territory.ts';
export * from './decide.ts';
