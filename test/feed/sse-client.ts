import http from 'node:http';

/** A minimal Server-Sent Events client for tests: only complete messages count, as in browsers. */
export interface SseMessage {
  id: string | undefined;
  data: string;
}

export interface SseConnection {
  /** Resolves once the response headers are in (status and content type). */
  ready: Promise<{ status: number; contentType: string | undefined }>;
  /** Resolves when the server ends the stream (or the socket closes). */
  ended: Promise<void>;
  /** Cuts the connection off, as a network failure would (mid-message if one is arriving). */
  cut(): void;
}

export function connectSse(
  url: string,
  headers: Record<string, string>,
  onMessage: (m: SseMessage, conn: SseConnection) => void,
): SseConnection {
  let resolveReady!: (v: { status: number; contentType: string | undefined }) => void;
  let resolveEnded!: () => void;
  const ready = new Promise<{ status: number; contentType: string | undefined }>((r) => (resolveReady = r));
  const ended = new Promise<void>((r) => (resolveEnded = r));
  const req = http.get(url, { headers: { accept: 'text/event-stream', ...headers } });
  const conn: SseConnection = { ready, ended, cut: () => req.destroy() };
  req.on('error', () => resolveEnded());
  req.on('close', () => resolveEnded());
  req.on('response', (res) => {
    resolveReady({ status: res.statusCode ?? 0, contentType: res.headers['content-type'] });
    res.setEncoding('utf8');
    let buffer = '';
    res.on('data', (chunk: string) => {
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let id: string | undefined;
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) continue;
          const i = line.indexOf(':');
          const field = i < 0 ? line : line.slice(0, i);
          const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
          if (field === 'id') id = value;
          else if (field === 'data') data.push(value);
        }
        if (data.length > 0) onMessage({ id, data: data.join('\n') }, conn);
      }
    });
    res.on('end', () => resolveEnded());
    res.on('error', () => resolveEnded());
  });
  return conn;
}
