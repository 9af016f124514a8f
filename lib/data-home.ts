/**
 * The data home: the SQLite file and one folder per run. Created when missing; an unusable one is a clear error.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from './env';
import { runsRoot } from './runs/layout';

export const DB_FILE = 'layerlab.db';

export function ensureDataHome(dataHome: string): string {
  try {
    fs.mkdirSync(runsRoot(dataHome), { recursive: true });
  } catch (e) {
    const why = whyNotCreatable(dataHome) ?? (e as NodeJS.ErrnoException).code ?? String(e);
    throw new ConfigError(`cannot create the data home ${dataHome}: ${why}. Set LAYERLAB_HOME to a writable folder.`);
  }
  try {
    fs.accessSync(dataHome, fs.constants.W_OK | fs.constants.R_OK);
    const probe = path.join(dataHome, `.write-probe-${process.pid}`);
    fs.writeFileSync(probe, 'ok');
    fs.rmSync(probe);
  } catch (e) {
    throw new ConfigError(
      `the data home ${dataHome} is not writable (${(e as NodeJS.ErrnoException).code ?? String(e)}). ` +
        'Fix its permissions or set LAYERLAB_HOME to a writable folder.',
    );
  }
  return dataHome;
}

/** A recursive mkdir reports ENOENT even when the real cause is a read-only or foreign parent: find it. */
function whyNotCreatable(dataHome: string): string | null {
  let dir = path.resolve(dataHome);
  while (!fs.existsSync(dir)) {
    const up = path.dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
  try {
    fs.accessSync(dir, fs.constants.W_OK);
    return null;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    return `${code} (${dir} is ${code === 'EROFS' ? 'read-only' : 'not writable'})`;
  }
}
