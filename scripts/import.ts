/**
 * `npm run import -- DIR [DIR ...]`: make run folders written by `npm run train` (their events.ndjson) runs of the
 * data home's dashboard (LAYERLAB_HOME, default .layerlab). Importing a folder again reads only the events it
 * gained since (a `--resume`); a running server picks up new folders under its own runs folder by itself
 * (docs/trainer.md, "Runs from the command line in the dashboard").
 */
import path from 'node:path';
import { openDatabase } from '../db';
import { DB_FILE, ensureDataHome } from '../lib/data-home';
import { ConfigError, readEnv } from '../lib/env';
import { ImportError, importRunFolder } from '../lib/ingest/import';

function main(): number {
  const dirs = process.argv.slice(2);
  if (dirs.length === 0 || dirs.some((d) => d.startsWith('--'))) {
    console.error('layerlab import: usage: npm run import -- DIR [DIR ...] (run folders written by npm run train)');
    return 2;
  }
  let home: string;
  try {
    home = ensureDataHome(readEnv().dataHome);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`layerlab import: ${e.message}`);
      return 2;
    }
    throw e;
  }
  const conn = openDatabase(path.join(home, DB_FILE));
  let failed = 0;
  try {
    for (const dir of dirs) {
      try {
        const r = importRunFolder(conn, dir);
        const what = r.created ? `imported as run ${r.runId}` : `already run ${r.runId}`;
        console.log(`${r.dir}: ${what} (${r.status}; ${r.stored} new events)`);
      } catch (e) {
        if (!(e instanceof ImportError)) throw e;
        console.error(`layerlab import: ${e.message}`);
        failed++;
      }
    }
  } finally {
    conn.sqlite.close();
  }
  return failed > 0 ? 2 : 0;
}

process.exitCode = main();
