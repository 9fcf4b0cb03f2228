import pino from 'pino';
import { loadConfigOrExit } from '../src/config.ts';
import { createSystem } from '../src/system.ts';
import { seedIfEmpty } from './index.ts';

/** `npm run seed`: loads the demo history into an empty store (the same database as `npm start`). */
const config = loadConfigOrExit();
const log = pino({ level: config.LOG_LEVEL === 'silent' ? 'silent' : 'info' });
const system = await createSystem(config, { poolSize: 24 });
let code = 0;
try {
  const r = await seedIfEmpty(system, log);
  if (!r) {
    process.stderr.write('the store already holds events: the demo history loads only into an empty store\n');
    code = 1;
  } else process.stdout.write(`demo history: ${r.commands} commands, ${r.events} events in ${r.ms} ms\n`);
} catch (err) {
  process.stderr.write(`seeding failed: ${(err as Error).message}\n`);
  code = 1;
} finally {
  await system.close();
}
process.exit(code);
