// Walks a whole parse tree: every node must be on the allow-list, and every function and
// operator reference is collected, wherever it sits (select list, FROM, LATERAL, ROWS FROM,
// subqueries, CTEs, ORDER BY, windows, TABLESAMPLE…). Iterative, so deep trees cannot
// overflow the JavaScript stack.
import { ToolError } from '@bastion-mcp/core';
import { ALLOWED_NODE_TYPES, TYPED_FIELDS, wrappedNodeType } from './node-types.js';
import { atLocation } from './position.js';
import { ALLOWED_SUMMARY, refuseNode } from './statement-messages.js';
import { displayName, refKey, type FunctionRef, type OperatorRef, type RelationRef } from './types.js';

type Body = Record<string, unknown>;

interface Frame {
  readonly type: string;
  readonly body: Body;
  readonly parent: string | undefined;
}

export interface References {
  readonly functions: FunctionRef[];
  readonly operators: OperatorRef[];
  readonly relations: RelationRef[];
  /** A type is named somewhere (`::t`, CAST, RETURNING t, a column definition list). */
  readonly converts: boolean;
}

/** Checks every node under `root` (a wrapped node) and returns the functions and operators it uses. */
export function walkQuery(root: unknown, sql: string): References {
  const collector = new Collector(sql);
  const rootType = wrappedNodeType(root);
  if (!rootType) throw unrecognised(sql, 'the statement', undefined);
  const stack: Frame[] = [{ type: rootType, body: (root as Record<string, Body>)[rootType]!, parent: undefined }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if (!ALLOWED_NODE_TYPES.has(frame.type)) {
      throw refuseNode(frame.type, frame.body, frame.parent, atLocation(sql, locationOf(frame.body)));
    }
    collector.visit(frame);
    const children: Frame[] = [];
    for (const [field, value] of Object.entries(frame.body)) collectChildren(sql, frame, field, value, children);
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return { functions: collector.functions, operators: collector.operators, relations: collector.relations, converts: collector.converts };
}

function collectChildren(sql: string, frame: Frame, field: string, value: unknown, out: Frame[]): void {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const element of value) collectChildren(sql, frame, field, element, out);
    return;
  }
  const typed = TYPED_FIELDS[frame.type]?.[field];
  if (typed) {
    out.push({ type: typed, body: value as Body, parent: frame.type });
    return;
  }
  const wrapped = wrappedNodeType(value);
  if (wrapped) {
    out.push({ type: wrapped, body: (value as Record<string, Body>)[wrapped]!, parent: frame.type });
    return;
  }
  // An empty object stands for NULL (a ROWS FROM item without a column definition list).
  if (Object.keys(value).length === 0) return;
  throw unrecognised(sql, `${frame.type}.${field}`, locationOf(frame.body));
}

function unrecognised(sql: string, what: string, location: unknown): ToolError {
  return new ToolError(
    `\`sql\` has a construct the query checker does not recognise (${what})${atLocation(sql, location)}, so it is refused. ${ALLOWED_SUMMARY}`,
  );
}

/** A node's own location, or the first one found one level down (IntoClause has none, its table does). */
function locationOf(body: Body): number | undefined {
  if (typeof body.location === 'number') return body.location;
  for (const value of Object.values(body)) {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const inner = value as Body;
      const type = wrappedNodeType(inner);
      const candidate = type ? (inner[type] as Body).location : inner.location;
      if (typeof candidate === 'number') return candidate;
    }
  }
  return undefined;
}

/** Operators that PostgreSQL builds from these A_Expr kinds instead of the `name` field. */
const BETWEEN_OPERATORS: Record<string, readonly string[]> = {
  AEXPR_BETWEEN: ['>=', '<='],
  AEXPR_BETWEEN_SYM: ['>=', '<='],
  AEXPR_NOT_BETWEEN: ['<', '>'],
  AEXPR_NOT_BETWEEN_SYM: ['<', '>'],
};

const NAMED_OPERATOR_KINDS = new Set([
  'AEXPR_OP', 'AEXPR_OP_ANY', 'AEXPR_OP_ALL', 'AEXPR_DISTINCT', 'AEXPR_NOT_DISTINCT', 'AEXPR_NULLIF',
  'AEXPR_IN', 'AEXPR_LIKE', 'AEXPR_ILIKE', 'AEXPR_SIMILAR',
]);

class Collector {
  readonly functions: FunctionRef[] = [];
  readonly operators: OperatorRef[] = [];
  readonly relations: RelationRef[] = [];
  converts = false;
  readonly #seenRelations = new Set<string>();
  readonly #seenFunctions = new Set<string>();
  readonly #seenOperators = new Set<string>();

  constructor(private readonly sql: string) {}

