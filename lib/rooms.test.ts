// The import rules of docs/architecture.md ("Rooms" and "lib/, folder by folder"), checked on the sources: an
// import across rooms is either allowed here and in the docs, or a mistake. Packages are not checked.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..');

/** What each room's non-test sources may import from the repository besides themselves. */
const MAY_IMPORT: Record<string, string[]> = {
  trainer: ['lib/protocol', 'lib/estimate', 'lib/runs'],
  db: [],
  'lib/protocol': [],
  'lib/stats': [],
  lib: ['lib/runs'],
  'lib/estimate': ['lib/protocol'],
  'lib/runs': ['db', 'lib', 'lib/protocol'],
  'lib/ingest': ['db', 'lib', 'lib/protocol', 'lib/runs'],
  'lib/scheduler': ['db', 'lib/ingest', 'lib/runs'],
  'lib/sweep': ['db', 'lib', 'lib/estimate', 'lib/protocol', 'lib/runs', 'lib/scheduler', 'lib/stats', 'trainer'],
  'lib/queries': ['db', 'lib', 'lib/ingest', 'lib/protocol', 'lib/runs', 'lib/stats'],
  'lib/shares': ['lib', 'lib/queries'],
  'lib/annotations': ['db', 'lib', 'lib/queries'],
  'lib/table-formats': ['lib', 'lib/protocol', 'lib/queries', 'lib/stats'],
  'lib/views': ['db', 'lib', 'lib/estimate', 'lib/queries', 'lib/runs', 'lib/stats'],
  'lib/report': ['lib', 'lib/protocol', 'lib/queries', 'lib/views'],
  'lib/reproduce': ['lib', 'lib/estimate', 'lib/protocol', 'lib/queries', 'lib/report', 'lib/stats'],
  'lib/server': ['db', 'lib', 'lib/ingest', 'lib/protocol', 'lib/queries', 'lib/scheduler', 'lib/shares'],
};

/** `lib/queries/series.ts` → `lib/queries`; `lib/env.ts` → `lib`; `trainer/hf/fit.ts` → `trainer`. */
function roomOf(file: string): string {
  const parts = file.split('/');
  if (parts[0] === 'lib') return parts.length > 2 ? `lib/${parts[1]}` : 'lib';
  return parts[0];
}

function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name) && !/\.(test|spec)\.tsx?$/.test(e.name))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)));
}

/** The rooms a file imports from (relative and `@/` specifiers; packages skipped). */
function importedRooms(file: string, text: string): string[] {
  const rooms = new Set<string>();
  for (const m of text.matchAll(/\b(?:from|import)\s*\(?\s*'([^']+)'/g)) {
    const spec = m[1];
    let target: string;
    if (spec.startsWith('@/')) target = spec.slice(2);
    else if (spec.startsWith('.')) target = path.relative(ROOT, path.resolve(ROOT, path.dirname(file), spec));
    else continue;
    // A folder import (`../db`, `./kernels`) is its index file: the room is the folder's, not its parent's.
    const isDir = readdirSync(path.join(ROOT, path.dirname(target))).includes(path.basename(target));
    rooms.add(roomOf(isDir && !/\.\w+$/.test(target) ? `${target}/index` : target));
  }
  return [...rooms];
}

describe('rooms import only what docs/architecture.md allows', () => {
  it('reads a file’s rooms, folder imports included', () => {
    const text = "import { a } from '../ingest/blocks';\nimport type { Db } from '../../db';\nimport x from 'zod';";
    expect(importedRooms('lib/queries/series.ts', text).sort()).toEqual(['db', 'lib/ingest']);
    expect(importedRooms('lib/env.ts', "import { z } from './protocol/config';")).toEqual(['lib/protocol']);
    expect(importedRooms('trainer/backend.ts', "import { installKernels } from './kernels';")).toEqual(['trainer']);
  });

  const rooms = [
    'trainer',
    'db',
    ...readdirSync(path.join(ROOT, 'lib'), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => `lib/${e.name}`),
    'lib',
  ];
  it.each(rooms)('%s', (room) => {
    expect(MAY_IMPORT[room], `${room} has no rule: add one here and in docs/architecture.md`).toBeDefined();
    const files = room === 'lib' ? sources('lib').filter((f) => roomOf(f) === 'lib') : sources(room);
    const wrong: string[] = [];
    for (const file of files) {
      for (const r of importedRooms(file, readFileSync(path.join(ROOT, file), 'utf8'))) {
        if (r !== room && !MAY_IMPORT[room].includes(r)) wrong.push(`${file} imports ${r}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
