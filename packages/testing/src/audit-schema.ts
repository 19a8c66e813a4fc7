import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AuditEvent } from '@bastion-mcp/logging';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import formats from 'ajv-formats';

/** The published format of an audit event, as @bastion-mcp/logging ships it (docs/audit.md). */
export const AUDIT_EVENT_SCHEMA_PATH = createRequire(import.meta.url).resolve('@bastion-mcp/logging/audit-event.schema.json');

export interface AssertAuditEventsOptions {
  /** Another copy of the schema to validate against (default AUDIT_EVENT_SCHEMA_PATH). */
  schemaPath?: string;
}

const validators = new Map<string, ValidateFunction>();

/**
 * Checks every audit event against the published schema and returns them. Takes the events, or
 * the lines of an audit file (its whole text also works), or log lines in which each event sits
 * under `audit` (`"stream":"audit"`, as a connector writes to stderr). Throws an error naming
 * each failing event (its position, tool and outcome) and each failing field.
 */
export function assertAuditEvents(
  input: string | readonly (string | object)[],
  options: AssertAuditEventsOptions = {},
): AuditEvent[] {
  const validate = validatorFor(options.schemaPath ?? AUDIT_EVENT_SCHEMA_PATH);
  // A log stream's chunks may hold several lines; each line is one event.
  const given: readonly (string | object)[] = typeof input === 'string' ? [input] : input;
  const items = given
    .flatMap((item): (string | object)[] => (typeof item === 'string' ? item.split('\n') : [item]))
    .filter((item) => typeof item !== 'string' || item.trim() !== '');
  const failures: string[] = [];
  const events: AuditEvent[] = [];
  items.forEach((item, index) => {
    const where = `audit event ${index + 1}`;
    const parsed = typeof item === 'string' ? parseLine(item) : { ok: true as const, value: item };
    if (!parsed.ok) {
      failures.push(`${where}: not JSON (${parsed.message}): ${preview(item as string)}`);
      return;
    }
    const event = unwrapLogRecord(parsed.value);
    if (validate(event)) {
      events.push(event as AuditEvent);
      return;
    }
    failures.push(`${where} (${describe(event)}):\n${problemsOf(validate.errors ?? [], event).map((problem) => `    - ${problem}`).join('\n')}`);
  });
  if (failures.length > 0) {
    throw new Error(
      `${failures.length} of ${items.length} audit events do not match ${options.schemaPath ?? AUDIT_EVENT_SCHEMA_PATH}:\n  ${failures.join('\n  ')}`,
    );
  }
  return events;
}

function validatorFor(path: string): ValidateFunction {
  let validate = validators.get(path);
  if (validate) return validate;
  let schema: object;
  try {
    schema = JSON.parse(readFileSync(path, 'utf8')) as object;
  } catch (error) {
    throw new Error(`cannot read the audit event schema ${path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true, verbose: true });
  formats.default(ajv, ['date-time']);
  validate = ajv.compile(schema);
  validators.set(path, validate);
  return validate;
}

function parseLine(line: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(line) as unknown };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

/** A connector logging to stderr writes `{"level":30,...,"stream":"audit","audit":{...}}`. */
function unwrapLogRecord(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const record = value as { stream?: unknown; audit?: unknown };
  return record.stream === 'audit' && typeof record.audit === 'object' ? record.audit : value;
}

function describe(event: unknown): string {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return `not an object: ${preview(JSON.stringify(event))}`;
  const { tool, outcome } = event as { tool?: unknown; outcome?: unknown };
  return `tool ${JSON.stringify(tool)}, outcome ${JSON.stringify(outcome)}`;
}

/** One line per failing field; ajv's "must match then schema" echoes of the real errors are left out. */
function problemsOf(errors: readonly ErrorObject[], event: unknown): string[] {
  const problems = errors
    .filter((error) => error.keyword !== 'if')
    .map((error) => {
      const params = error.params as Record<string, unknown>;
      const field = fieldOf(error.instancePath);
      switch (error.keyword) {
        case 'additionalProperties':
          return `${field}: unknown field "${String(params.additionalProperty)}"`;
        case 'required':
          return `${fieldOf(error.instancePath, String(params.missingProperty))}: missing${outcomeNote(event)}`;
        case 'not': {
          const forbidden = (error.schema as { required?: unknown } | undefined)?.required;
          return Array.isArray(forbidden)
            ? `${fieldOf(error.instancePath, forbidden.join(', '))}: not allowed${outcomeNote(event)}`
            : `${field}: ${error.message ?? 'must not match'}`;
        }
        case 'enum':
          return `${field}: ${preview(JSON.stringify(error.data) ?? String(error.data))} is not one of ${(params.allowedValues as unknown[]).map((value) => JSON.stringify(value)).join(', ')}${outcomeNote(event)}`;
        case 'const':
          return `${field}: ${preview(JSON.stringify(error.data) ?? String(error.data))} is not ${JSON.stringify(params.allowedValue)}`;
        default:
          return `${field}: ${preview(JSON.stringify(error.data) ?? String(error.data))} ${error.message ?? `fails ${error.keyword}`}`;
      }
    });
  return [...new Set(problems)];
}

function outcomeNote(event: unknown): string {
  const outcome = typeof event === 'object' && event !== null ? (event as { outcome?: unknown }).outcome : undefined;
  return typeof outcome === 'string' ? ` (outcome "${outcome}")` : '';
}

function fieldOf(instancePath: string, child?: string): string {
  const path = child === undefined ? instancePath : `${instancePath}/${child}`;
  return path === '' ? '(event)' : path.slice(1).replaceAll('/', '.');
}

function preview(text: string): string {
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
