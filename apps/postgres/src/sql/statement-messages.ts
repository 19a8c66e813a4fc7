// What the caller is told when a statement or a construct is refused: the construct by name,
// why it is refused, and what is allowed instead. The reader is usually an AI agent that must
// rewrite its query, so every message says what would work.
import { ToolError } from '@bastion-mcp/core';

export const ALLOWED_SUMMARY = 'This server runs one read-only query per call: SELECT, VALUES, TABLE, EXPLAIN of those, or SHOW.';

type Body = Record<string, unknown>;

const TRANSACTION_KINDS: Record<string, string> = {
  TRANS_STMT_BEGIN: 'BEGIN',
  TRANS_STMT_START: 'START TRANSACTION',
  TRANS_STMT_COMMIT: 'COMMIT',
  TRANS_STMT_ROLLBACK: 'ROLLBACK',
  TRANS_STMT_SAVEPOINT: 'SAVEPOINT',
  TRANS_STMT_RELEASE: 'RELEASE SAVEPOINT',
  TRANS_STMT_ROLLBACK_TO: 'ROLLBACK TO SAVEPOINT',
  TRANS_STMT_PREPARE: 'PREPARE TRANSACTION',
  TRANS_STMT_COMMIT_PREPARED: 'COMMIT PREPARED',
  TRANS_STMT_ROLLBACK_PREPARED: 'ROLLBACK PREPARED',
};

/** Statement node types whose name is not just their words (CreateStmt is CREATE TABLE). */
const STATEMENT_NAMES: Record<string, string> = {
  InsertStmt: 'INSERT', UpdateStmt: 'UPDATE', DeleteStmt: 'DELETE', MergeStmt: 'MERGE', TruncateStmt: 'TRUNCATE',
  CopyStmt: 'COPY', DoStmt: 'DO', CallStmt: 'CALL', ListenStmt: 'LISTEN', NotifyStmt: 'NOTIFY', UnlistenStmt: 'UNLISTEN',
  PrepareStmt: 'PREPARE', ExecuteStmt: 'EXECUTE', DeallocateStmt: 'DEALLOCATE', DeclareCursorStmt: 'DECLARE CURSOR',
  FetchStmt: 'FETCH', ClosePortalStmt: 'CLOSE', LockStmt: 'LOCK TABLE', ClusterStmt: 'CLUSTER', ReindexStmt: 'REINDEX',
  CheckPointStmt: 'CHECKPOINT', RefreshMatViewStmt: 'REFRESH MATERIALIZED VIEW', LoadStmt: 'LOAD',
  CreateStmt: 'CREATE TABLE', CreateTableAsStmt: 'CREATE TABLE AS', ViewStmt: 'CREATE VIEW', IndexStmt: 'CREATE INDEX',
  CreateSeqStmt: 'CREATE SEQUENCE', AlterSeqStmt: 'ALTER SEQUENCE', CreateFunctionStmt: 'CREATE FUNCTION',
  AlterFunctionStmt: 'ALTER FUNCTION', CreateTrigStmt: 'CREATE TRIGGER', CreateEventTrigStmt: 'CREATE EVENT TRIGGER',
  RuleStmt: 'CREATE RULE', CreatedbStmt: 'CREATE DATABASE', DropdbStmt: 'DROP DATABASE', CreateRoleStmt: 'CREATE ROLE',
  DropRoleStmt: 'DROP ROLE', AlterRoleStmt: 'ALTER ROLE', AlterRoleSetStmt: 'ALTER ROLE SET', GrantStmt: 'GRANT or REVOKE',
  GrantRoleStmt: 'GRANT or REVOKE (role)', AlterDefaultPrivilegesStmt: 'ALTER DEFAULT PRIVILEGES', DefineStmt: 'CREATE (aggregate, operator or type)',
  CreatePLangStmt: 'CREATE LANGUAGE', CreateExtensionStmt: 'CREATE EXTENSION', AlterSystemStmt: 'ALTER SYSTEM',
  CreateFdwStmt: 'CREATE FOREIGN DATA WRAPPER', CreateForeignServerStmt: 'CREATE SERVER', CreateForeignTableStmt: 'CREATE FOREIGN TABLE',
  CreateUserMappingStmt: 'CREATE USER MAPPING', ImportForeignSchemaStmt: 'IMPORT FOREIGN SCHEMA', SecLabelStmt: 'SECURITY LABEL',
  CommentStmt: 'COMMENT', RenameStmt: 'ALTER … RENAME', CompositeTypeStmt: 'CREATE TYPE', CreateEnumStmt: 'CREATE TYPE AS ENUM',
  CreateRangeStmt: 'CREATE TYPE AS RANGE', CreateAmStmt: 'CREATE ACCESS METHOD', CreateStatsStmt: 'CREATE STATISTICS',
  ConstraintsSetStmt: 'SET CONSTRAINTS', DropOwnedStmt: 'DROP OWNED', ReassignOwnedStmt: 'REASSIGN OWNED',
  CreateCastStmt: 'CREATE CAST', CreateConversionStmt: 'CREATE CONVERSION', CreateTransformStmt: 'CREATE TRANSFORM',
  CreatePolicyStmt: 'CREATE POLICY', AlterPolicyStmt: 'ALTER POLICY', CreateSchemaStmt: 'CREATE SCHEMA',
  PLAssignStmt: 'a PL/pgSQL assignment', ReturnStmt: 'RETURN',
};

