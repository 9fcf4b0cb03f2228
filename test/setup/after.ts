import { stopEmbeddedAt } from '../../src/db/embedded.ts';
import { TEST_DATA_DIR } from '../helpers/cluster.ts';

await stopEmbeddedAt(TEST_DATA_DIR);
