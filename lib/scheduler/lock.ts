/**
 * One scheduler per data home, even when two servers share it: an exclusive lock file holding the owner's pid.
 * A lock left by a dead process is taken over.
 */
import fs from 'node:fs';
import path from 'node:path';

function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/\) [ZX] /.test(stat);
  } catch {
    return false;
  }
}

export function acquireLock(home: string, pid = process.pid): { release(): void } | null {
  const file = path.join(home, 'scheduler.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(pid), { flag: 'wx' });
      return {
        release() {
          try {
            if (fs.readFileSync(file, 'utf8') === String(pid)) fs.rmSync(file);
          } catch {
            /* already gone */
          }
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = Number(fs.readFileSync(file, 'utf8'));
      if (owner === pid) return { release: () => fs.rmSync(file, { force: true }) };
      if (Number.isInteger(owner) && owner > 0 && alive(owner)) return null;
      fs.rmSync(file, { force: true });
    }
  }
  return null;
}
