import type { Server } from 'node:http';
import type { Socket } from 'node:net';

export interface ConnectionGuardOptions {
  /** Open connections in total; keep it below the process's file descriptor limit. */
  readonly maxConnections: number;
  /** Open connections from one peer address. */
  readonly maxConnectionsPerPeer: number;
  /** How long a connection may stay open without completing an authenticated request. */
  readonly unauthenticatedGraceMs: number;
}

interface Tracked {
  readonly peer: string;
  authenticated: boolean;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Bounds the sockets an HTTP server holds, so idle or half-sent connections cannot use up the file
 * descriptors that real clients need. A connection counts as unauthenticated until a request on it
 * has passed authentication; such a connection is closed after a short grace period, and when a
 * peer or the whole server is at its cap, its oldest unauthenticated connection makes way for the
 * new one. A connection that has authenticated is never closed to make room: when only those are
 * left, the new connection is refused instead.
 */
export class ConnectionGuard {
  readonly #options: ConnectionGuardOptions;
  /** Every open connection, oldest first. */
  readonly #all = new Map<Socket, Tracked>();
  readonly #byPeer = new Map<string, Set<Socket>>();

  constructor(options: ConnectionGuardOptions) {
    this.#options = options;
  }

  get size(): number {
    return this.#all.size;
  }

  attach(server: Server): void {
    server.on('connection', (socket: Socket) => this.#admit(socket));
  }

  /** A request on this socket passed authentication: it is kept, and never closed to make room. */
  markAuthenticated(socket: Socket): void {
    const tracked = this.#all.get(socket);
    if (!tracked || tracked.authenticated) return;
    tracked.authenticated = true;
    clearTimeout(tracked.timer);
    tracked.timer = undefined;
  }

  #admit(socket: Socket): void {
    const peer = socket.remoteAddress;
    if (peer === undefined) {
      socket.destroy();
      return;
    }
    const fromPeer = this.#byPeer.get(peer) ?? new Set<Socket>();
    if (fromPeer.size >= this.#options.maxConnectionsPerPeer && !this.#evictOldestUnauthenticated(fromPeer)) {
      socket.destroy();
      return;
    }
    if (this.#all.size >= this.#options.maxConnections && !this.#evictOldestUnauthenticated(this.#all.keys())) {
      socket.destroy();
      return;
    }
    const timer = setTimeout(() => {
      if (this.#all.get(socket)?.authenticated === false) socket.destroy();
    }, this.#options.unauthenticatedGraceMs);
    timer.unref();
    this.#all.set(socket, { peer, authenticated: false, timer });
    fromPeer.add(socket);
    this.#byPeer.set(peer, fromPeer);
    socket.once('close', () => this.#forget(socket));
  }

  #evictOldestUnauthenticated(sockets: Iterable<Socket>): boolean {
    for (const socket of sockets) {
      if (this.#all.get(socket)?.authenticated === false) {
        this.#forget(socket);
        socket.destroy();
        return true;
      }
    }
    return false;
  }

  #forget(socket: Socket): void {
    const tracked = this.#all.get(socket);
    if (!tracked) return;
    clearTimeout(tracked.timer);
    this.#all.delete(socket);
    const fromPeer = this.#byPeer.get(tracked.peer);
    fromPeer?.delete(socket);
    if (fromPeer?.size === 0) this.#byPeer.delete(tracked.peer);
  }
}
