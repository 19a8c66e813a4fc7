import type { ToolAnnotations } from '@modelcontextprotocol/server';

export type { ToolAnnotations };

/** A tool that only reads. Every hint is set, so no pessimistic client default leaks through. */
export function readOnly(options: { openWorld: boolean; title?: string }): ToolAnnotations {
  return {
    ...(options.title === undefined ? {} : { title: options.title }),
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: options.openWorld,
  };
}

/** A tool that changes state. Both hints are required so each write tool states what it does. */
export function write(options: {
  destructive: boolean;
  idempotent: boolean;
  openWorld: boolean;
  title?: string;
}): ToolAnnotations {
  return {
    ...(options.title === undefined ? {} : { title: options.title }),
    readOnlyHint: false,
    destructiveHint: options.destructive,
    idempotentHint: options.idempotent,
    openWorldHint: options.openWorld,
  };
}

export function isReadOnlyTool(annotations: ToolAnnotations): boolean {
  return annotations.readOnlyHint === true;
}
