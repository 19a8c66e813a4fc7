export interface SessionTimeouts {
  readonly statementTimeoutMs: number;
  readonly lockTimeoutMs: number;
  readonly idleInTransactionTimeoutMs: number;
}

/**
 * The commands that open the transaction every call runs in: read only, one snapshot for all of
 * the call's statements, and the limits and string syntax set locally so they end with it. The
 * values are integers validated by the configuration, never caller input.
 */
export function beginReadOnly(timeouts: SessionTimeouts): string[] {
  const local = (name: string, value: string) => `pg_catalog.set_config('${name}', '${value}', true)`;
  const ms = (value: number) => String(Math.trunc(value));
  return [
    'BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY',
    // SET LOCAL, four times in one statement.
    'SELECT ' +
      [
        local('statement_timeout', ms(timeouts.statementTimeoutMs)),
        local('lock_timeout', ms(timeouts.lockTimeoutMs)),
        local('idle_in_transaction_session_timeout', ms(timeouts.idleInTransactionTimeoutMs)),
        // The query policy parses string literals as PostgreSQL does with this on; with it off a
        // backslash could end a literal early and hide a call from the check.
        local('standard_conforming_strings', 'on'),
      ].join(', '),
  ];
}
