import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { LOG_FLUSH_MS, createLogger } from '../../src/http/logger.ts';

t.test('buffered log lines reach the file within LOG_FLUSH_MS, and all of them on flush', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ti-log-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'server.log');
  const logger = createLogger('info', file);
  logger.info({ n: 1 }, 'one line, far below a block');
  await new Promise((r) => setTimeout(r, LOG_FLUSH_MS + 150));
  const first = readFileSync(file, 'utf8').trim().split('\n');
  t.equal(first.length, 1, 'written by the periodic flush');
  t.match(JSON.parse(first[0]!), { n: 1, service: 'ti-ledger', msg: 'one line, far below a block' });
  for (let i = 0; i < 500; i++) logger.debug({ i }, 'below the level');
  for (let i = 0; i < 100; i++) logger.info({ i }, 'x'.repeat(300));
  logger.flush();
  await new Promise((r) => setTimeout(r, 50));
  t.equal(readFileSync(file, 'utf8').trim().split('\n').length, 101, 'every info line, none of the debug ones');
});

t.test('lines of many blocks arrive whole and in order; flush calls back once they are written', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ti-log-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'server.log');
  const logger = createLogger('info', file);
  // about 40 blocks of 16 KiB, lines of varying length, some of them not ASCII
  const texts = Array.from({ length: 3000 }, (_, i) => `${i} ${'é€🏭'.repeat(i % 7)}${'x'.repeat((i * 37) % 400)}`);
  for (const [i, text] of texts.entries()) logger.info({ i }, text);
  await new Promise<void>((resolve, reject) => logger.flush((err) => (err ? reject(err) : resolve())));
  const lines = readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { i: number; msg: string });
  t.equal(lines.length, texts.length, 'every line');
  t.ok(
    lines.every((l, i) => l.i === i && l.msg === texts[i]),
    'in the order logged, each line intact',
  );
});

t.test('buffered lines are written when the process ends: naturally, by process.exit, or by a crash', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ti-log-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const ends = {
    natural: '',
    exit: 'process.exit(3);',
    crash: "setImmediate(() => { throw new Error('boom'); });",
  };
  for (const [name, end] of Object.entries(ends)) {
    const file = join(dir, `${name}.log`);
    // 20 short lines: far below a block, and the process ends before the periodic flush. The
    // logger writes to a file descriptor, as the server does (stdout).
    const code =
      `import { openSync } from 'node:fs';` +
      `import { createLogger } from ${JSON.stringify(join(process.cwd(), 'src/http/logger.ts'))};` +
      `const log = createLogger('info', openSync(${JSON.stringify(file)}, 'w'));` +
      `for (let i = 0; i < 20; i++) log.info({ i }, 'line');` +
      end;
    const started = Date.now();
    const exitCode = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
        stdio: 'ignore',
      });
      child.on('exit', (c) => resolve(c));
    });
    t.equal(exitCode, { natural: 0, exit: 3, crash: 1 }[name], `${name}: the process ended as it should`);
    t.ok(Date.now() - started < 20_000, `${name}: and did not hang`);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    t.same(
      lines.map((l) => (JSON.parse(l) as { i: number }).i),
      Array.from({ length: 20 }, (_, i) => i),
      `${name}: all 20 lines written, in order`,
    );
  }
});
