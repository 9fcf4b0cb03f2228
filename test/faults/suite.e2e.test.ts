import t from 'tap';
import { SCENARIOS, runScenario } from '../../bench/faults/suite.ts';

/**
 * The short fault suite in CI (the whole one is `npm run faults`): the real server under load
 * from retrying clients, its embedded PostgreSQL killed with -9 mid-load; the checker's verdict.
 */
t.test('kill -9 of PostgreSQL under load: nothing lost, nothing twice, read models = rebuild', async (t) => {
  const scenario = SCENARIOS.find((s) => s.name === 'kill -9 PostgreSQL')!;
  const v = await runScenario(scenario, { clients: 6, loadMs: 15_000, faultAtMs: 5_000 });
  t.ok(v.acknowledged > 0, `${v.acknowledged} acknowledged of ${v.requests} requests`);
  t.equal(v.lost, 0, 'no acknowledged command lost');
  t.equal(v.duplicated, 0, 'no key wrote two sets of events');
  t.equal(v.inDoubt, 0, 'no request left in doubt');
  t.equal(v.revisionGaps, 0, 'no revision gap');
  t.equal(v.chains, 'intact');
  t.ok(v.readModelsEqualRebuild, 'read models = a clean rebuild');
  t.ok(v.ready, 'ready again');
  t.ok(v.ok, JSON.stringify(v.notes));
});
