import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { loadConfigOrExit } from '../config.ts';
import { DomainError, isCalendarDate } from '../domain/kernel/shared.ts';
import { describe } from '../importer/plan.ts';
import { importTerritories } from '../importer/run.ts';
import { ImportInputError, PROGRAMMES, parseTerritoryLists, type Problem } from '../importer/territories.ts';
import { createSystem } from '../system.ts';

/**
 * `npm run import:territories -- --communes FILE [--groupements FILE] [--insee-communes FILE]
 *   --programme ID --effective-on YYYY-MM-DD [--skip-invalid] [--dry-run]`
 * Exit codes: 0 done (or nothing to do), 1 problems (nothing recorded), 2 bad usage.
 */
const USAGE = `usage: npm run import:territories -- --communes FILE (--groupements FILE | --insee-communes FILE)
         --effective-on YYYY-MM-DD [--programme ${Object.keys(PROGRAMMES).join('|')}] [--skip-invalid] [--dry-run]`;

const out = (s: string) => process.stdout.write(s + '\n');
const err = (s: string) => process.stderr.write(s + '\n');

function usage(message: string): never {
  err(`error: ${message}\n${USAGE}`);
  process.exit(2);
}

let args: ReturnType<typeof parse>;
function parse() {
  return parseArgs({
    options: {
      communes: { type: 'string' },
      groupements: { type: 'string' },
      'insee-communes': { type: 'string' },
      programme: { type: 'string', default: 'territoires-industrie-2018' },
      'effective-on': { type: 'string' },
      'skip-invalid': { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  }).values;
}
try {
  args = parse();
} catch (e) {
  usage((e as Error).message);
}
if (args.help) {
  out(USAGE);
  process.exit(0);
}
if (!args.communes) usage('--communes is required');
const effectiveOn = args['effective-on'];
if (!effectiveOn || !isCalendarDate(effectiveOn)) usage('--effective-on YYYY-MM-DD is required');
const programme = PROGRAMMES[args.programme];
if (!programme) usage(`unknown programme ${args.programme}`);

const read = (file: string | undefined) => {
  if (file === undefined) return undefined;
  try {
    return { name: basename(file), text: readFileSync(file, 'utf8') };
  } catch (e) {
    usage(`cannot read ${file}: ${(e as Error).message}`);
  }
};

const started = Date.now();
const showProblems = (label: string, list: Problem[], max = 50) => {
  for (const p of list.slice(0, max)) err(`${label} ${p.file}${p.line ? `:${p.line}` : ''}: ${p.message}`);
  if (list.length > max) err(`${label} ... and ${list.length - max} more`);
};

let parsed;
try {
  parsed = parseTerritoryLists({
    programme,
    communes: read(args.communes)!,
    groupements: read(args.groupements),
    inseeCommunes: read(args['insee-communes']),
  });
} catch (e) {
  if (e instanceof ImportInputError) usage(e.message);
  throw e;
}
showProblems('warning', parsed.warnings, 10);
showProblems('error', parsed.problems);
out(
  `read ${parsed.territories.length} territories (${parsed.format} format, ${parsed.territories.reduce((n, t) => n + t.communes, 0)} communes, ${new Set(parsed.territories.flatMap((t) => t.epcis.map((e) => e.siren))).size} distinct EPCIs); ${parsed.problems.length} problem rows`,
);
if (parsed.problems.length > 0 && !args['skip-invalid']) {
  err(`nothing imported: ${parsed.problems.length} problems (fix them, or pass --skip-invalid to import the rest)`);
  process.exit(1);
}

const config = loadConfigOrExit();
const system = await createSystem(config, { poolSize: 20 });
let code = 0;
try {
  const report = await importTerritories(system, parsed.territories, {
    programme,
    effectiveOn,
    today: system.clock().toISOString().slice(0, 10),
    actor: {
      sub: `cli:import-territories:${userInfo().username}`,
      name: 'Territory importer',
      roles: ['programme_admin'],
    },
    source: basename(args.communes),
    dryRun: args['dry-run'],
    skipInvalid: args['skip-invalid'],
  });
  for (const c of report.changes) out(describe(c));
  for (const n of report.notes) out(`note: ${n}`);
  for (const r of report.refused) err(`refused ${r.territoryId}: ${r.message}`);
  if (report.notInFile.length)
    out(`in the store but not in the file (left as they are): ${report.notInFile.join(' ')}`);
  const counts = { label: 0, rename: 0, perimeter: 0 };
  for (const c of report.changes) counts[c.kind]++;
  out(
    `${report.territoriesInFile} territories: ${counts.label} to label, ${counts.rename} to rename, ${counts.perimeter} perimeter changes, ${report.unchanged} unchanged, ${report.refused.length} refused`,
  );
  if (args['dry-run']) out('dry run: nothing recorded');
  else if (!report.recorded) {
    err('nothing recorded: some decisions were refused (pass --skip-invalid to record the others)');
    code = 1;
  } else out(`recorded ${report.eventsRecorded} events in ${Date.now() - started} ms`);
  if (report.refused.length && report.recorded) code = 1;
} catch (e) {
  if (e instanceof DomainError) {
    err(`error: ${e.message}`);
    code = 1;
  } else throw e;
} finally {
  await system.close();
}
process.exit(code);
