// Volatile functions that are harmless reads and common in real queries. VOLATILE in pg_proc
// means "may return something else on every call", which includes clocks, random numbers and
// sizes that change under concurrent writes, not only side effects. Each entry says why it is
// harmless and where the genuine function lives: in pg_catalog (built-in) or in a named extension.
// A volatile candidate anywhere else (a user-defined public.random(int)) does not ride on the entry.

export interface SafeVolatile {
  readonly why: string;
  /** The built-in function in pg_catalog is the safe one. */
  readonly builtin?: true;
  /** Extensions whose function of this name is the safe one (pg_depend deptype 'e'). */
  readonly extensions?: readonly string[];
}

const clock: SafeVolatile = { builtin: true, why: 'reads the clock' };
const random: SafeVolatile = { builtin: true, why: 'returns random values; changes no state (setseed is refused)' };
const size: SafeVolatile = { builtin: true, why: 'reads on-disk sizes (volatile only because sizes change under concurrent writes)' };
const wal: SafeVolatile = { builtin: true, why: 'reads the WAL or recovery position' };
const locks: SafeVolatile = { builtin: true, why: 'reads the lock table' };
const xact: SafeVolatile = { builtin: true, why: 'reads the commit status of a transaction' };
const control: SafeVolatile = { builtin: true, why: 'reads pg_control (privileged; PostgreSQL checks the role)' };
const memory: SafeVolatile = { builtin: true, why: 'reads memory statistics (privileged; PostgreSQL checks the role)' };

export const VOLATILE_BUT_SAFE: Readonly<Record<string, SafeVolatile>> = {
  random, random_normal: random, array_shuffle: random, array_sample: random, uuidv4: random, uuidv7: random,
  gen_random_uuid: { builtin: true, extensions: ['pgcrypto'], why: 'returns a random UUID; changes no state' },
  gen_random_bytes: { extensions: ['pgcrypto'], why: 'returns random bytes; changes no state' },
  gen_salt: { extensions: ['pgcrypto'], why: 'returns a random salt; changes no state' },
  uuid_generate_v1: { extensions: ['uuid-ossp'], why: 'returns a new UUID; changes no state' },
  uuid_generate_v1mc: { extensions: ['uuid-ossp'], why: 'returns a new UUID; changes no state' },
  uuid_generate_v4: { extensions: ['uuid-ossp'], why: 'returns a random UUID; changes no state' },
  clock_timestamp: clock, timeofday: clock,
  pg_database_size: size, pg_relation_size: size, pg_table_size: size, pg_indexes_size: size,
  pg_total_relation_size: size, pg_tablespace_size: size,
  pg_is_in_recovery: wal, pg_current_wal_lsn: wal, pg_current_wal_insert_lsn: wal, pg_current_wal_flush_lsn: wal,
  pg_last_wal_receive_lsn: wal, pg_last_wal_replay_lsn: wal, pg_last_xact_replay_timestamp: wal,
  pg_is_wal_replay_paused: wal, pg_get_wal_replay_pause_state: wal,
  pg_blocking_pids: locks, pg_safe_snapshot_blocking_pids: locks, pg_lock_status: locks,
  pg_xact_status: xact, txid_status: xact, pg_xact_commit_timestamp: xact, pg_xact_commit_timestamp_origin: xact,
  pg_last_committed_xact: xact,
  pg_partition_tree: { builtin: true, why: 'reads the partition hierarchy' },
  pg_partition_ancestors: { builtin: true, why: 'reads the partition hierarchy' },
  pg_sequence_last_value: { builtin: true, why: 'reads a sequence without advancing it (pg_sequences uses it)' },
  pg_notification_queue_usage: { builtin: true, why: 'reads how full the notification queue is' },
  pg_jit_available: { builtin: true, why: 'reads whether JIT is available' },
  pg_control_checkpoint: control, pg_control_system: control, pg_control_init: control, pg_control_recovery: control,
  pg_get_backend_memory_contexts: memory, pg_get_shmem_allocations: memory,
  pg_stat_statements: { extensions: ['pg_stat_statements'], why: 'reads query statistics' },
  pg_stat_statements_info: { extensions: ['pg_stat_statements'], why: 'reads query statistics' },
  pgstattuple: { extensions: ['pgstattuple'], why: 'reads pages to report bloat; writes nothing' },
  pgstattuple_approx: { extensions: ['pgstattuple'], why: 'reads pages to report bloat; writes nothing' },
  pgstatindex: { extensions: ['pgstattuple'], why: 'reads index pages to report bloat; writes nothing' },
  pgstatginindex: { extensions: ['pgstattuple'], why: 'reads index pages; writes nothing' },
  pgstathashindex: { extensions: ['pgstattuple'], why: 'reads index pages; writes nothing' },
  pg_relpages: { extensions: ['pgstattuple'], why: 'reads the page count; writes nothing' },
  pg_buffercache_pages: { extensions: ['pg_buffercache'], why: 'reads the shared buffer cache' },
  pg_buffercache_summary: { extensions: ['pg_buffercache'], why: 'reads the shared buffer cache' },
  pg_buffercache_usage_counts: { extensions: ['pg_buffercache'], why: 'reads the shared buffer cache' },
  pg_freespace: { extensions: ['pg_freespacemap'], why: 'reads the free space map' },
};

/** Name prefixes of built-in read-only functions (the statistics accessors behind the pg_stat_* views; volatile before PostgreSQL 17). */
export const VOLATILE_BUT_SAFE_PREFIXES: Readonly<Record<string, SafeVolatile>> = {
  pg_stat_get_: { builtin: true, why: 'reads cumulative statistics' },
};

/** Whether a volatile catalog function is the harmless one that its name stands for. */
export function isSafeVolatile(candidate: { readonly schema: string; readonly name: string; readonly extension: string | null }): boolean {
  const entry =
    (Object.hasOwn(VOLATILE_BUT_SAFE, candidate.name) ? VOLATILE_BUT_SAFE[candidate.name] : undefined) ??
    Object.entries(VOLATILE_BUT_SAFE_PREFIXES).find(([prefix]) => candidate.name.startsWith(prefix))?.[1];
  if (!entry) return false;
  if (entry.builtin && candidate.schema === 'pg_catalog' && candidate.extension === null) return true;
  return candidate.extension !== null && (entry.extensions?.includes(candidate.extension) ?? false);
}
