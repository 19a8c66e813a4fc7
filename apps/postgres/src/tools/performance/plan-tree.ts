// The JSON plan as EXPLAIN (FORMAT JSON) returns it: one object per statement with `Plan` (the
// root node; children under `Plans`) and the totals beside it. Keys are PostgreSQL's labels.

export type PlanNode = Record<string, unknown>;

export interface ExplainedStatement extends Record<string, unknown> {
  readonly Plan: PlanNode;
}

export function isExplainedStatement(value: unknown): value is ExplainedStatement {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && isNode((value as Record<string, unknown>).Plan);
}

function isNode(value: unknown): value is PlanNode {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function childrenOf(node: PlanNode): PlanNode[] {
  return Array.isArray(node.Plans) ? node.Plans.filter(isNode) : [];
}

export function numberAt(node: PlanNode, key: string): number | undefined {
  const value = node[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function textAt(node: PlanNode, key: string): string | undefined {
  const value = node[key];
  return typeof value === 'string' ? value : undefined;
}

export interface VisitedNode {
  readonly node: PlanNode;
  readonly depth: number;
  /** Types of the nodes above it, nearest last. */
  readonly ancestors: readonly string[];
  /** Index of its parent in walkPlan's list; undefined for the root. */
  readonly parent: number | undefined;
}

/** Every node, parents before children and children in order, without recursion. */
export function walkPlan(root: PlanNode): VisitedNode[] {
  const out: VisitedNode[] = [];
  const stack: VisitedNode[] = [{ node: root, depth: 0, ancestors: [], parent: undefined }];
  while (stack.length > 0) {
    const visited = stack.pop()!;
    const index = out.length;
    out.push(visited);
    const type = textAt(visited.node, 'Node Type') ?? '?';
    const children = childrenOf(visited.node);
    for (let i = children.length - 1; i >= 0; i--) {
      stack.push({ node: children[i]!, depth: visited.depth + 1, ancestors: [...visited.ancestors, type], parent: index });
    }
  }
  return out;
}

/**
 * How PostgreSQL's text format names a node: `Parallel Seq Scan`, `HashAggregate`,
 * `Hash Left Join`, `Index Scan Backward`, `Finalize GroupAggregate`.
 */
export function nodeName(node: PlanNode): string {
  const type = textAt(node, 'Node Type') ?? 'Unknown';
  let name = type;
  const strategy = textAt(node, 'Strategy');
  if (type === 'Aggregate') {
    name = { Sorted: 'GroupAggregate', Hashed: 'HashAggregate', Mixed: 'MixedAggregate' }[strategy ?? ''] ?? 'Aggregate';
  } else if (type === 'SetOp') {
    name = `${strategy === 'Hashed' ? 'HashSetOp' : 'SetOp'}${node.Command ? ` ${String(node.Command)}` : ''}`;
  } else if (type === 'Hash Join' || type === 'Merge Join' || type === 'Nested Loop') {
    const join = textAt(node, 'Join Type');
    const base = type === 'Nested Loop' ? 'Nested Loop' : type.replace(/ Join$/, '');
    if (join && join !== 'Inner') name = `${base} ${join} Join`;
  }
  const partial = textAt(node, 'Partial Mode');
  if (partial && partial !== 'Simple') name = `${partial} ${name}`;
  if (node['Parallel Aware'] === true) name = `Parallel ${name}`;
  if (node['Async Capable'] === true) name = `Async ${name}`;
  if (textAt(node, 'Scan Direction') === 'Backward') name += ' Backward';
  return name;
}

/** The object a node reads: `shop.orders o`, `orders_pkey`, a function or CTE name. */
export function nodeTarget(node: PlanNode): string {
  const index = textAt(node, 'Index Name');
  const relation = textAt(node, 'Relation Name');
  const schema = textAt(node, 'Schema');
  const alias = textAt(node, 'Alias');
  const object = relation ?? textAt(node, 'Function Name') ?? textAt(node, 'CTE Name') ?? textAt(node, 'Tuplestore Name') ?? textAt(node, 'Table Function Name');
  let target = '';
  if (index) target += object ? ` using ${index}` : ` on ${index}`;
  if (object) {
    const qualified = schema ? `${schema}.${object}` : object;
    target += ` on ${qualified}${alias && alias !== object ? ` ${alias}` : ''}`;
  } else if (!index && alias) {
    target += ` on ${alias}`;
  }
  return target;
}

/** `Seq Scan on shop.orders o`: how warnings name a node. */
export function nodeLabel(node: PlanNode): string {
  return `${nodeName(node)}${nodeTarget(node)}`;
}
