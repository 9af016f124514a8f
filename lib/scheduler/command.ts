/**
 * The exit wrapper of command runs: a few lines of Node that start the researcher's program from an argument
 * vector (no shell), wait for it, and write how it ended into the run folder's exit record (`exit.json`,
 * lib/runs/layout.ts) — so a server that restarts while the program runs still learns its exit code. It is the
 * leader of the process group the program inherits: a signal to the group reaches the program, and the wrapper
 * itself ignores SIGTERM/SIGINT/SIGHUP to outlive it and record the result.
 */
import { exitFile } from '../runs/layout';
import type { LaunchSpec } from './executor';

// Run with `node -e`: process.argv is [node, exitFile, program, ...args]. A constant: nothing is spliced into it.
const WRAPPER = `
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const [exitFile, file, ...args] = process.argv.slice(1);
const record = (r) => {
  fs.writeFileSync(exitFile + '.tmp', JSON.stringify({ ...r, time: new Date().toISOString() }) + '\\n');
  fs.renameSync(exitFile + '.tmp', exitFile);
};
for (const s of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(s, () => {});
const child = spawn(file, args, { stdio: 'inherit' });
child.on('error', (e) => {
  process.stderr.write('could not start ' + file + ': ' + e.message + '\\n');
  record({ code: 127, signal: null, error: e.message });
  process.exit(127);
});
child.on('exit', (code, signal) => {
  record({ code, signal });
  process.exit(code === null ? 1 : code);
});
`;

/** The argument vector that runs a command run's program under the exit wrapper. */
export function wrappedCommand(spec: LaunchSpec): { file: string; args: string[] } {
  if (!spec.command) throw new Error(`run ${spec.runId} has no command`);
  const [program, ...args] = spec.command.argv;
  if (!program) throw new Error(`run ${spec.runId} has an empty command`);
  return { file: process.execPath, args: ['-e', WRAPPER, exitFile(spec.dir), program, ...args] };
}