/** The words a caller would use for a statement node: `DROP TABLE`, `SET ROLE`, `COMMIT`. */
export function statementName(type: string, body: Body): string {
  switch (type) {
    case 'TransactionStmt':
      return TRANSACTION_KINDS[String(body.kind)] ?? 'transaction control';
    case 'VariableSetStmt':
      return variableSetName(body);
    case 'VacuumStmt':
      return body.is_vacuumcmd === true ? 'VACUUM' : 'ANALYZE';
    case 'DiscardStmt':
      return `DISCARD ${String(body.target ?? 'DISCARD_ALL').replace(/^DISCARD_/, '')}`;
    case 'DropStmt':
      return `DROP ${objectWords(body.removeType)}`.trim();
    case 'SelectStmt':
      return 'SELECT';
    case 'ExplainStmt':
      return 'EXPLAIN';
    case 'VariableShowStmt':
      return 'SHOW';
    default:
      return STATEMENT_NAMES[type] ?? camelWords(type.replace(/Stmt$/, '')).toUpperCase();
  }
}

function variableSetName(body: Body): string {
  const name = typeof body.name === 'string' ? body.name : '';
  switch (body.kind) {
    case 'VAR_RESET_ALL':
      return 'RESET ALL';
    case 'VAR_RESET':
      return `RESET ${name}`;
    case 'VAR_SET_MULTI':
      return name === 'TRANSACTION' ? 'SET TRANSACTION' : name === 'SESSION CHARACTERISTICS' ? 'SET SESSION CHARACTERISTICS' : `SET ${name}`;
    default:
      if (name === 'role') return 'SET ROLE';
      if (name === 'session_authorization') return 'SET SESSION AUTHORIZATION';
      return `SET ${name}`;
  }
}

function objectWords(objectType: unknown): string {
  return typeof objectType === 'string' ? objectType.replace(/^OBJECT_/, '').replace(/_/g, ' ') : '';
}

function camelWords(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/_/g, ' ');
}

const WHY_TRANSACTION =
  'Transaction control is not available: every call runs in its own read-only transaction that the server opens and ends, so it is never needed.';
const WHY_SESSION =
  "Session settings and the role are fixed by the server (read-only, timeouts, role). To read a setting use SHOW name or current_setting('name').";

