import type { GetPromptResult, InputRequiredResult, PromptMessage } from '@modelcontextprotocol/server';
import type { z } from 'zod';
import type { PolicyMapping } from '../server/data-policy.js';
import type { ContentBlock } from '../tools/content.js';
import type { ToolContext } from '../tools/tool-context.js';

export interface PromptSpec<Ctx, A extends z.ZodObject | undefined> {
  readonly name: string;
  readonly title?: string;
  readonly description: string;
  readonly scopes: readonly string[];
  /**
   * The tool whose policy it follows, and the tool arguments its arguments stand for. Without it,
   * a principal under any policy restriction can neither list nor get it.
   */
  readonly policy?: PolicyMapping<Record<string, unknown>>;
  /** Prompt arguments; MCP passes them as strings. */
  readonly args?: A;
  /** Completion for arguments, by argument name. */
  readonly complete?: Readonly<Record<string, (value: string) => readonly string[] | Promise<readonly string[]>>>;
  get(
    args: A extends z.ZodObject ? z.output<A> : Record<string, never>,
    ctx: ToolContext<Ctx>,
  ): Promise<GetPromptResult | InputRequiredResult> | GetPromptResult;
}

export interface Prompt<Ctx = unknown> {
  readonly name: string;
  readonly title: string | undefined;
  readonly description: string;
  readonly scopes: readonly string[];
  readonly policy: PolicyMapping<Record<string, unknown>> | undefined;
  readonly args: z.ZodObject | undefined;
  readonly complete: PromptSpec<Ctx, undefined>['complete'];
  readonly get: (args: unknown, ctx: ToolContext<Ctx>) => Promise<GetPromptResult | InputRequiredResult> | GetPromptResult;
}

export type DefinePrompt<Ctx> = <A extends z.ZodObject | undefined = undefined>(spec: PromptSpec<Ctx, A>) => Prompt<Ctx>;

export function promptFactory<Ctx>(): DefinePrompt<Ctx> {
  return function definePrompt<A extends z.ZodObject | undefined = undefined>(spec: PromptSpec<Ctx, A>): Prompt<Ctx> {
    return Object.freeze({
      name: spec.name,
      title: spec.title,
      description: spec.description,
      scopes: spec.scopes,
      policy: spec.policy,
      args: spec.args,
      complete: spec.complete,
      get: spec.get as Prompt<Ctx>['get'],
    });
  };
}

export const definePrompt: DefinePrompt<{}> = promptFactory<{}>();

export function userMessage(content: string | ContentBlock): PromptMessage {
  return { role: 'user', content: typeof content === 'string' ? { type: 'text', text: content } : content } as PromptMessage;
}

export function assistantMessage(content: string | ContentBlock): PromptMessage {
  return { role: 'assistant', content: typeof content === 'string' ? { type: 'text', text: content } : content } as PromptMessage;
}
