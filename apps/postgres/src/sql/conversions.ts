// Conversions run functions the query never names: a cast with a function (`x::t`, or one
// PostgreSQL applies itself to fit a function's or operator's argument, a LIMIT or a subscript),
// and a domain's constraints when a value becomes the domain. Which of them a query runs is known
// only to PostgreSQL's analysis, so a volatile one is refused wherever it could run: an explicit-
// only cast in every query that names a type, an implicit or assignment cast and a domain
// constraint in every query. Built-in casts and constraints are never volatile, so this costs
// nothing unless the database defines such a conversion.
import { ToolError } from '@bastion-mcp/core';
import { forArgument } from './argument.js';
import { isSafeVolatile } from './safe-volatile-functions.js';
import type { CatalogConversion, CheckedQuery, ConversionCatalog } from './types.js';

const FIX =
  'Ask the operator to drop it, or to mark its function STABLE or IMMUTABLE if it only reads.';

/** Refuses the query when a volatile conversion of the database could run in it. */
export async function checkConversions(
  checked: Pick<CheckedQuery, 'kind' | 'converts'>,
  catalog: ConversionCatalog,
  options: { readonly argument?: string } = {},
): Promise<void> {
  if (checked.kind === 'show') return;
  const volatile = (await catalog.conversions()).filter((conversion) => !isSafeVolatile(conversion));
  const anywhere = volatile.find((conversion) => conversion.context !== 'e');
  if (anywhere) throw forArgument(refusedEverywhere(anywhere), options.argument);
  const explicit = volatile[0];
  if (explicit && checked.converts !== false) {
    throw forArgument(
      new ToolError(
        `\`sql\` converts a value to a named type (::type, CAST, RETURNING type…), and this database has ${described(explicit)}, which such a conversion could run; ` +
          `conversions are refused while it exists. Remove the conversion from the query. ${FIX}`,
      ),
      options.argument,
    );
  }
}

function described(conversion: CatalogConversion): string {
  return conversion.kind === 'cast'
    ? `a cast (${conversion.what}) through the volatile function ${conversion.signature}`
    : `a domain ${conversion.what} whose constraint calls the volatile function ${conversion.signature}`;
}

function refusedEverywhere(conversion: CatalogConversion): ToolError {
  const when =
    conversion.kind === 'cast'
      ? 'PostgreSQL applies that cast by itself wherever a value must fit its type, without the query naming a function'
      : 'PostgreSQL runs that constraint whenever a value becomes the domain, also to fit a function argument';
  return new ToolError(
    `\`sql\` cannot be checked on this database: it has ${described(conversion)}, and ${when}, so no query is run while it exists. ${FIX}`,
  );
}
