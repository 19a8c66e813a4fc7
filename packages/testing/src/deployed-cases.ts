// What a connector gives the deployed suite (one call per tool, a policy constraint, its setup),
// and the check every tool's case goes through on each transport.
import { expect } from 'vitest';
import type { ExpectedOutcome } from './deployed-audit.js';
import type { DeployedRun } from './deployed-target.js';

export interface DeployedCall {
  /** Arguments the tool must accept: the call must succeed. */
  readonly valid: Record<string, unknown>;
  /** Arguments the tool must refuse with a tool error (a path outside the roots, a write statement...). */
  readonly refused: Record<string, unknown>;
  /** What the refusal must say; any text by default. */
  readonly refusal?: RegExp;
}

/** The one argument the suite's policy file constrains, so that a call can be denied by policy. */
export interface DeployedPolicyConstraint {
  readonly tool: string;
  readonly argument: string;
  /**
   * The allowed values, as docs/policy-format.md writes them under `arguments.<tool>.<argument>`:
   * a list, or `{ kind: "path" | "name", allow: [...] }`. The tool's valid call must satisfy it.
   */
  readonly allow: unknown;
  /** Arguments for the tool that the constraint refuses. */
  readonly denied: Record<string, unknown>;
}

export interface DeployedSetup {
  /** The bin's arguments after the transport flags (roots, --write...). */
  readonly args?: readonly string[];
  /** The connector's own settings (POSTGRES_URL...); the suite adds the Bastion ones. */
  readonly env?: Readonly<Record<string, string>>;
  cleanup?(): void | Promise<void>;
}

export interface DeployedSuiteOptions {
  /** The built bin, e.g. `fileURLToPath(new URL('../dist/index.js', import.meta.url))`. */
  readonly bin: string;
  /** One case per tool the connector defines, by tool name. */
  readonly calls: Readonly<Record<string, DeployedCall>>;
  readonly policy: DeployedPolicyConstraint;
  /**
   * Prepares one server start (each transport gets its own, so write tools find fresh files) and
   * shares what the server must reach through `run.share` (mounted into a container for an image).
   */
  setup(run: DeployedRun): DeployedSetup | Promise<DeployedSetup>;
}

/** What the HTTP and stdio parts share. */
export interface DeployedContext {
  readonly connector: string;
  readonly tools: readonly string[];
  /** Every scope a tool asks for, space-separated: the token of a caller who may use everything. */
  readonly scopes: string;
  /** A tool marked read-only, for calls repeated up to the rate limit. */
  readonly probeTool: string;
  readonly options: DeployedSuiteOptions;
}

/** A tool's valid call must succeed and its refused call must be a tool error that names the problem. */
export async function checkToolCase(
  call: (args: Record<string, unknown>, outcome: ExpectedOutcome) => Promise<{ isError?: boolean; content?: unknown }>,
  tool: string,
  cases: DeployedSuiteOptions['calls'],
  serverRunning: () => boolean,
): Promise<void> {
  const definition = cases[tool];
  if (!definition) throw new Error(`no case for the tool ${tool}: add one to the calls given to describeDeployed`);
  const valid = await call(definition.valid, 'ok');
  expect(valid.isError, `${tool} with ${JSON.stringify(definition.valid)} failed: ${resultText(valid)}`).toBeFalsy();
  const refused = await call(definition.refused, 'refused');
  expect(refused.isError, `${tool} with ${JSON.stringify(definition.refused)} was not refused: ${resultText(refused)}`).toBe(true);
  expect(resultText(refused).trim(), `${tool}'s refusal says nothing`).not.toBe('');
  if (definition.refusal) expect(resultText(refused)).toMatch(definition.refusal);
  expect(serverRunning(), `the server stopped after ${tool}'s refused call`).toBe(true);
}

export function resultText(result: { content?: unknown }): string {
  const blocks = Array.isArray(result.content) ? (result.content as Array<{ type?: string; text?: string }>) : [];
  return blocks.flatMap((block) => (block.type === 'text' && typeof block.text === 'string' ? [block.text] : [])).join('\n');
}
