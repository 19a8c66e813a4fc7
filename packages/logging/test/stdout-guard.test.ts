import { describe, expect, it } from 'vitest';
import { runWithLogging } from './support/run-node.js';

// Every case runs in a child process: installing the guard here would take over the stdout of
// the test runner itself.
describe('installStdoutGuard', () => {
  it('sends console output to stderr and only protocol writes to stdout', () => {
    const run = runWithLogging(`
      const guard = logging.installStdoutGuard();
      console.log('noise');
      console.info('more noise');
      console.debug('debug noise');
      console.table([{ a: 1 }]);
      process.stdout.write('raw noise\\n');
      guard.protocolStdout.write('{"jsonrpc":"2.0"}\\n');
    `);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('{"jsonrpc":"2.0"}\n');
    for (const noise of ['noise', 'more noise', 'debug noise', 'raw noise', '│ a ']) {
      expect(run.stderr).toContain(noise);
    }
  });

  it('keeps stdout clean when stdout is an OS pipe, as with most MCP clients', () => {
    const run = runWithLogging(
      `
      const guard = logging.installStdoutGuard();
      console.log('noise');
      guard.protocolStdout.write('{"jsonrpc":"2.0","id":1}\\n');
    `,
      { stdoutIsOsPipe: true },
    );
    expect(run.stdout).toBe('{"jsonrpc":"2.0","id":1}\n');
    expect(run.stderr).toContain('noise');
  });

  it('passes encoding and callback through to the redirected and the protocol writes', () => {
    const run = runWithLogging(`
      const guard = logging.installStdoutGuard();
      process.stdout.write('6e6f697365', 'hex', () => {
        guard.protocolStdout.write(Buffer.from('{"id":2}\\n'), () => {
          const done = () => process.stderr.write('done');
          guard.protocolStdout.write('7b226964223a337d0a', 'hex', done);
        });
      });
    `);
    expect(run.stdout).toBe('{"id":2}\n{"id":3}\n');
    expect(run.stderr).toBe('noisedone');
  });

  it('returns the same guard when installed twice, and restore puts stdout back', () => {
    const run = runWithLogging(`
      const first = logging.installStdoutGuard();
      const second = logging.installStdoutGuard();
      console.log('guarded');
      first.restore();
      console.log('restored');
      const third = logging.installStdoutGuard();
      console.error(JSON.stringify({
        same: first === second,
        fresh: third !== first,
        ownWriteAfterRestore: (third.restore(), Object.hasOwn(process.stdout, 'write')),
      }));
    `);
    expect(run.stdout).toBe('restored\n');
    expect(run.stderr).toContain('guarded');
    expect(run.stderr).toContain('{"same":true,"fresh":true,"ownWriteAfterRestore":false}');
  });

  it('delegates listeners, events and state to process.stdout', () => {
    const run = runWithLogging(`
      const { protocolStdout } = logging.installStdoutGuard();
      const seen = [];
      const onError = (error) => seen.push('error:' + error.message);
      const onDrain = () => seen.push('drain');
      protocolStdout.on('error', onError).once('drain', onDrain);
      const counts = [process.stdout.listenerCount('error'), protocolStdout.listenerCount('drain')];
      const listed = protocolStdout.listeners('error').includes(onError);
      process.stdout.emit('error', new Error('EPIPE'));
      protocolStdout.emit('drain');
      protocolStdout.emit('drain');
      protocolStdout.off('error', onError);
      protocolStdout.removeListener('drain', onDrain);
      console.error(JSON.stringify({
        seen,
        counts,
        listed,
        after: process.stdout.listenerCount('error'),
        writable: protocolStdout.writable === process.stdout.writable && protocolStdout.writable,
      }));
    `);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(
      '{"seen":["error:EPIPE","drain"],"counts":[1,1],"listed":true,"after":0,"writable":true}',
    );
  });
});
