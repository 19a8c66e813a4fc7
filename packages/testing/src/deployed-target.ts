// Where the deployed suite runs a connector: its built bin under this Node, or its container image
// under podman (scripts/image/podman.sh) with the host's network. Either way the server's stdout is
// a pipe and its stderr is read for the log, as a desktop host or a container runtime has them.
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';

export type DeployedTransport = 'http' | 'stdio';

/** One start of the server under test; the connector's setup shares its files through it. */
export interface DeployedRun {
  /** `bin`: the built bin under this Node; `image`: the app's container image under podman. */
  readonly kind: 'bin' | 'image';
  readonly transport: DeployedTransport;
  /**
   * Makes a host directory (or file) reachable by the server and returns the path the server sees:
   * the host path itself for the bin, `serverPath` mounted into the container (and handed to the
   * image's user, uid 1000) for an image.
   */
  share(hostPath: string, serverPath: string, options?: { readOnly?: boolean }): string;
}

export interface ServerProcess {
  readonly child: ChildProcessWithoutNullStreams;
  stderr(): string;
  /** What the server wrote to stdout, for HTTP servers (over stdio the client reads it). */
  stdout(): string;
  running(): boolean;
  /** Sends a signal and resolves with how the process ended (forcing it after `graceMs`). */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<ExitStatus>;
  /** Resolves with how the process ended, without signalling it. */
  exited(): Promise<ExitStatus>;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface DeployedTarget {
  readonly kind: 'bin' | 'image';
  /** What the suite's titles call the target: the bin's path or the image reference. */
  readonly label: string;
  /** Whether the target can run here (a bin that was never built cannot). */
  readonly available: boolean;
  /** How long starting one server may take. */
  readonly startTimeoutMs: number;
  newRun(transport: DeployedTransport): DeployedLaunch;
}

export interface DeployedLaunch extends DeployedRun {
  start(args: readonly string[], env: Record<string, string>): ServerProcess;
}

/** The uid and gid of the `node` user every Bastion image runs as (docs/containers.md). */
const IMAGE_USER = '1000:1000';
const HOST_ENV_KEYS = ['PATH', 'HOME', 'TMPDIR', 'SYSTEMROOT'];

function hostEnv(extra: Record<string, string> = {}): Record<string, string> {
  const base: Record<string, string> = {};
  for (const key of HOST_ENV_KEYS) {
    const value = process.env[key];
    if (value !== undefined) base[key] = value;
  }
  return { ...base, ...extra };
}

/**
 * The bin, unless BASTION_TEST_IMAGE names an image to test instead; then BASTION_TEST_PODMAN must
 * be the podman command to run it with (scripts/image/test-images.sh sets both).
 */
export function deployedTarget(bin: string, environment: NodeJS.ProcessEnv = process.env, exists: (path: string) => boolean): DeployedTarget {
  const image = environment.BASTION_TEST_IMAGE?.trim();
  if (!image) return binTarget(bin, exists(bin));
  const podman = environment.BASTION_TEST_PODMAN?.trim();
  if (!podman) {
    throw new Error(
      `BASTION_TEST_IMAGE=${image} needs BASTION_TEST_PODMAN, the podman command to run it with: run the image suites through scripts/image/test-images.sh, or set BASTION_TEST_PODMAN=scripts/image/podman.sh (absolute path)`,
    );
  }
  return imageTarget(image, podman);
}

function binTarget(bin: string, available: boolean): DeployedTarget {
  return {
    kind: 'bin',
    label: bin,
    available,
    startTimeoutMs: 30_000,
    newRun(transport) {
      return {
        kind: 'bin',
        transport,
        share: (hostPath) => hostPath,
        start: (args, env) => startProcess(process.execPath, [bin, ...args], hostEnv(env), transport, []),
      };
    },
  };
}

function imageTarget(image: string, podman: string): DeployedTarget {
  return {
    kind: 'image',
    label: image,
    available: true,
    // A container on vfs storage copies the whole image before it starts.
    startTimeoutMs: 120_000,
    newRun(transport) {
      const mounts: string[] = [];
      return {
        kind: 'image',
        transport,
        share(hostPath, serverPath, options = {}) {
          try {
            execFileSync('chown', ['-R', IMAGE_USER, hostPath], { stdio: ['ignore', 'ignore', 'pipe'] });
          } catch (error) {
            throw new Error(`cannot hand ${hostPath} to the image's user (${IMAGE_USER}); image suites run as root: ${(error as Error).message}`);
          }
          mounts.push('--volume', `${hostPath}:${serverPath}${options.readOnly ? ':ro' : ''}`);
          return serverPath;
        },
        start(args, env) {
          const name = `bastion-deployed-${randomBytes(6).toString('hex')}`;
          const settings = Object.entries(env).flatMap(([key, value]) => ['--env', `${key}=${value}`]);
          const podmanArgs = [
            'run',
            '--rm',
            '--name',
            name,
            '--network',
            'host',
            ...(transport === 'stdio' ? ['--interactive'] : []),
            ...settings,
            ...mounts,
            image,
            ...args,
          ];
          const removeContainer = () => {
            try {
              execFileSync(podman, ['rm', '--force', '--ignore', name], { stdio: 'ignore', timeout: 60_000 });
            } catch {
              // already gone, or podman itself is stuck: nothing more to do from a test
            }
          };
          return startProcess(podman, podmanArgs, hostEnv(), transport, [removeContainer]);
        },
      };
    },
  };
}

function startProcess(
  command: string,
  args: string[],
  env: Record<string, string>,
  transport: DeployedTransport,
  onForce: Array<() => void>,
): ServerProcess {
  const child = spawn(command, args, { env });
  let stderr = '';
  let stdout = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const ended = once(child, 'exit').then(([code, signal]) => ({ code, signal }) as ExitStatus);
  // Over stdio the client's transport reads stdout.
  if (transport === 'http') child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  return {
    child,
    stderr: () => stderr,
    stdout: () => stdout,
    running: () => child.exitCode === null && child.signalCode === null,
    exited: () => ended,
    async stop(signal = 'SIGTERM', graceMs = 20_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => {
        for (const force of onForce) force();
        child.kill('SIGKILL');
      }, graceMs);
      const status = await ended;
      clearTimeout(timer);
      return status;
    },
  };
}