/** Why a top-level statement type is refused, and what to do instead. */
function reasonFor(type: string, name: string): string {
  switch (type) {
    case 'TransactionStmt':
      return WHY_TRANSACTION;
    case 'VariableSetStmt':
    case 'DiscardStmt':
    case 'ConstraintsSetStmt':
      return WHY_SESSION;
    case 'InsertStmt':
    case 'UpdateStmt':
    case 'DeleteStmt':
    case 'MergeStmt':
    case 'TruncateStmt':
      return 'This server is read-only: it never changes data.';
    case 'CopyStmt':
      return 'COPY reads and writes server files and programs. To read data, SELECT it: the rows come back as the result.';
    case 'DoStmt':
      return 'DO runs procedural code that cannot be checked. Write the logic as one SELECT (CTEs, CASE, subqueries, window functions).';
    case 'CallStmt':
      return 'CALL runs a procedure, which can change data and control transactions. Call functions inside a SELECT instead.';
    case 'ListenStmt':
    case 'NotifyStmt':
    case 'UnlistenStmt':
      return 'Notifications reach other sessions, and this server keeps no session between calls.';
    case 'PrepareStmt':
    case 'ExecuteStmt':
    case 'DeallocateStmt':
      return 'Prepared statements are not available. Send the query itself; use $1, $2 placeholders with parameters if the tool takes them.';
    case 'DeclareCursorStmt':
    case 'FetchStmt':
    case 'ClosePortalStmt':
      return 'Cursors are not available: the server reads and caps the rows itself. Page with ORDER BY and LIMIT/OFFSET (or a WHERE on the last key seen).';
    case 'LockStmt':
      return 'Table locks block other sessions.';
    case 'VacuumStmt':
    case 'ClusterStmt':
    case 'ReindexStmt':
    case 'CheckPointStmt':
    case 'RefreshMatViewStmt':
    case 'LoadStmt':
    case 'AlterSystemStmt':
      return `${name} is maintenance or administration, which a read-only connector does not do. Statistics are readable in the pg_stat_* views.`;
    case 'ExplainStmt':
    case 'SelectStmt':
    case 'VariableShowStmt':
      return '';
    default:
      return 'This server is read-only: it never changes the schema, roles, permissions or settings.';
  }
}

/** The refusal of a statement that may not be run at all. */
export function refuseStatement(type: string, body: Body): ToolError {
  const name = statementName(type, body);
  return new ToolError(`\`sql\`: ${name} is not allowed. ${reasonFor(type, name)} ${ALLOWED_SUMMARY}`.replace(/\s+$/, ''));
}

/** Readable words for a node type that may not appear inside a query. */
const NODE_WORDS: Record<string, string> = {
  IntoClause: 'SELECT INTO',
  LockingClause: 'a locking clause (FOR UPDATE / FOR SHARE)',
  SetToDefault: 'DEFAULT',
  CurrentOfExpr: 'WHERE CURRENT OF',
  MultiAssignRef: 'a multi-column assignment',
  MergeSupportFunc: 'merge_action()',
  DefElem: 'an option list',
  RoleSpec: 'a role name',
};

const LOCK_STRENGTHS: Record<string, string> = {
  LCS_FORUPDATE: 'FOR UPDATE',
  LCS_FORNOKEYUPDATE: 'FOR NO KEY UPDATE',
  LCS_FORSHARE: 'FOR SHARE',
  LCS_FORKEYSHARE: 'FOR KEY SHARE',
};

const DATA_MODIFYING = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);

/** The refusal of a node inside a query. `parentType` is the node that holds it; `where` is ` at line L, column C` or ''. */
export function refuseNode(type: string, body: Body, parentType: string | undefined, where: string): ToolError {
  if (type === 'IntoClause') {
    return new ToolError(
      `\`sql\`: SELECT INTO is not allowed${where}: it creates a table. Remove INTO …; a plain SELECT returns the same rows. ${ALLOWED_SUMMARY}`,
    );
  }
  if (type === 'LockingClause') {
    const clause = LOCK_STRENGTHS[String(body.strength)] ?? 'FOR UPDATE / FOR SHARE';
    return new ToolError(
      `\`sql\`: ${clause} is not allowed${where}: row locks block other sessions and need a writable transaction. Remove the ${clause} clause (and NOWAIT / SKIP LOCKED); a plain SELECT reads the same rows.`,
    );
  }
  if (DATA_MODIFYING.has(type) && parentType === 'CommonTableExpr') {
    const name = statementName(type, body);
    return new ToolError(
      `\`sql\`: a data-modifying WITH query (${name} inside WITH …)${where} is not allowed. This server is read-only: every WITH query must be a SELECT, VALUES or TABLE.`,
    );
  }
  if (type.endsWith('Stmt')) {
    const name = statementName(type, body);
    return new ToolError(`\`sql\`: ${name} is not allowed inside a query${where}. ${reasonFor(type, name)} ${ALLOWED_SUMMARY}`.replace(/\s+$/, ''));
  }
  const words = NODE_WORDS[type] ?? camelWords(type).toLowerCase();
  return new ToolError(
    `\`sql\` uses ${words} (${type})${where}, which the read-only policy does not allow. ${ALLOWED_SUMMARY} Rewrite the query without it.`,
  );
}
