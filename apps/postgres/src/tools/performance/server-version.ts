import type { Session } from '../../db/session.js';

/** server_version_num, e.g. 150018, for catalog columns that differ between versions. */
export async function serverVersion(session: Session): Promise<number> {
  const [row] = await session.query<{ version: number }>("select pg_catalog.current_setting('server_version_num')::int as version");
  return row?.version ?? 0;
}
