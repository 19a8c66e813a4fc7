// Reading a view runs its definition, and reading a table under row-level security runs its
// policies' expressions, for whoever reads: the query never names what they call. Each such body
// is held to the query policy as if the caller had written it, and the relation is refused when
// its body would be.
import { ToolError } from '@bastion-mcp/core';
import { forArgument } from './argument.js';
import { checkConversions } from './conversions.js';
import { checkFunctions, checkOperators } from './functions.js';
import { checkQuery } from './policy.js';
import { displayName, candidatesFor, type CatalogRelationBody, type ConversionCatalog, type FunctionCatalog, type RelationCatalog, type RelationRef } from './types.js';

type Catalog = RelationCatalog & FunctionCatalog & ConversionCatalog;

/** Refuses the first relation whose reading would run something the policy refuses. */
export async function checkRelations(
  relations: readonly RelationRef[] | undefined,
  catalog: Catalog,
  options: { readonly argument?: string } = {},
): Promise<void> {
  if (relations === undefined || relations.length === 0) return;
  const bodies = await catalog.relationBodies(relations);
  for (const ref of relations) {
    for (const body of candidatesFor(ref, bodies)) {
      try {
        await checkBody(body, catalog);
      } catch (error) {
        throw forArgument(refused(ref, body, error), options.argument);
      }
    }
  }
}

async function checkBody(body: CatalogRelationBody, catalog: Catalog): Promise<void> {
  const checked = checkQuery(body.body);
  // PostgreSQL stored the body resolved and writes every call in function syntax: a qualified
  // column there is a column.
  await checkFunctions(checked.functions.filter((ref) => ref.columnSyntax === undefined), catalog);
  await checkOperators(checked.operators, catalog);
  await checkConversions(checked, catalog);
}

function refused(ref: RelationRef, body: CatalogRelationBody, error: unknown): unknown {
  if (!ToolError.isInstance(error)) return error;
  const named = displayName(ref);
  const whose =
    body.via === 'view'
      ? `${body.own ? 'a view' : `through the view ${body.relation}`}, whose definition runs whenever it is read`
      : `${body.own ? 'a table' : `through the table ${body.relation}`}, whose row-level security policy runs whenever it is read`;
  const reason = error.message.replace(/^`sql` /, '');
  return new ToolError(`\`sql\` reads ${named}, ${whose}, and that ${body.via === 'view' ? 'definition' : 'policy'} ${reason}`);
}
