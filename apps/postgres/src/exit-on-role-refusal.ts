import type { ConfigError } from '@bastion-mcp/core';

const EXIT_CONFIG = 2;

/**
 * What the bin does when the start-up role check, which runs while initialize is answered,
 * refuses a role: it reports the configuration error as it would have before serving, and
 * stops with exit code 2. The calls waiting on the check get their error first (they settle
 * before the next turn of the event loop); the runtime's own shutdown (transport, pools, audit
 * log) runs through its SIGTERM handler, or the process exits at once when none is installed yet.
 */
export function exitOnRoleRefusal(bin: string): (error: ConfigError) => void {
  return (error) => {
    const lines = error.problems.map((problem) => `  - ${problem.setting}: ${problem.message}`);
    process.stderr.write(
      `${bin}: invalid configuration (${error.problems.length} problem${error.problems.length === 1 ? '' : 's'}):\n` +
        `${lines.join('\n')}\nRun ${bin} --help to see every setting.\n`,
    );
    process.exitCode = EXIT_CONFIG;
    setImmediate(() => {
      if (process.listenerCount('SIGTERM') > 0) process.emit('SIGTERM', 'SIGTERM');
      else process.exit(EXIT_CONFIG);
    });
  };
}
