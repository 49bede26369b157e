import { once } from 'node:events';
import { connect, type Socket } from 'node:net';

/**
 * HTTP over a bare socket, for tests of what a client library would not send: a body trickled in,
 * a broken request line, oversized headers.
 */
export interface RawConnection {
  socket: Socket;
  /** Everything the server sent so far. */
  received: () => string;
  closed: Promise<unknown>;
}

export async function openRaw(port: number): Promise<RawConnection> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  let received = '';
  socket.on('data', (chunk) => {
    received += chunk.toString('latin1');
  });
  // A reset after the server's answer is not the test's concern; `closed` still settles.
  socket.on('error', () => {});
  return { socket, received: () => received, closed: once(socket, 'close') };
}

/** One HTTP/1.1 response: status, headers (lower-case names) and body. */
export function parseRaw(response: string) {
  const [head = '', body = ''] = response.split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(
    lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
  );
  return { status: Number(statusLine.split(' ')[1]), headers, body };
}
