// A missing prerequisite is a skip with the reason in the title, or a failure naming it under CI
// (CI=true) unless the feature is optional there; never a test that passes without running.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { prerequisiteOutcome } from '../src/prerequisites.js';

const packageRoot = fileURLToPath(new URL('..', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/prerequisites.fixture.ts', import.meta.url));
const vitestCli = join(createRequire(import.meta.url).resolve('vitest/package.json'), '..', 'vitest.mjs');
const scratch = mkdtempSync(join(tmpdir(), 'bastion-prerequisites-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Reported {
  status: string;
  fullName: string;
  failureMessages: string[];
}

function runFixture(ci: boolean): Reported[] {
  const config = join(scratch, 'vitest.config.mjs');
  const report = join(scratch, `report-${ci}.json`);
  writeFileSync(config, `export default { test: { include: [${JSON.stringify(fixture)}] } };\n`);
  const env = { ...process.env, CI: ci ? 'true' : '' };
  spawnSync(process.execPath, [vitestCli, 'run', '--root', packageRoot, '--config', config, '--reporter=json', `--outputFile.json=${report}`], {
    env,
    encoding: 'utf8',
  });
  const json = JSON.parse(readFileSync(report, 'utf8')) as { testResults: { assertionResults: Reported[] }[] };
  return json.testResults.flatMap((file) => file.assertionResults).map(({ status, fullName, failureMessages }) => ({
    status,
    fullName,
    failureMessages: failureMessages.map((message) => message.split('\n')[0]!),
  }));
}

describe('requires', () => {
  it('outside CI: runs what it can, and skips the rest with each reason in the title', () => {
    expect(runFixture(false)).toEqual([
      { status: 'passed', fullName: 'runs when nothing is missing', failureMessages: [] },
      { status: 'skipped', fullName: 'a suite needing a widget [skipped: no widget here: install one] checks the widget', failureMessages: [] },
      { status: 'skipped', fullName: 'uses a gadget [skipped: no gadget: plug one in]', failureMessages: [] },
      { status: 'skipped', fullName: 'moves across file systems [skipped: one file system only]', failureMessages: [] },
    ]);
  }, 60_000);

  it('in CI: fails what is missing, naming it, and skips only what is optional there', () => {
    expect(runFixture(true)).toEqual([
      { status: 'passed', fullName: 'runs when nothing is missing', failureMessages: [] },
      {
        status: 'failed',
        fullName: 'a suite needing a widget has what it needs',
        failureMessages: ['Error: Missing in CI, where it is required: no widget here: install one'],
      },
      { status: 'failed', fullName: 'uses a gadget', failureMessages: ['Error: Missing in CI, where it is required: no gadget: plug one in'] },
      { status: 'skipped', fullName: 'moves across file systems [skipped: one file system only]', failureMessages: [] },
    ]);
  }, 60_000);
});

describe('prerequisiteOutcome', () => {
  it('reads CI only as CI=true', () => {
    expect(prerequisiteOutcome('x', { env: { CI: '1' } }).kind).toBe('skip');
    expect(prerequisiteOutcome('x', { env: { CI: 'true' } }).kind).toBe('fail');
    expect(prerequisiteOutcome([false, undefined, ''], { env: { CI: 'true' } }).kind).toBe('run');
  });
});
