import { readFileSync } from 'node:fs';
import { Migrator, type Migration } from 'kysely';
import pg from 'pg';
import t from 'tap';
import { launchBuiltInProgrammes } from '../../src/application/programmes.ts';
import { parseConfig } from '../../src/config.ts';
import { createDb } from '../../src/db/database.ts';
import { migrations } from '../../src/db/migrations/index.ts';
import { buildApp } from '../../src/http/app.ts';
import { signToken } from '../../src/http/auth.ts';
import { allProjections } from '../../src/projections/index.ts';
import { checksums, rebuild } from '../../src/projections/rebuild.ts';
import { SHADOW_SCHEMA } from '../../src/projections/schema.ts';
import { createSystem } from '../../src/system.ts';
import { createTestDatabase } from '../helpers/cluster.ts';
import { TEST_SECRET } from '../helpers/build.ts';

/**
 * A store written by the release before issue 16 (commit b408a78) keeps working: migrated, it
 * serves its territories unchanged, verifies its chains, and takes new writes in both schemes.
 *
 * test/fixtures/store-b408a78.json: every table of the schemas es, read and projections of a
 * store that b408a78's own code wrote through its HTTP API (script: store-b408a78.make.ts.txt,
 * run in a worktree of that commit): territories 4401, 8413 (renamed), 4402 split into 4410 and
 * 4411, a contract of 4401 validated by Grand Est with four commitments, a funded project, and
 * `2023-8413` labelled in territoires-industrie-2023 (as that release's API allowed) and renamed.
 */
const fixture = JSON.parse(readFileSync(new URL('../fixtures/store-b408a78.json', import.meta.url), 'utf8')) as {
  release: string;
  migrations: string[];
  tables: Record<string, Record<string, unknown>[]>;
};

/** A database with the previous release's schema (its migrations, frozen) and its rows. */
async function previousReleaseStore(t: Parameters<typeof createTestDatabase>[0]): Promise<string> {
  const url = await createTestDatabase(t);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  // the template is migrated to this release: start from a blank database instead
  await client.query(
    'drop schema if exists es, read, read_next, projections, http cascade; drop table if exists public.kysely_migration, public.kysely_migration_lock',
  );
  const db = createDb(new pg.Pool({ connectionString: url, max: 2 }));
  const old: Record<string, Migration> = {};
  for (const name of fixture.migrations) old[name] = migrations[name]!;
  const r = await new Migrator({
    db,
    provider: { getMigrations: async () => old },
    migrationTableSchema: 'public',
  }).migrateToLatest();
  if (r.error) throw r.error as Error;
  await db.destroy();
  // rows as recorded, transaction ids and checkpoints included (as a physical copy would keep
  // them); the cluster's own transaction ids must be past the store's first, as they would be
  const maxXid = Math.max(...fixture.tables['es.events']!.map((e) => Number(e.transaction_id)));
  for (;;) {
    const x = await client.query<{ x: string }>('select pg_current_xact_id()::text as x');
    if (Number(x.rows[0]!.x) > maxXid) break;
  }
  await client.query('begin');
  for (const [table, rows] of Object.entries(fixture.tables)) {
    await client.query(`delete from ${table}`); // reference rows the migrations wrote (regions)
    if (rows.length === 0) continue;
    await client.query(
      `insert into ${table} overriding system value select * from json_populate_recordset(null::${table}, $1::json)`,
      [JSON.stringify(rows)],
    );
  }
  await client.query(
    "select setval(pg_get_serial_sequence('es.events', 'position'), (select max(position) from es.events))",
  );
  await client.query('commit');
  await client.end();
  return url;
}

