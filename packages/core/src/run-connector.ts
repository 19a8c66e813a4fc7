import { generateApiKey, hashApiKey } from '@bastion-mcp/auth';
import type { HttpAuthenticator } from '@bastion-mcp/auth';
import { redactString } from '@bastion-mcp/logging';
import { formatHelp } from './config/help.js';
import { allSettings, cliAction, loadConfig } from './config/load-config.js';
import type { Connector } from './define-connector.js';
import { ConfigError } from './errors.js';
import { toolManifest } from './manifest.js';
import { createRuntime } from './runtime.js';
import type { Runtime } from './runtime.js';
import { serveOverStdio } from './transports/stdio.js';

export interface RunOptions {
  argv?: readonly string[];
  env?: Readonly<Record<string, string | undefined>>;
  authenticator?: HttpAuthenticator;
}

const EXIT_FAILURE = 1;
const EXIT_CONFIG = 2;

function binName(connector: Connector<unknown>): string {
  return `bastion-${connector.name}`;
}

function reportConfigError(bin: string, error: ConfigError): void {
  const lines = error.problems.map((problem) => `  - ${problem.setting}: ${problem.message}`);
  process.stderr.write(
    `${bin}: invalid configuration (${error.problems.length} problem${error.problems.length === 1 ? '' : 's'}):\n` +
      `${lines.join('\n')}\nRun ${bin} --help to see every setting.\n`,
  );
}

function reportStartFailure(bin: string, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`${bin}: failed to start: ${redactString(message)}\n`);
}

function onSignals(shutdown: (signal: NodeJS.Signals) => void): void {
  let received = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (received) process.exit(EXIT_FAILURE);
      received = true;
      shutdown(signal);
    });
  }
}

async function serve(runtime: Runtime<unknown>, options: RunOptions): Promise<void> {
  const { logger, settings } = runtime;
  let stopTransport: () => Promise<void>;
  let announce: () => void;
  if (settings.transport === 'http') {
    // Loaded only here: the HTTP stack is a third of the start-up cost of a stdio server.
    const { serveOverHttp } = await import('./transports/http.js');
    const http = await serveOverHttp(runtime, options.authenticator ? { authenticator: options.authenticator } : {});
    announce = () => logger.info({ url: http.url, tools: runtime.tools.length }, 'serving Streamable HTTP');
    stopTransport = () => http.close();
  } else {
    const stdio = serveOverStdio(runtime);
    announce = () => logger.info({ tools: runtime.tools.length }, 'serving stdio');
    stopTransport = async () => {
      runtime.stop();
      await stdio.close();
    };
    void stdio.ended.then(() => shutdown('stdin closed'));
  }
  if (settings.auditLog) {
    // logrotate's postrotate (or copytruncate-free rotation) sends SIGHUP: write to a fresh file.
    process.on('SIGHUP', () => runtime.audit.reopen());
  }
  let stopping: Promise<void> | undefined;
  function shutdown(reason: string): Promise<void> {
    stopping ??= (async () => {
      logger.info({ reason }, 'shutting down');
      try {
        await stopTransport();
        await runtime.close();
      } catch (error) {
        logger.error({ err: error }, 'error during shutdown');
        process.exitCode = EXIT_FAILURE;
      }
      process.exit();
    })();
    return stopping;
  }
  onSignals((signal) => void shutdown(signal));
  // Last: a supervisor that stops the server as soon as it reads this line finds the handlers in place.
  announce();
}

/**
 * The whole CLI of a connector: --help, --version, --print-tools, config from flags and env
 * (every problem reported at once, exit 2), then stdio or Streamable HTTP until a signal or the
 * end of stdin.
 */
export async function runConnector<Ctx>(connector: Connector<Ctx>, options: RunOptions = {}): Promise<void> {
  const argv = options.argv ?? process.argv.slice(2);
  const env = options.env ?? process.env;
  const anyConnector = connector as Connector<unknown>;
  const bin = binName(anyConnector);
  const action = cliAction(argv);
  // --help, --version and --print-tools answer on stdout and exit: no transport is running yet.
  if (action === 'help') {
    process.stdout.write(
      `${formatHelp({
        bin,
        version: connector.version,
        description: connector.description,
        usage: `${bin} [options]${connector.usage ? ` ${connector.usage}` : ''}`,
        settings: allSettings(anyConnector),
      })}\n`,
    );
    return;
  }
  if (action === 'version') {
    process.stdout.write(`${connector.version}\n`);
    return;
  }
  if (action === 'generate-api-key') {
    process.stdout.write(apiKeyInstructions(anyConnector));
    return;
  }
  let runtime: Runtime<unknown>;
  try {
    const loaded = loadConfig(anyConnector, { argv, env }, {
      httpAuthConfigured: options.authenticator !== undefined,
      connectorSettings: action === 'print-tools' ? 'lenient' : 'strict',
    });
    if (action === 'print-tools') {
      const { prepareSelectedTools } = await import('./print-tools.js');
      process.stdout.write(`${JSON.stringify(toolManifest(connector, prepareSelectedTools(anyConnector, loaded.core, loaded.connector)), null, 2)}\n`);
      return;
    }
    runtime = await createRuntime(anyConnector, loaded);
  } catch (error) {
    if (ConfigError.isInstance(error)) {
      reportConfigError(bin, error);
      process.exitCode = EXIT_CONFIG;
    } else {
      reportStartFailure(bin, error);
      process.exitCode = EXIT_FAILURE;
    }
    return;
  }
  try {
    await serve(runtime, options);
  } catch (error) {
    reportStartFailure(bin, error);
    await runtime.close().catch(() => undefined);
    process.exitCode = EXIT_FAILURE;
  }
}

/** A new key for the client, and the entry (only its hash) for the server's configuration. */
function apiKeyInstructions(connector: Connector<unknown>): string {
  const key = generateApiKey();
  const scopes = [...new Set(connector.tools.flatMap((tool) => tool.scopes))].join(' ') || '*';
  return [
    `API key (give it to the client once; it is not stored anywhere): ${key}`,
    '',
    'Add this entry to BASTION_API_KEYS on the server (comma-separated with other entries),',
    `replacing NAME with the principal name and keeping only the scopes the client needs:`,
    `NAME:${hashApiKey(key)}:${scopes}`,
    '',
    'The client sends it as "Authorization: Bearer <key>".',
    '',
  ].join('\n');
}
