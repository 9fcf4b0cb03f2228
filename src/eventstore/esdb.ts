import type { EventStore } from './types.ts';

/** EventStoreDB backend (work in progress: see issue 3). */
export const EventStoreDbEventStore = {
  async connect(_url: string, _types: string[]): Promise<EventStore> {
    throw new Error('the EventStoreDB backend is not implemented yet');
  },
};
