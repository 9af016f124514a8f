/**
 * The server's process-wide state: configuration, the database connection and the scheduler, created once
 * per process (cached on globalThis so route bundles and dev-mode reloads share them).
 */
import path from 'node:path';
import { openDatabase, type Connection } from '../../db';
import { publicUrl, readEnv, type Env } from '../env';
import { DB_FILE, ensureDataHome } from '../data-home';
import { LocalExecutor } from '../scheduler/local';
import { Scheduler } from '../scheduler/scheduler';
import { planSlots } from '../scheduler/slots';

export interface Context {
  env: Env;
  conn: Connection;
  scheduler: Scheduler;
  root: string;
}

const holder = globalThis as unknown as { __layerlab?: Context };

export function getContext(): Context {
  if (!holder.__layerlab) {
    const env = readEnv();
    ensureDataHome(env.dataHome);
    const conn = openDatabase(path.join(env.dataHome, DB_FILE));
    const root = process.env.LAYERLAB_ROOT ?? process.cwd();
    const scheduler = new Scheduler(conn, new LocalExecutor(root), {
      dataHome: env.dataHome,
      slots: planSlots(env.LAYERLAB_SLOTS),
      publicUrl: publicUrl(env),
    });
    holder.__layerlab = { env, conn, scheduler, root };
  }
  return holder.__layerlab;
}

/** Server start: open the data home, then start scheduling (unless another server already does). */
export function startServer(): Context {
  const ctx = getContext();
  if (!ctx.scheduler.running) ctx.scheduler.start();
  const shutdown = () => {
    ctx.scheduler.stop();
    ctx.conn.sqlite.close();
    holder.__layerlab = undefined;
  };
  process.once('SIGTERM', () => {
    shutdown();
    process.exit(0);
  });
  process.once('SIGINT', () => {
    shutdown();
    process.exit(0);
  });
  return ctx;
}
