import type { RunRecord } from '../../lib/queries/runs';
import { specPreset } from '../../lib/sweep/presets';

/** The built-in nano demo spec, as the YAML a user would POST. */
export function nanoDemoYaml(): string {
  const preset = specPreset('nano-demo');
  if (!preset) throw new Error('the nano-demo preset is missing from lib/sweep/presets.ts');
  return preset.yaml;
}

/** The fields of a sweep's runs (GET /api/sweeps/:id, lib/queries/runs.ts RunRecord) that the specs read. */
export type RunJson = Pick<RunRecord, 'id' | 'kind' | 'status' | 'dir' | 'lastSeq' | 'gamma' | 'interval'>;

export async function waitForSweep(
  url: string,
  sweepId: string,
  timeoutMs: number,
  until: (runs: RunJson[]) => boolean,
): Promise<RunJson[]> {
  const deadline = Date.now() + timeoutMs;
  let runs: RunJson[] = [];
  while (Date.now() < deadline) {
    const res = await fetch(`${url}/api/sweeps/${sweepId}`);
    if (res.ok) {
      runs = ((await res.json()) as { runs: RunJson[] }).runs;
      if (until(runs)) return runs;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`sweep ${sweepId} timed out: ${runs.map((r) => `${r.id}:${r.status}`).join(', ')}`);
}

export const ENDED = ['finished', 'failed', 'diverged', 'cancelled'];
