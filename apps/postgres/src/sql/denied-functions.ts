// Functions refused whatever the catalog says about them, grouped by why. Some are STABLE in the
// catalog (txid_current) or would pass a volatility check on some versions, and the others get
// a precise reason instead of the generic volatility one. A name matches unqualified and in any
// schema (pg_catalog.pg_sleep is pg_sleep); `qualified` entries match only in that schema (the
// extension's), checked against the query and against what the catalog resolved.

export interface DeniedGroup {
  /** Completes "`sql` calls f(), which …". */
  readonly reason: string;
  /** What to do instead. */
  readonly instead: string;
  readonly names?: readonly string[];
  readonly prefixes?: readonly string[];
  /** `schema.name`, for extension functions whose bare name is too common to refuse everywhere. */
  readonly qualified?: readonly string[];
}

export const DENIED_FUNCTIONS: readonly DeniedGroup[] = [
  {
    reason: 'reads server files or directories',
    instead: 'Query tables and views instead.',
    names: [
      'pg_read_file', 'pg_read_binary_file', 'pg_stat_file', 'pg_ls_dir', 'pg_ls_logdir', 'pg_ls_waldir', 'pg_ls_tmpdir',
      'pg_ls_archive_statusdir', 'pg_ls_logicalsnapdir', 'pg_ls_logicalmapdir', 'pg_ls_replslotdir', 'pg_ls_summariesdir',
      'pg_logdir_ls', 'pg_file_read', 'pg_file_length', 'pg_show_all_file_settings', 'pg_hba_file_rules', 'pg_ident_file_mappings',
    ],
    prefixes: ['pg_read_', 'pg_ls_'],
  },
  {
    reason: 'writes, renames or deletes server files',
    instead: 'This server is read-only.',
    names: ['pg_file_write', 'pg_file_rename', 'pg_file_unlink', 'pg_file_sync'],
    prefixes: ['pg_file_'],
  },
  {
    reason: 'works on large objects (lo_import and lo_export read and write server files, the others write)',
    instead: 'Large objects are not available here; read bytea columns instead.',
    names: ['loread', 'lowrite', 'lo_import', 'lo_export', 'lo_get', 'lo_put', 'lo_from_bytea', 'lo_create', 'lo_creat', 'lo_unlink', 'lo_open', 'lo_close', 'lo_truncate', 'lo_truncate64', 'lo_lseek', 'lo_lseek64', 'lo_tell', 'lo_tell64'],
    prefixes: ['lo_'],
  },
  {
    reason: 'signals other sessions (cancels or terminates their work)',
    instead: 'Look at other sessions in pg_stat_activity; ask an administrator to stop one.',
    names: ['pg_cancel_backend', 'pg_terminate_backend', 'pg_signal_backend', 'pg_log_backend_memory_contexts'],
  },
  {
    reason: 'administers the server (configuration reload, logs, WAL, backups, recovery, replication, statistics resets)',
    instead: 'Read the state through views such as pg_stat_*, pg_replication_slots and pg_settings.',
    names: [
      'pg_reload_conf', 'pg_rotate_logfile', 'pg_rotate_logfile_old', 'pg_promote', 'pg_switch_wal', 'pg_switch_xlog',
      'pg_create_restore_point', 'pg_backup_start', 'pg_backup_stop', 'pg_start_backup', 'pg_stop_backup',
      'pg_wal_replay_pause', 'pg_wal_replay_resume', 'pg_xlog_replay_pause', 'pg_xlog_replay_resume',
      'pg_create_physical_replication_slot', 'pg_create_logical_replication_slot', 'pg_drop_replication_slot',
      'pg_copy_physical_replication_slot', 'pg_copy_logical_replication_slot', 'pg_replication_slot_advance',
      'pg_sync_replication_slots', 'pg_logical_emit_message', 'pg_log_standby_snapshot', 'pg_import_system_collations',
      'pg_stat_statements_reset', 'pg_export_snapshot', 'pg_nextoid', 'pg_stop_making_pinned_objects',
      'pg_restore_relation_stats', 'pg_restore_attribute_stats', 'pg_clear_relation_stats', 'pg_clear_attribute_stats',
      'brin_summarize_new_values', 'brin_summarize_range', 'brin_desummarize_range', 'gin_clean_pending_list',
    ],
    prefixes: ['pg_stat_reset', 'pg_replication_origin_', 'pg_logical_slot_', 'pg_create_', 'pg_copy_', 'binary_upgrade_'],
  },
  {
    reason: 'changes configuration settings (it could turn read-only off or change the search path)',
    instead: "Read a setting with current_setting('name') or SHOW name.",
    names: ['set_config'],
  },
  {
    reason: 'takes or releases advisory locks, which outlive the query and block other sessions',
    instead: 'Look at locks in pg_locks.',
    prefixes: ['pg_advisory_', 'pg_try_advisory_'],
  },
  {
    reason: 'only waits, holding a connection',
    instead: 'Remove the sleep.',
    names: ['pg_sleep', 'pg_sleep_for', 'pg_sleep_until'],
  },
  {
    reason: 'sends a notification to other sessions',
    instead: 'This server is read-only.',
    names: ['pg_notify'],
  },
  {
    reason: 'advances a sequence, a write that is never rolled back',
    instead: 'Read a sequence with SELECT last_value FROM the_sequence or from the pg_sequences view.',
    names: ['nextval', 'setval'],
  },
  {
    reason: 'assigns a transaction id, which a read-only query must not do',
    instead: 'Use pg_current_xact_id_if_assigned() or pg_current_snapshot().',
    names: ['txid_current', 'pg_current_xact_id'],
  },
  {
    reason: "changes the session's random seed",
    instead: 'Call random() without a seed.',
    names: ['setseed'],
  },
  {
    reason: 'runs SQL passed to it as text, which this check cannot see',
    instead: 'Write that SQL as part of the query itself (a subquery or a WITH query), and apply the function to its result (for XML, table_to_xml or xmlagg/xmlelement).',
    names: [
      'query_to_xml', 'query_to_xml_and_xmlschema', 'query_to_xmlschema', 'cursor_to_xml', 'cursor_to_xmlschema',
      'ts_stat', 'ts_rewrite', 'crosstab', 'crosstab2', 'crosstab3', 'crosstab4', 'connectby',
    ],
    prefixes: ['pg_background_'],
  },
  {
    reason: 'connects to another database or server',
    instead: 'Query this database only.',
    names: [
      'http', 'http_get', 'http_post', 'http_put', 'http_patch', 'http_delete', 'http_head', 'http_set_curlopt', 'http_reset_curlopt',
    ],
    prefixes: ['dblink', 'postgres_fdw_'],
    qualified: ['aws_s3.table_import_from_s3', 'aws_s3.query_export_to_s3', 'aws_lambda.invoke', 'net.http_collect_response'],
  },
  {
    reason: 'schedules SQL to run later, outside this check',
    instead: 'This server is read-only; read scheduled jobs from cron.job.',
    qualified: ['cron.schedule', 'cron.schedule_in_database', 'cron.unschedule', 'cron.alter_job'],
  },
];

/** The group that refuses a function of this name (in this schema, when known), if any. */
export function deniedGroup(ref: { readonly schema?: string; readonly name: string }): DeniedGroup | undefined {
  const qualified = ref.schema === undefined ? undefined : `${ref.schema}.${ref.name}`;
  return DENIED_FUNCTIONS.find(
    (group) =>
      group.names?.includes(ref.name) ||
      group.prefixes?.some((prefix) => ref.name.startsWith(prefix)) ||
      (qualified !== undefined && group.qualified?.includes(qualified)),
  );
}

/** TABLESAMPLE methods: the built-in two and the contrib ones (tsm_system_rows, tsm_system_time); they only choose rows. */
export const TABLESAMPLE_METHODS: ReadonlySet<string> = new Set(['system', 'bernoulli', 'system_rows', 'system_time']);
