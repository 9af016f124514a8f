/**
 * The SQLite connection: WAL, a busy timeout, and drizzle migrations applied at open (idempotent).
 */
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import fs from 'node:fs';
import path from 'node:path';
import * as schema from './schema';

/** The drizzle handle; `$client` is the better-sqlite3 connection under it. */
export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };
export interface Connection {
  sqlite: Database.Database;
  db: Db;
  file: string;
}

/** Where the generated migrations live; resolved from the project root (the server's working directory). */
export function migrationsFolder(): string {
  return path.join(process.env.LAYERLAB_ROOT ?? process.cwd(), 'db', 'migrations');
}

export function openDatabase(file: string): Connection {
  const sqlite = new Database(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 10000');
  sqlite.pragma('foreign_keys = ON');
  const db = drizzle(sqlite, { schema });
  migrate(db, { migrationsFolder: migrationsFolder() });
  return { sqlite, db, file };
}

/** The newest migration applied: its tag from the journal and how many have been applied. */
export function schemaVersion(sqlite: Database.Database): { applied: number; latest: string | null } {
  const applied = (sqlite.prepare('SELECT count(*) AS n FROM __drizzle_migrations').get() as { n: number }).n;
  const journalFile = path.join(migrationsFolder(), 'meta', '_journal.json');
  const journal = JSON.parse(fs.readFileSync(journalFile, 'utf8')) as { entries: { idx: number; tag: string }[] };
  const last = journal.entries.at(-1);
  return { applied, latest: last?.tag ?? null };
}

export { schema };
