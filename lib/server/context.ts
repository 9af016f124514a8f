/**
 * The server's process-wide state: configuration and the database connection, opened once
 * (cached on globalThis so dev-mode reloads reuse it).
 */
import path from 'node:path';
import { openDatabase, type Connection } from '../../db';
import { readEnv, type Env } from '../env';
import { DB_FILE, ensureDataHome } from '../home';

interface Context {
  env: Env;
  conn: Connection;
}

const holder = globalThis as unknown as { __layerlab?: Context };

export function getContext(): Context {
  if (!holder.__layerlab) {
    const env = readEnv();
    ensureDataHome(env.home);
    const conn = openDatabase(path.join(env.home, DB_FILE));
    holder.__layerlab = { env, conn };
  }
  return holder.__layerlab;
}

export function closeContext(): void {
  holder.__layerlab?.conn.sqlite.close();
  holder.__layerlab = undefined;
}
