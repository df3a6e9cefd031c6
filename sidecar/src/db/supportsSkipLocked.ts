// FOR UPDATE SKIP LOCKED exists from MySQL 8.0 and MariaDB 10.6 on.
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

export function versionSupportsSkipLocked(version: string): boolean {
  const m = /^(\d+)\.(\d+)/.exec(version);
  if (!m) return false;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return version.toLowerCase().includes('mariadb') ? major > 10 || (major === 10 && minor >= 6) : major >= 8;
}

export async function supportsSkipLocked(db: Kysely<Database>): Promise<boolean> {
  const { rows } = await sql<{ v: string }>`SELECT VERSION() AS v`.execute(db);
  return versionSupportsSkipLocked(rows[0]?.v ?? '');
}
