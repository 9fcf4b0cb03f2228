import { connect, type Socket } from 'node:net';
import { request } from 'node:http';
import t from 'tap';
import { build } from '../helpers/build.ts';

/**
 * Over a real socket: a body far above the limit gets its 413 problem+json (not a reset
 * connection); hundreds of slow-header clients do not keep the others from being served, and are
 * cut at the headers timeout; the connection cap refuses what is above it.
 */
async function listen(b: Awaited<ReturnType<typeof build>>): Promise<number> {
  await b.app.listen({ port: 0, host: '127.0.0.1' });
  const a = b.app.server.address();
  return typeof a === 'object' && a ? a.port : 0;
}

function postBody(
  port: number,
  bytes: number,
  token: string,
): Promise<{ status: number; type: string | undefined; body: string }> {
  return new Promise((res, rej) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/territories',
        headers: { 'content-type': 'application/json', 'content-length': bytes, authorization: `Bearer ${token}` },
      },
      (r) => {
        let body = '';
        r.on('data', (c: Buffer) => (body += c.toString()));
        r.on('end', () => res({ status: r.statusCode ?? 0, type: r.headers['content-type'], body }));
        r.on('error', rej);
      },
    );
    req.on('error', rej);
    // stream the body in chunks, as a client uploading a big file does
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    const pump = () => {
      while (sent < bytes) {
        const n = Math.min(chunk.length, bytes - sent);
        sent += n;
        if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
          req.once('drain', pump);
          return;
        }
      }
      req.end();
    };
    pump();
  });
}

t.test('a body of 2 MB and of 20 MB gets a 413 problem+json over a real socket', async (t) => {
  const b = await build(t, { runner: false });
  const port = await listen(b);
  const admin = await b.token('programme_admin');
  for (const mb of [2, 20]) {
    const r = await postBody(port, mb * 1024 * 1024, admin);
    t.equal(r.status, 413, `${mb} MB: 413`);
    t.match(r.type, /application\/problem\+json/, `${mb} MB: problem+json`);
    t.match(JSON.parse(r.body), { status: 413 });
  }
});

t.test('slow-header clients: the others are served, the slow ones are cut', async (t) => {
  const b = await build(t, { runner: false, env: { HTTP_HEADERS_TIMEOUT_MS: '2000', HTTP_MAX_CONNECTIONS: '1000' } });
  const port = await listen(b);
  const slow: Socket[] = [];
  const closed: Promise<void>[] = [];
  for (let i = 0; i < 300; i++) {
    const s = connect(port, '127.0.0.1');
    s.on('error', () => undefined);
    s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n'); // and never the end of the headers
    slow.push(s);
    closed.push(new Promise((r) => s.once('close', () => r())));
  }
  t.teardown(() => slow.forEach((s) => s.destroy()));
  await new Promise((r) => setTimeout(r, 200));
  const ok = await fetch(`http://127.0.0.1:${port}/healthz`);
  t.equal(ok.status, 200, 'served while 300 slow clients hold connections');
  await Promise.all(closed);
  t.pass('every slow client was cut at the headers timeout');
});

t.test('the connection cap: connections above HTTP_MAX_CONNECTIONS are closed at once', async (t) => {
  const b = await build(t, { runner: false, env: { HTTP_MAX_CONNECTIONS: '20' } });
  const port = await listen(b);
  t.equal(b.app.server.maxConnections, 20);
  const sockets: Socket[] = [];
  t.teardown(() => sockets.forEach((s) => s.destroy()));
  for (let i = 0; i < 20; i++) {
    const s = connect(port, '127.0.0.1');
    s.on('error', () => undefined);
    sockets.push(s);
    await new Promise((r) => s.once('connect', r));
  }
  await new Promise((r) => setTimeout(r, 100));
  const extra = connect(port, '127.0.0.1');
  extra.on('error', () => undefined);
  sockets.push(extra);
  extra.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
  let answered = '';
  extra.on('data', (c: Buffer) => (answered += c.toString()));
  await new Promise((r) => extra.once('close', r));
  t.equal(answered, '', 'the 21st connection was closed without an answer');
});
