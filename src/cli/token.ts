import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfigOrExit, type Config } from '../config.ts';
import { ROLES, signToken, type Role } from '../http/auth.ts';
import { resolveJwtSecret } from '../system.ts';

/** Local tokens, one per role, printed by `npm start` in local mode. */
export async function printLocalTokens(secret: string, out: (line: string) => void): Promise<void> {
  out('Local bearer tokens (12 h), one per role:');
  const samples: { role: Role; regions?: string[]; territories?: string[]; poles?: string[] }[] = [
    { role: 'programme_admin' },
    { role: 'territory_lead', territories: ['4401', '4402'] },
    { role: 'regional_validator', regions: ['44'] },
    { role: 'regional_officer', regions: ['44'] },
    { role: 'pole_manager', poles: ['pole-1'] },
    { role: 'auditor' },
    { role: 'reporter' },
  ];
  for (const s of samples) {
    const token = await signToken(secret, {
      sub: `local-${s.role}`,
      name: `Local ${s.role.replace('_', ' ')}`,
      roles: [s.role],
      ...(s.regions ? { regions: s.regions } : {}),
      ...(s.territories ? { territories: s.territories } : {}),
      ...(s.poles ? { poles: s.poles } : {}),
    });
    out(`  ${s.role.padEnd(19)} ${token}`);
  }
}

export const TOKEN_USAGE = `usage: npm run token -- --role <role> [--role <role>...] [options]
  --role ROLE          one of ${ROLES.join(', ')} (repeat for several)
  --region CODE        a Region the token acts for (regional_validator, regional_officer), e.g. 44; repeatable
  --territory ID       a territory the token acts for (territory_lead), e.g. 4401; repeatable
  --pole ID            a pôle de compétitivité the token acts for (pole_manager); repeatable
  --sub SUB            the subject (who), default local-<roles>
  --name NAME          the display name recorded in the events, default "Local <roles>"
  --expires DURATION   lifetime, e.g. 30m, 12h, 7d (default 12h)
  --help               this text
The token is signed with AUTH_JWT_SECRET when set, else with the secret file DATA_DIR/auth-secret
that \`npm start\` created for the same DATA_DIR (it is named on stderr). Tokens are accepted only by
a server using the same secret: run this with the server's DATA_DIR (or AUTH_JWT_SECRET).`;

/**
 * The secret local tokens are signed with, and where it comes from. Unlike the server, this
 * never creates a secret file: a new secret would sign tokens no running server accepts.
 */
export function localSecret(config: Config): { secret: string; source: string } | { error: string } {
  if (config.AUTH_JWT_SECRET) return { secret: config.AUTH_JWT_SECRET, source: 'AUTH_JWT_SECRET' };
  if (config.AUTH_JWKS_URL) return { error: 'AUTH_JWKS_URL is set: tokens come from your identity provider' };
  const file = resolve(config.DATA_DIR, 'auth-secret');
  if (!existsSync(file))
    return {
      error:
        `no secret file ${file}: the server creates it at its first start in local mode. ` +
        'Run this with the DATA_DIR of the server you call (or set AUTH_JWT_SECRET to its secret).',
    };
  return { secret: resolveJwtSecret(config)!, source: file };
}

async function main() {
  let values;
  try {
    values = parseArgs({
      options: {
        role: { type: 'string', multiple: true },
        region: { type: 'string', multiple: true },
        territory: { type: 'string', multiple: true },
        pole: { type: 'string', multiple: true },
        sub: { type: 'string' },
        name: { type: 'string' },
        expires: { type: 'string', default: '12h' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (err) {
    process.stderr.write(`error: ${(err as Error).message}\n${TOKEN_USAGE}\n`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(TOKEN_USAGE + '\n');
    process.exit(0);
  }
  const roles = values.role ?? [];
  const bad = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (roles.length === 0 || bad.length > 0) {
    process.stderr.write(
      `error: ${roles.length === 0 ? 'give at least one --role' : `unknown role ${bad.join(', ')}`}\n${TOKEN_USAGE}\n`,
    );
    process.exit(2);
  }
  if (!/^\d+\s*(s|m|h|d|w|sec|min|hour|day|week)s?$/i.test(values.expires)) {
    process.stderr.write(`error: --expires must be a duration such as 30m, 12h or 7d\n${TOKEN_USAGE}\n`);
    process.exit(2);
  }
  const config = loadConfigOrExit();
  const found = localSecret(config);
  if ('error' in found) {
    process.stderr.write(`error: ${found.error}\n`);
    process.exit(2);
  }
  const token = await signToken(
    found.secret,
    {
      sub: values.sub ?? `local-${roles.join('+')}`,
      name: values.name ?? `Local ${roles.join(', ')}`,
      roles: roles as Role[],
      regions: values.region ?? [],
      territories: values.territory ?? [],
      poles: values.pole ?? [],
    },
    values.expires,
  );
  process.stderr.write(`signed with ${found.source}\n`);
  process.stdout.write(token + '\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exit(1);
  });
}
