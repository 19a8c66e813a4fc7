import { createServer, connect } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';

export interface HeldProxy {
  /** The database URL with the proxy as its host and port. */
  readonly url: string;
  /** Lets every held connection through, and the ones after it. */
  release(): void;
  close(): Promise<void>;
}

/**
 * A TCP proxy on 127.0.0.1 in front of a PostgreSQL URL that holds every connection (its login
 * unanswered) until release(): the connector's role check then stays running as long as a test needs.
 */
export async function heldProxy(targetUrl: string): Promise<HeldProxy> {
  const target = new URL(targetUrl);
  const sockets = new Set<Socket>();
  const waiting: (() => void)[] = [];
  let released = false;
  const server = createServer((client) => {
    sockets.add(client);
    client.on('error', () => client.destroy());
    client.pause();
    const pass = () => {
      const upstream = connect(Number(target.port || 5432), target.hostname);
      sockets.add(upstream);
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
    };
    if (released) pass();
    else waiting.push(pass);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(targetUrl);
  url.hostname = '127.0.0.1';
  url.port = String((server.address() as AddressInfo).port);
  return {
    url: url.toString(),
    release() {
      released = true;
      for (const pass of waiting.splice(0)) pass();
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
