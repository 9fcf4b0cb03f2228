import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { createAuthenticator } from '../../src/http/auth.ts';

const run = (args: string[], env: Record<string, string>) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/token.ts', ...args], {
    env: { ...process.env, AUTH_JWT_SECRET: '', ...env },
  }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );

t.test('npm run token: --help, its usage, and the secret it signs with', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ti-token-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const help = await run(['--help'], { DATA_DIR: dir });
  t.equal(help.code, 0, '--help exits 0');
  for (const flag of ['--role', '--region', '--territory', '--sub', '--name', '--expires'])
    t.match(help.stdout, flag, `the usage lists ${flag}`);
  const unknown = await run(['--bogus'], { DATA_DIR: dir });
  t.equal(unknown.code, 2);
  t.match(unknown.stderr, /Unknown option '--bogus'[\s\S]*usage:/);

  const missing = await run(['--role', 'reporter'], { DATA_DIR: dir });
  t.equal(missing.code, 2, 'no secret file in DATA_DIR: refused, not a new secret');
  t.match(missing.stderr, /no secret file .*auth-secret/);

  writeFileSync(join(dir, 'auth-secret'), 'the-server-secret-0123456789');
  const ok = await run(['--role', 'auditor', '--sub', 'anne', '--name', 'Anne', '--expires', '1h'], { DATA_DIR: dir });
  t.equal(ok.code, 0, ok.stderr);
  t.match(ok.stderr, `signed with ${join(dir, 'auth-secret')}`, 'says which secret file it used');
  const p = await createAuthenticator({ secret: 'the-server-secret-0123456789' }).verify(ok.stdout.trim());
  t.match(p, { sub: 'anne', name: 'Anne', roles: ['auditor'] });
});
