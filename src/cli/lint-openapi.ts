import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openApiDocument } from './openapi.ts';

/**
 * `npm run lint:openapi`: dumps the OpenAPI document of the built app (no database, no listening)
 * and lints it with Redocly (recommended) and Spectral (spectral:oas), both pinned dev
 * dependencies that run offline. Any error or warning of either fails (exit 1), each printed.
 */
const bin = (name: string) => join(process.cwd(), 'node_modules', '.bin', name);
const offline = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' };

function run(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { env: offline, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    // both linters exit non-zero when they find problems: their JSON report is still on stdout
    const out = (err as { stdout?: string }).stdout;
    if (out && out.trim()) return out;
    throw err;
  }
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'ti-ledger-openapi-'));
  try {
    const file = join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(await openApiDocument(), null, 2));
    const redocly = JSON.parse(run(bin('redocly'), ['lint', '--config', 'redocly.yaml', '--format=json', file])) as {
      totals: { errors: number; warnings: number };
      problems: { ruleId: string; severity: string; message: string; location: { pointer: string }[] }[];
    };
    const spectralOut = run(bin('spectral'), ['lint', '--ruleset', '.spectral.yaml', '-f', 'json', '--quiet', file]);
    const spectral = JSON.parse(spectralOut.slice(0, spectralOut.lastIndexOf(']') + 1) || '[]') as {
      code: string;
      severity: number;
      message: string;
      path: string[];
    }[];
    for (const p of redocly.problems)
      console.log(`redocly  ${p.severity.padEnd(7)} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer ?? ''}`);
    const level = ['error', 'warning', 'info', 'hint'];
    for (const r of spectral)
      console.log(`spectral ${(level[r.severity] ?? '?').padEnd(7)} ${r.code}: ${r.message} at #/${r.path.join('/')}`);
    const spectralErrors = spectral.filter((r) => r.severity === 0).length;
    console.log(
      `openapi lint: redocly ${redocly.totals.errors} errors, ${redocly.totals.warnings} warnings; ` +
        `spectral ${spectralErrors} errors, ${spectral.length - spectralErrors} warnings or hints`,
    );
    const total = redocly.totals.errors + redocly.totals.warnings + spectral.length;
    process.exitCode = total === 0 ? 0 : 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err)}\n`);
  process.exit(1);
});
