import type { System } from '../src/system.ts';

/** Loads the demo history when the store is empty (SEED=demo). */
export async function seedIfEmpty(
  system: System,
  log: { info(o: object | string, msg?: string): void },
): Promise<void> {
  const head = await system.store.headCheckpoint();
  if (head !== undefined) return;
  log.info('store is empty; the demo history is not written yet');
}
