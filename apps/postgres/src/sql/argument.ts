// Every policy message starts with the argument that held the SQL, `sql` by default. A tool
// whose argument has another name (`query`) gets its own name in the messages.
import { ToolError } from '@bastion-mcp/core';

const DEFAULT_ARGUMENT = '`sql`';

/** The same error, naming `argument` instead of `sql`; anything else is returned unchanged. */
export function forArgument(error: unknown, argument: string | undefined): unknown {
  if (argument === undefined || argument === 'sql' || !ToolError.isInstance(error)) return error;
  if (!error.message.startsWith(DEFAULT_ARGUMENT)) return error;
  return new ToolError(`\`${argument}\`${error.message.slice(DEFAULT_ARGUMENT.length)}`, { cause: error.cause });
}