t.test(
  'a store of the previous release starts, serves its territories unchanged and verifies its chains',
  async (t) => {
    const url = await previousReleaseStore(t);
    const before = fixture.tables['read.territories']!;
    const config = parseConfig({
      DATABASE_URL: url,
      AUTH_JWT_SECRET: TEST_SECRET,
      DATA_DIR: '.data/test',
      SEED: 'none',
      LOG_LEVEL: 'silent',
      NODE_ENV: 'test',
    });
    const system = await createSystem(config, { poolSize: 6, clock: () => new Date('2026-01-15T12:00:00Z') });
    const app = await buildApp(system);
    system.runner.start();
    t.teardown(async () => {
      await app.close();
      await system.close();
    });
    const applied = await system.pool.query<{ name: string }>('select name from public.kysely_migration order by name');
    t.same(
      applied.rows.map((r) => r.name),
      // the previous release's migrations, then every one this release adds
      Object.keys(migrations).sort(),
    );

    // the rows the previous release projected are the rows served, untouched
    const after = await system.pool.query(
      // the columns this release added (0012: succeeds; 0015: the application and the project lead) are null on them
      `select row_to_json(x)::jsonb - 'programme' - 'succeeds' - 'application_id' - 'project_lead'
              - 'project_lead_appointed_on' - 'project_lead_cofinancing_cents' - 'project_lead_funders' as j, programme
         from read.territories x order by territory_id, valid_from`,
    );
    const added = await system.pool.query<{ n: string }>(
      `select count(*) as n from read.territories
        where application_id is not null or project_lead is not null or project_lead_appointed_on is not null
           or project_lead_cofinancing_cents is not null or project_lead_funders is not null`,
    );
    t.equal(added.rows[0]!.n, '0', "migration 0015's columns are null on the previous release's rows");
    const sort = (rows: Record<string, unknown>[]) =>
      [...rows].sort((a, b) =>
        `${String(a.territory_id)}|${String(a.valid_from)}`.localeCompare(
          `${String(b.territory_id)}|${String(b.valid_from)}`,
        ),
      );
    t.same(
      after.rows.map((r: { j: Record<string, unknown>; programme: string }) => ({ ...r.j, programme: r.programme })),
      sort(before),
    );

    const tok = (roles: string[], extra: object = {}) =>
      signToken(TEST_SECRET, {
        sub: `t-${roles[0]}`,
        name: 'T',
        roles: roles as never,
        regions: [],
        territories: [],
        ...extra,
      });
    const reader = { authorization: `Bearer ${await tok(['reporter'])}` };
    const auditor = { authorization: `Bearer ${await tok(['auditor'])}` };
    const admin = { authorization: `Bearer ${await tok(['programme_admin'])}` };
    const get = (url: string, headers = reader) => app.inject({ url, headers });

    t.match((await get('/territories/8413')).json(), {
      name: 'Thiers – Ambert',
      programme: 'territoires-industrie-2018',
    });
    const list = (await get('/territories')).json<{ items: { id: string; status: string }[] }>();
    t.same(
      list.items.map((x) => [x.id, x.status]),
      [
        ['4401', 'labelled'],
        ['4402', 'split'],
        ['4410', 'labelled'],
        ['4411', 'labelled'],
        ['8413', 'labelled'],
      ],
      'phase 1 as the previous release served it',
    );
    // the phase-2 territory the previous release recorded in territory-2023-8413 is read under its programme
    t.equal((await get('/territories/2023-8413')).statusCode, 404);
    t.match((await get('/territories/2023-8413?programme=territoires-industrie-2023')).json(), {
      name: 'Plastics Vallée',
      labelledOn: '2023-11-09',
    });
    const report = (await get('/reports/progress?asOf=2019-12-31')).json<{ territories: number; projects: number }>();
    t.match(report, { territories: 4, projects: 1 });

    // chains
    const v = await get('/audit/verify', auditor);
    t.match(v.json(), { ok: true, eventsChecked: fixture.tables['es.events']!.length });
    const tl = (await get('/audit/territories/4401/timeline', auditor)).json<{ streams: string[]; count: number }>();
    t.equal(tl.streams.length, 3, "the territory's, its contract's and its project's streams");
    const p2 = (await get('/audit/territories/2023-8413?programme=territoires-industrie-2023', auditor)).json<{
      matchesReadModel: boolean;
      eventsFolded: number;
    }>();
    t.match(p2, { matchesReadModel: true, eventsFolded: 2 });

    // new writes: the old phase-2 stream keeps taking its territory's events; a new 8413 of phase 2
    // gets its own stream; the catalogue is recorded
    t.equal((await launchBuiltInProgrammes(system, '2026-01-15')).length, 4);
    const ren = await app.inject({
      method: 'POST',
      url: '/territories/2023-8413/renames',
      headers: admin,
      payload: {
        programme: 'territoires-industrie-2023',
        name: 'Plastics Vallée – Haut-Bugey',
        renamedOn: '2024-06-01',
      },
    });
    t.equal(ren.statusCode, 200, ren.body);
    t.equal(ren.json<{ revision: number }>().revision, 2, 'appended to territory-2023-8413');
    const lab = await app.inject({
      method: 'POST',
      url: '/territories',
      headers: admin,
      payload: {
        id: '8413',
        programme: 'territoires-industrie-2023',
        name: 'Plastics Vallée – Oyonnax',
        regionCode: '84',
        epcis: [{ siren: '200071645', name: 'CC Haut-Bugey Agglomération' }],
        labelledOn: '2023-11-09',
      },
    });
    t.equal(lab.statusCode, 201, lab.body);
    t.ok(await system.runner.waitFor(BigInt(lab.json<{ position: string }>().position), 10_000));
    t.match((await get('/territories/8413')).json(), { name: 'Thiers – Ambert' });
    t.match((await get('/territories/8413?programme=territoires-industrie-2023')).json(), {
      name: 'Plastics Vallée – Oyonnax',
    });
    t.match((await get('/audit/verify', auditor)).json(), { ok: true });

    // the migrated read models equal a replay of the whole log by this release
    await rebuild(
      { db: system.db, pool: system.pool, store: system.store, registry: system.registry, projections: allProjections },
      { swap: false },
    );
    const live = await checksums(system.db);
    const replayed = await checksums(system.db, SHADOW_SCHEMA);
    t.same(replayed, live);
  },
);
