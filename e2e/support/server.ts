/**
 * A LayerLab server of a test's own: `next start` on the build that the suite's webServer made, on a free
 * port and a fresh data home, in its own process group so a test can SIGKILL it and start it again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface OwnServer {
  url: string;
  home: string;
  port: number;
  kill(signal?: NodeJS.Signals): Promise<void>;
  start(): Promise<void>;
  log(): string;
}

/** A TCP port nothing listens on right now (the OS picks one). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export async function ownServer(env: Record<string, string> = {}): Promise<OwnServer> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'layerlab-own-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logFile = path.join(home, 'server.log');
  let child: ChildProcess | null = null;

  const start = async () => {
    const out = fs.openSync(logFile, 'a');
    child = spawn(path.resolve('node_modules/.bin/next'), ['start', '-H', '127.0.0.1', '-p', String(port)], {
      detached: true,
      stdio: ['ignore', out, out],
      env: {
        ...process.env,
        LAYERLAB_HOME: home,
        PORT: String(port),
        LAYERLAB_ADMIN_TOKEN: '',
        NEXT_TELEMETRY_DISABLED: '1',
        ...env,
      },
    });
    fs.closeSync(out);
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      try {
        const res = await fetch(`${url}/api/health`);
        if (res.ok) return;
      } catch {
        /* not up yet */
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`server on ${url} did not start; log:\n${fs.readFileSync(logFile, 'utf8')}`);
  };

  const kill = async (signal: NodeJS.Signals = 'SIGTERM') => {
    const c = child;
    if (!c?.pid) return;
    const exited = new Promise<void>((r) => c.once('exit', () => r()));
    try {
      process.kill(-c.pid, signal);
    } catch {
      return;
    }
    await exited;
    child = null;
  };

  await start();
  return { url, home, port, kill, start, log: () => fs.readFileSync(logFile, 'utf8') };
}
