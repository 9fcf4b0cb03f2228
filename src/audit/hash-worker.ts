import { parentPort } from 'node:worker_threads';
import { hashRows, type RowsToHash } from './row-hash.ts';

// One of HashPool's workers (src/audit/hash-pool.ts): hashes the batches it is given, in order.
const port = parentPort!;
port.on('message', (rows: RowsToHash) => {
  try {
    const { chain, leaf } = hashRows(rows);
    port.postMessage({ chain, leaf }, [chain.buffer as ArrayBuffer, leaf.buffer as ArrayBuffer]);
  } catch (e) {
    port.postMessage({ error: (e as Error).message });
  }
});
