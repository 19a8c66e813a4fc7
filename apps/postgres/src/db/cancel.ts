import type { PoolClient, PoolConfig } from 'pg';

/** The parts of pg's protocol connection used here (its type declarations leave them out). */
interface ProtocolConnection {
  on(event: 'error', listener: () => void): void;
  once(event: 'connect', listener: () => void): void;
  connect(port: number | string, host?: string): void;
  cancel(processID: number, secretKey: number): void;
  end(): void;
}

interface BackendKey {
  processID: number | null;
  secretKey: number | null;
}

/**
 * Asks PostgreSQL to cancel what a connection is running, through the protocol's CancelRequest on
 * a fresh socket (no login, no privilege needed: the backend's secret key is the proof). Best
 * effort: the statement timeout bounds the query either way.
 */
export function cancelBackend(client: PoolClient, config: PoolConfig): void {
  const { processID, secretKey } = client as unknown as BackendKey;
  if (processID === null || secretKey === null) return;
  const host = config.host ?? 'localhost';
  const port = Number(config.port ?? 5432);
  // pg is loaded by then: the connection being cancelled came from it.
  void import('pg').then(({ default: pg }) => {
    const connection = new pg.Connection({ keepAlive: false }) as unknown as ProtocolConnection;
    connection.on('error', () => undefined);
    connection.once('connect', () => {
      connection.cancel(processID, secretKey);
      connection.end();
    });
    if (host.startsWith('/')) connection.connect(`${host}/.s.PGSQL.${port}`);
    else connection.connect(port, host);
  });
}

/**
 * Closes a connection's socket at once, without waiting for the server: whatever is reading from
 * it fails, and the backend ends when it next writes to it (or sooner, on the cancel request).
 */
export function closeConnection(client: PoolClient): void {
  const stream = (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream;
  stream?.destroy();
}
