// What test/support/global-setup.ts shares with the tests through vitest's provide/inject.
import 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The engine the test cluster runs on. */
    engine: 'system' | 'embedded';
    /** The superuser, connected to the bastion_test database. */
    superuserUrl: string;
    /** bastion_reader (the least-privilege role from readerRoleSql), connected to bastion_test. */
    readerUrl: string;
    /** The superuser, connected to the postgres maintenance database (for CREATE/DROP DATABASE). */
    adminDatabaseUrl: string;
    /** pg_stat_statements is preloaded and created in bastion_test. */
    hasPgStatStatements: boolean;
  }
}
