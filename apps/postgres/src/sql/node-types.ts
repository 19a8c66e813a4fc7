// The parse-tree node types a read-only query may contain, and how to walk them.
//
// libpg_query's JSON wraps a node whose field is typed `Node` as `{ "TypeName": {…} }`, but writes a
// field typed as one specific struct (SelectStmt.withClause is a WithClause) bare, without the
// wrapper. TYPED_FIELDS names those bare fields per allowed node type (from @pgsql/types 18), so the
// walker knows their type and checks them like any other node; a bare object anywhere else is an
// unknown shape and is refused. Every name here was checked against the parser's real output.

/** Node types allowed anywhere inside the SELECT, VALUES or TABLE being checked (EXPLAIN and SHOW are handled at the top). */
export const ALLOWED_NODE_TYPES: ReadonlySet<string> = new Set([
  // Statements and clauses
  'SelectStmt', 'ResTarget', 'RangeVar', 'RangeSubselect', 'RangeFunction', 'RangeTableSample',
  'RangeTableFunc', 'RangeTableFuncCol', 'JoinExpr', 'Alias', 'SortBy', 'WindowDef',
  'WithClause', 'CommonTableExpr', 'CTESearchClause', 'CTECycleClause', 'GroupingSet',
  // Column definition lists: `f() AS t(a int)` and ROWS FROM (… AS (a int)); the grammar allows only a name, a type and a collation there.
  'ColumnDef',
  // Values and expressions
  'ColumnRef', 'A_Star', 'A_Const', 'String', 'Integer', 'Float', 'Boolean', 'BitString', 'List',
  'A_Expr', 'BoolExpr', 'FuncCall', 'NamedArgExpr', 'TypeCast', 'TypeName', 'SubLink', 'CaseExpr',
  'CaseWhen', 'CoalesceExpr', 'MinMaxExpr', 'NullTest', 'BooleanTest', 'A_ArrayExpr',
  'A_Indirection', 'A_Indices', 'RowExpr', 'ParamRef', 'CollateClause', 'GroupingFunc',
  'SQLValueFunction',
  // XML
  'XmlExpr', 'XmlSerialize',
  // SQL/JSON
  'JsonObjectConstructor', 'JsonArrayConstructor', 'JsonArrayQueryConstructor', 'JsonAggConstructor',
  'JsonObjectAgg', 'JsonArrayAgg', 'JsonValueExpr', 'JsonOutput', 'JsonReturning', 'JsonFormat',
  'JsonKeyValue', 'JsonIsPredicate', 'JsonFuncExpr', 'JsonTable', 'JsonTablePathSpec',
  'JsonTableColumn', 'JsonArgument', 'JsonBehavior', 'JsonParseExpr', 'JsonScalarExpr',
  'JsonSerializeExpr',
]);

/** Per allowed node type: its fields written bare, and the node type of each. */
export const TYPED_FIELDS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  SelectStmt: { intoClause: 'IntoClause', withClause: 'WithClause', larg: 'SelectStmt', rarg: 'SelectStmt' },
  A_Const: { ival: 'Integer', fval: 'Float', boolval: 'Boolean', sval: 'String', bsval: 'BitString' },
  FuncCall: { over: 'WindowDef' },
  TypeCast: { typeName: 'TypeName' },
  RangeVar: { alias: 'Alias' },
  RangeSubselect: { alias: 'Alias' },
  RangeFunction: { alias: 'Alias' },
  RangeTableFunc: { alias: 'Alias' },
  RangeTableFuncCol: { typeName: 'TypeName' },
  JoinExpr: { join_using_alias: 'Alias', alias: 'Alias' },
  CommonTableExpr: { search_clause: 'CTESearchClause', cycle_clause: 'CTECycleClause' },
  ColumnDef: { typeName: 'TypeName', identitySequence: 'RangeVar', collClause: 'CollateClause' },
  XmlSerialize: { typeName: 'TypeName' },
  JsonObjectConstructor: { output: 'JsonOutput' },
  JsonArrayConstructor: { output: 'JsonOutput' },
  JsonArrayQueryConstructor: { output: 'JsonOutput', format: 'JsonFormat' },
  JsonAggConstructor: { output: 'JsonOutput', over: 'WindowDef' },
  JsonObjectAgg: { constructor: 'JsonAggConstructor', arg: 'JsonKeyValue' },
  JsonArrayAgg: { constructor: 'JsonAggConstructor', arg: 'JsonValueExpr' },
  JsonValueExpr: { format: 'JsonFormat' },
  JsonOutput: { typeName: 'TypeName', returning: 'JsonReturning' },
  JsonReturning: { format: 'JsonFormat' },
  JsonKeyValue: { value: 'JsonValueExpr' },
  JsonIsPredicate: { format: 'JsonFormat' },
  JsonFuncExpr: { context_item: 'JsonValueExpr', output: 'JsonOutput', on_empty: 'JsonBehavior', on_error: 'JsonBehavior' },
  JsonTable: { context_item: 'JsonValueExpr', pathspec: 'JsonTablePathSpec', on_error: 'JsonBehavior', alias: 'Alias' },
  JsonTableColumn: { typeName: 'TypeName', pathspec: 'JsonTablePathSpec', format: 'JsonFormat', on_empty: 'JsonBehavior', on_error: 'JsonBehavior' },
  JsonArgument: { val: 'JsonValueExpr' },
  JsonParseExpr: { expr: 'JsonValueExpr', output: 'JsonOutput' },
  JsonScalarExpr: { output: 'JsonOutput' },
  JsonSerializeExpr: { expr: 'JsonValueExpr', output: 'JsonOutput' },
};

/** The JSON key of a wrapped node, when `value` is one: an object with exactly one key naming a node type. */
export function wrappedNodeType(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const [key] = keys as [string];
  const body = (value as Record<string, unknown>)[key];
  return /^[A-Z][A-Za-z_]*$/.test(key) && typeof body === 'object' && body !== null && !Array.isArray(body) ? key : undefined;
}