  visit({ type, body }: Frame): void {
    switch (type) {
      case 'FuncCall':
        this.#function(this.#qualifiedName(body.funcname, type, body), false);
        break;
      case 'RangeTableSample':
        this.#function(this.#qualifiedName(body.method, type, body), true);
        break;
      case 'A_Expr': {
        const kind = String(body.kind);
        const between = BETWEEN_OPERATORS[kind];
        if (between) for (const name of between) this.#operator({ name });
        else if (NAMED_OPERATOR_KINDS.has(kind)) this.#operator(this.#qualifiedName(body.name, type, body));
        else throw unrecognised(this.sql, `A_Expr ${kind}`, body.location);
        break;
      }
      case 'SubLink':
        if (body.operName !== undefined) this.#operator(this.#qualifiedName(body.operName, type, body));
        else if (body.subLinkType === 'ANY_SUBLINK') this.#operator({ name: '=' }); // x IN (SELECT …)
        break;
      case 'SortBy':
        if (body.useOp !== undefined) this.#operator(this.#qualifiedName(body.useOp, type, body)); // ORDER BY x USING >
        break;
      case 'CaseExpr':
        if (body.arg !== undefined) this.#operator({ name: '=' }); // CASE x WHEN v compares with =
        break;
      case 'TypeName':
        this.converts = true;
        break;
      case 'RangeVar':
        this.#relation(body);
        break;
      case 'ColumnRef':
        // `t.f`, `s.t.f`, `d.s.t.f`: the parts before the last name a table, never a call.
        this.#columnSyntax(body.fields, 'last', '');
        break;
      case 'A_Indirection':
        this.#columnSyntax(body.indirection, 'every', '(…)');
        break;
    }
  }

  /**
   * `t.f`, `s.t.f` and `(expr).f` may be calls: where the row has no column f, PostgreSQL calls
   * the function f (unqualified, from the search path) with the row as its argument. Such names
   * are collected as calls, written as the query has them; the catalog check tells columns (no
   * function of that name) from functions. A one-part ColumnRef is a column or a table.
   */
  #columnSyntax(list: unknown, which: 'last' | 'every', prefix: string): void {
    if (!Array.isArray(list) || (which === 'last' && list.length < 2)) return;
    let written = prefix;
    list.forEach((item, index) => {
      const name = wrappedNodeType(item) === 'String' ? (item as { String: { sval?: unknown } }).String.sval : undefined;
      const separator = written === '' ? '' : '.';
      if (typeof name !== 'string') {
        // A subscript ([1]) or a star (.*): neither a name nor a call.
        written += wrappedNodeType(item) === 'A_Star' ? `${separator}*` : '[…]';
        return;
      }
      written += `${separator}${displayName({ name })}`;
      if (which === 'every' || index === list.length - 1) this.#function({ name }, false, written);
    });
  }

  #function(ref: { schema?: string; name: string }, tablesample: boolean, columnSyntax?: string): void {
    const full: FunctionRef = tablesample ? { ...ref, tablesample: true } : columnSyntax === undefined ? ref : { ...ref, columnSyntax };
    const key = `${tablesample ? 't' : columnSyntax === undefined ? 'f' : 'c'}${refKey(full)}`;
    if (this.#seenFunctions.has(key)) return;
    this.#seenFunctions.add(key);
    this.functions.push(full);
  }

  #relation(body: Body): void {
    if (typeof body.relname !== 'string') throw unrecognised(this.sql, 'a RangeVar name', body.location);
    const ref: RelationRef = typeof body.schemaname === 'string' ? { schema: body.schemaname, name: body.relname } : { name: body.relname };
    const key = refKey(ref);
    if (this.#seenRelations.has(key)) return;
    this.#seenRelations.add(key);
    this.relations.push(ref);
  }

  #operator(ref: OperatorRef): void {
    const key = refKey(ref);
    if (this.#seenOperators.has(key)) return;
    this.#seenOperators.add(key);
    this.operators.push(ref);
  }

  /** A name list of String nodes: `name`, `schema.name` or `catalog.schema.name` (the catalog part must be the current database, which PostgreSQL checks). */
  #qualifiedName(list: unknown, type: string, body: Body): { schema?: string; name: string } {
    const parts = Array.isArray(list)
      ? list.map((item) => {
          const inner = wrappedNodeType(item) === 'String' ? (item as { String: { sval?: unknown } }).String.sval : undefined;
          return typeof inner === 'string' ? inner : undefined;
        })
      : [];
    if (parts.length === 0 || parts.length > 3 || parts.some((part) => part === undefined || part === '')) {
      throw unrecognised(this.sql, `a ${type} name`, body.location);
    }
    const names = parts as string[];
    const name = names[names.length - 1]!;
    return names.length === 1 ? { name } : { schema: names[names.length - 2]!, name };
  }
}
