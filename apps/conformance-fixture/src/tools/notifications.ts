import { ToolError, defineTool, readOnly, textBlock, toolContent } from '@bastion-mcp/core';
import { sleep } from '../assets.js';

const annotations = readOnly({ openWorld: false });

export const toolWithLogging = defineTool({
  name: 'test_tool_with_logging',
  description: 'Sends three log notifications while it runs (conformance: tools-call-with-logging).',
  scopes: [],
  annotations,
  async handler(_args, ctx) {
    await ctx.peer.log('info', 'Tool execution started');
    await sleep(50);
    await ctx.peer.log('info', 'Tool processing data');
    await sleep(50);
    await ctx.peer.log('info', 'Tool execution completed');
    return toolContent([textBlock('Tool with logging executed successfully')]);
  },
});

export const toolWithProgress = defineTool({
  name: 'test_tool_with_progress',
  description: 'Reports progress 0, 50 and 100 of 100 while it runs (conformance: tools-call-with-progress).',
  scopes: [],
  annotations,
  async handler(_args, ctx) {
    for (const step of [0, 50, 100]) {
      await ctx.progress(step, 100, `Completed step ${step} of 100`);
      if (step !== 100) await sleep(50);
    }
    return toolContent([textBlock('Tool with progress executed successfully')]);
  },
});

export const errorHandling = defineTool({
  name: 'test_error_handling',
  description: 'Always fails with a tool error result (conformance: tools-call-error).',
  scopes: [],
  annotations,
  handler() {
    throw new ToolError('This tool intentionally returns an error for testing');
  },
});

export const reconnection = defineTool({
  name: 'test_reconnection',
  description: 'Returns after a short pause; probed by the SSE polling scenario.',
  scopes: [],
  annotations,
  async handler() {
    await sleep(100);
    return toolContent([textBlock('Reconnection test completed successfully.')]);
  },
});
