/**
 * Lines of code stay within 120 columns. Biome's formatter wraps code at that width but leaves long strings and
 * comments alone, and it has no rule for them; this check (part of `npm run lint`) covers what it leaves.
 * Markdown is exempt: its tables are one row per line.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const LIMIT = 120;
const CODE = /\.(ts|tsx|mjs|js|py|css|sql|sh|yaml|yml)$/;

const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { encoding: 'utf8' })
  .split('\n')
  .filter((f) => CODE.test(f) && !f.startsWith('db/migrations/'));
const long: string[] = [];
for (const file of files) {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    continue; // listed by git but deleted in the working tree
  }
  text.split('\n').forEach((line, i) => {
    // Columns as an editor counts them: code points, not UTF-16 units.
    const width = [...line].length;
    if (width > LIMIT) long.push(`${file}:${i + 1}: ${width} columns`);
  });
}
if (long.length) {
  console.error(`${long.length} line(s) over ${LIMIT} columns:\n${long.join('\n')}`);
  process.exit(1);
}
console.log(`${files.length} files, no line over ${LIMIT} columns`);
