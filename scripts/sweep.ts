/**
 * `npm run sweep -- FILE [--dry-run] [--url URL]`: send a sweep spec (YAML or JSON) to a running LayerLab server
 * and print what it made: the runs (a dry run: each run's estimate and, for a command sweep, its command line).
 * A command sweep without `workdir` runs in the spec file's folder (docs/command-sweeps.md). The server is
 * --url, else LAYERLAB_URL, else http://HOST:PORT; LAYERLAB_ADMIN_TOKEN is sent when set.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { withDefaultWorkdir } from '../lib/sweep/command';

interface Answer {
  id?: string;
  error?: string;
  problems?: { path: string; message: string }[];
  runs?: { id?: string; key?: string; label: string; commandLine?: string; estimate?: { seconds: number } }[];
  pretrain?: { label: string } | null;
  totals?: { runs: number; parallelSeconds: number };
}

function usage(message: string): never {
  console.error(`layerlab sweep: ${message}\nusage: npm run sweep -- FILE [--dry-run] [--url URL]`);
  process.exit(2);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const dry = args.includes('--dry-run');
  const at = args.indexOf('--url');
  const url = (at >= 0 ? args[at + 1] : undefined) ?? process.env.LAYERLAB_URL ?? serverUrl();
  const file = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--url');
  if (!file) usage('no spec file given');
  if (!fs.existsSync(file)) usage(`no such file: ${file}`);
  const text = fs.readFileSync(file, 'utf8');
  const filled = withDefaultWorkdir(text, path.dirname(path.resolve(file)), parse);
  const type = /\.json$/i.test(file) ? 'application/json' : 'application/yaml';
  const headers: Record<string, string> = {
    'content-type': filled?.contentType ?? type,
    // Says "from this site": a server without an admin token takes command sweeps only with it.
    'x-layerlab-request': '1',
  };
  if (process.env.LAYERLAB_ADMIN_TOKEN) headers.authorization = `Bearer ${process.env.LAYERLAB_ADMIN_TOKEN}`;
  let res: Response;
  try {
    res = await fetch(`${url.replace(/\/+$/, '')}/api/sweeps${dry ? '?dryRun=1' : ''}`, {
      method: 'POST',
      body: filled?.body ?? text,
      headers,
    });
  } catch (e) {
    console.error(`layerlab sweep: cannot reach ${url} (${(e as Error).message}); is the server running?`);
    process.exit(1);
  }
  const answer = (await res.json()) as Answer;
  if (!res.ok) {
    console.error(`layerlab sweep: ${answer.error ?? res.statusText}`);
    for (const p of answer.problems ?? []) console.error(`  ${p.path ? `${p.path}: ` : ''}${p.message}`);
    process.exit(1);
  }
  if (dry) {
    if (answer.pretrain) console.log(`pretrain  ${answer.pretrain.label}`);
    for (const r of answer.runs ?? []) {
      console.log(`${r.key}  ${r.label}  ~${Math.round(r.estimate?.seconds ?? 0)} s`);
      if (r.commandLine) console.log(`  $ ${r.commandLine}`);
    }
    console.log(`${answer.totals?.runs} runs; about ${Math.round(answer.totals?.parallelSeconds ?? 0)} s in all`);
    return;
  }
  console.log(`sweep ${answer.id}: ${answer.runs?.length} runs  ${url.replace(/\/+$/, '')}/sweeps/${answer.id}`);
  for (const r of answer.runs ?? []) console.log(`  ${r.id}  ${r.label}`);
}

function serverUrl(): string {
  const host = process.env.HOST && process.env.HOST !== '0.0.0.0' ? process.env.HOST : '127.0.0.1';
  return `http://${host}:${process.env.PORT ?? 3000}`;
}

void main();
