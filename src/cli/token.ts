import { parseArgs } from 'node:util';
import { loadConfigOrExit } from '../config.ts';
import { ROLES, signToken, type Role } from '../http/auth.ts';
import { resolveJwtSecret } from '../system.ts';

/** Local tokens, one per role, printed by `npm start` in local mode. */
export async function printLocalTokens(secret: string, out: (line: string) => void): Promise<void> {
  out('Local bearer tokens (12 h), one per role:');
  const samples: { role: Role; regions?: string[]; territories?: string[] }[] = [
    { role: 'programme_admin' },
    { role: 'territory_lead', territories: ['4401', '4402'] },
    { role: 'regional_validator', regions: ['44'] },
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
    });
    out(`  ${s.role.padEnd(19)} ${token}`);
  }
}

async function main() {
  const { values } = parseArgs({
    options: {
      role: { type: 'string', multiple: true },
      region: { type: 'string', multiple: true },
      territory: { type: 'string', multiple: true },
      sub: { type: 'string' },
      name: { type: 'string' },
      expires: { type: 'string', default: '12h' },
    },
  });
  const roles = values.role ?? [];
  const bad = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (roles.length === 0 || bad.length > 0) {
    process.stderr.write(`usage: npm run token -- --role <${ROLES.join('|')}> [--region 44] [--territory 4401]\n`);
    process.exit(2);
  }
  const config = loadConfigOrExit();
  const secret = resolveJwtSecret(config);
  if (!secret) {
    process.stderr.write('AUTH_JWKS_URL is set: tokens come from your identity provider\n');
    process.exit(2);
  }
  const token = await signToken(
    secret,
    {
      sub: values.sub ?? `local-${roles.join('+')}`,
      name: values.name ?? `Local ${roles.join(', ')}`,
      roles: roles as Role[],
      regions: values.region ?? [],
      territories: values.territory ?? [],
    },
    values.expires,
  );
  process.stdout.write(token + '\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exit(1);
  });
}
