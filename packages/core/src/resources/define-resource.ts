import type { InputRequiredResult, ReadResourceResult } from '@modelcontextprotocol/server';
import type { PolicyMapping } from '../server/data-policy.js';
import type { ToolContext } from '../tools/tool-context.js';

export type ResourceContents = ReadResourceResult['contents'];

export interface ResourceListing {
  readonly uri: string;
  readonly name: string;
  readonly title?: string;
  readonly description?: string;
  readonly mimeType?: string;
}

interface ResourceBase {
  readonly name: string;
  readonly title?: string;
  readonly description: string;
  readonly mimeType?: string;
  /** What the caller must hold to list and read it. */
  readonly scopes: readonly string[];
  /**
   * The tool whose policy it follows, and the tool arguments a URI stands for. Without it, a
   * principal under any policy restriction can neither list nor read it.
   */
  readonly policy?: PolicyMapping<URL>;
}

/** A resource at one fixed URI. */
export interface StaticResourceSpec<Ctx> extends ResourceBase {
  readonly uri: string;
  read(uri: URL, ctx: ToolContext<Ctx>): Promise<ResourceContents | InputRequiredResult> | ResourceContents;
}

/** A family of resources under an RFC 6570 URI template such as `file:///{+path}`. */
export interface TemplateResourceSpec<Ctx> extends ResourceBase {
  readonly uriTemplate: string;
  /** Concrete resources to list under the template; omit when they cannot be enumerated. */
  list?(ctx: ToolContext<Ctx>): Promise<readonly ResourceListing[]> | readonly ResourceListing[];
  /** Completion for template variables. */
  readonly complete?: Readonly<Record<string, (value: string) => readonly string[] | Promise<readonly string[]>>>;
  read(
    uri: URL,
    variables: Readonly<Record<string, string | string[]>>,
    ctx: ToolContext<Ctx>,
  ): Promise<ResourceContents | InputRequiredResult> | ResourceContents;
}

export type Resource<Ctx = unknown> =
  | ({ readonly kind: 'static' } & StaticResourceSpec<Ctx>)
  | ({ readonly kind: 'template' } & TemplateResourceSpec<Ctx>);

export interface ResourceFactory<Ctx> {
  defineResource(spec: StaticResourceSpec<Ctx>): Resource<Ctx>;
  defineResourceTemplate(spec: TemplateResourceSpec<Ctx>): Resource<Ctx>;
}

/** Returns `defineResource` / `defineResourceTemplate` whose readers receive the connector's context. */
export function resourceFactory<Ctx>(): ResourceFactory<Ctx> {
  return {
    defineResource(spec: StaticResourceSpec<Ctx>): Resource<Ctx> {
      return Object.freeze({ kind: 'static' as const, ...spec });
    },
    defineResourceTemplate(spec: TemplateResourceSpec<Ctx>): Resource<Ctx> {
      return Object.freeze({ kind: 'template' as const, ...spec });
    },
  };
}

export const { defineResource, defineResourceTemplate } = resourceFactory<{}>();
