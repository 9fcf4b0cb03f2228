import type { Decider } from '../../kernel/decider.ts';
import { decideContract, type ContractCommand } from './decide.ts';
import { evolveContract, initialContract, type Contract, type ContractEvent } from './contract.ts';

export const contractDecider: Decider<ContractCommand, ContractEvent, Contract> = {
  decide: decideContract,
  evolve: evolveContract,
  initialState: initialContract,
};
export * from './contract.ts';
export * from './decide.ts';
