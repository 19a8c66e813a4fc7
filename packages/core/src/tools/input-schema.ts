import { fromJsonSchema } from '@modelcontextprotocol/server';
import type { JsonSchemaType, StandardSchemaWithJSON } from '@modelcontextprotocol/server';
import { z } from 'zod';

const JSON_SCHEMA_INPUT = Symbol.for('bastion.json-schema-input');

/**
 * A tool input described by a hand-written JSON Schema (advertised verbatim, validated with the
 * SDK's JSON Schema validator). Use zod objects for connector tools; this exists for schemas zod
 * cannot express, such as `$defs` with `$anchor` or `if`/`then`/`else`.
 */
export interface JsonSchemaInput<T> {
  readonly [JSON_SCHEMA_INPUT]: true;
  readonly json: Readonly<Record<string, unknown>>;
  /** The validator, compiled on first use (compiling loads AJV, which a server may never need). */
  readonly standard: StandardSchemaWithJSON<T, T>;
}

export function jsonSchemaInput<T>(json: Record<string, unknown>): JsonSchemaInput<T> {
  const frozen = Object.freeze(structuredClone(json));
  let standard: StandardSchemaWithJSON<T, T> | undefined;
  return {
    [JSON_SCHEMA_INPUT]: true,
    json: frozen,
    get standard() {
      return (standard ??= fromJsonSchema<T>(structuredClone(frozen) as JsonSchemaType));
    },
  };
}

export function isJsonSchemaInput(value: unknown): value is JsonSchemaInput<unknown> {
  return (
    typeof value === 'object' && value !== null && (value as JsonSchemaInput<unknown>)[JSON_SCHEMA_INPUT] === true
  );
}

export type ToolInputSchema = z.ZodObject | JsonSchemaInput<unknown>;

export type InferToolInput<I> =
  I extends z.ZodObject ? z.output<I> : I extends JsonSchemaInput<infer T> ? T : Record<string, never>;

/** JSON Schema of a zod schema as the 2020-12 draft the protocol uses. */
export function toJsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'throw' });
  return json as Record<string, unknown>;
}
