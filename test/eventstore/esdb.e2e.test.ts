/**
 * The contract suite against EventStoreDB. Runs when EVENTSTORE_URL is set (CI starts an
 * EventStoreDB container: .github/workflows/ci.yml); this machine has no Docker engine.
 */
import t from 'tap';
import { EventStoreDbEventStore } from '../../src/eventstore/esdb.ts';
import { CONTRACT_EVENT_TYPES, eventStoreContract } from './contract.ts';

const url = process.env.EVENTSTORE_URL;

if (!url) {
  t.pass('EVENTSTORE_URL not set: EventStoreDB leg not run here');
} else {
  t.test('contract (EventStoreDB)', async (t) => {
    eventStoreContract(t, async (tt) => {
      const store = await EventStoreDbEventStore.connect(url, CONTRACT_EVENT_TYPES);
      tt.teardown(() => store.close());
      return store;
    });
  });
}
