import { ProtocolStdout } from './protocol-stdout.js';

export interface StdoutGuard {
  /** Give this to the stdio transport: it is the only thing still writing to the real stdout. */
  protocolStdout: NodeJS.WritableStream;
  /** Puts the original process.stdout.write back. */
  restore(): void;
}

let installed: StdoutGuard | undefined;

/**
 * Reserves stdout for the JSON-RPC stream: afterwards process.stdout.write, and with it
 * console.log and friends, goes to stderr. Installing again returns the guard already in place.
 */
export function installStdoutGuard(): StdoutGuard {
  if (installed) return installed;

  const stdout = process.stdout;
  const hadOwnWrite = Object.hasOwn(stdout, 'write');
  const originalWrite = stdout.write;
  const redirectToStderr = function (...args: unknown[]): boolean {
    return Reflect.apply(process.stderr.write, process.stderr, args) as boolean;
  } as NodeJS.WriteStream['write'];
  stdout.write = redirectToStderr;

  const guard: StdoutGuard = {
    protocolStdout: new ProtocolStdout(stdout, originalWrite),
    restore() {
      if (installed !== guard) return;
      installed = undefined;
      // If something wrapped write after us, leave its wrapper alone rather than drop it.
      if (stdout.write !== redirectToStderr) return;
      if (hadOwnWrite) stdout.write = originalWrite;
      else Reflect.deleteProperty(stdout, 'write');
    },
  };
  installed = guard;
  return guard;
}
