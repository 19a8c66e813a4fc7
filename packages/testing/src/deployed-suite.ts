// The deployed-configuration suite: a connector's BUILT bin (or its container image) started the way
// operators run it, every tool called with valid and refused arguments, and the audit file checked.
// A connector's test/deployed.test.ts calls describeDeployed with one case per tool and its setup.
import { existsSync } from 'node:fs';
import type { Connector } from '@bastion-mcp/core';
import { describe, expect, it } from 'vitest';
import type { DeployedContext, DeployedSuiteOptions } from './deployed-cases.js';
import { describeDeployedHttp } from './deployed-http-suite.js';
import { describeDeployedStdio } from './deployed-stdio-suite.js';
import { deployedTarget } from './deployed-target.js';

/**
 * Runs the connector as deployed, over Streamable HTTP (bearer JWTs from a local issuer, a policy
 * file, rate limits on a local Redis, the audit log in a file) and over stdio, each with stdout a
 * pipe. The target is the built bin, or the image BASTION_TEST_IMAGE names (run by podman, see
 * scripts/image/test-images.sh). Skipped when the bin has not been built.
 */
export function describeDeployed<Ctx>(connector: Connector<Ctx>, options: DeployedSuiteOptions): void {
  const target = deployedTarget(options.bin, process.env, existsSync);
  const tools = connector.tools.map((tool) => tool.name).sort();
  const readOnly = connector.tools.filter((tool) => tool.annotations.readOnlyHint === true).map((tool) => tool.name);
  const context: DeployedContext = {
    connector: connector.name,
    tools,
    scopes: [...new Set(connector.tools.flatMap((tool) => tool.scopes))].join(' '),
    probeTool: readOnly.find((tool) => options.calls[tool] && tool !== options.policy.tool) ?? tools[0] ?? '',
    options,
  };

  describe.skipIf(!target.available)(`${connector.name} as deployed (${target.kind} ${target.label})`, () => {
    it('has one case for every tool the connector defines, and none for a tool it lacks', () => {
      const cases = Object.keys(options.calls).sort();
      expect({ withoutCase: tools.filter((tool) => !cases.includes(tool)), unknown: cases.filter((tool) => !tools.includes(tool)) }).toEqual({
        withoutCase: [],
        unknown: [],
      });
      expect(tools, 'the policy constrains a tool the connector defines').toContain(options.policy.tool);
    });
    describeDeployedHttp(context, target);
    describeDeployedStdio(context, target);
  });
}
