/** The slice of a run (GET /api/sweeps/:id → runs[]) that the view builders need. */
export interface RunInfo {
  id: string;
  kind: string;
  label: string;
  status: string;
  seed: number | null;
  gamma: number | null;
  interval: number | null;
  config: Record<string, unknown>;
}

/** One bucket of a downsampled series (lib/queries/series.ts SeriesBucket, as the API sends it). */
export interface Bucket {
  firstStep: number;
  lastStep: number;
  count: number;
  min: number;
  max: number;
  mean: number;
}

export interface DataTable {
  columns: string[];
  rows: (string | number | null)[][];
}

export const LIVE_STATUSES = ['queued', 'running'];

export function anyLive(runs: readonly { status: string }[]): boolean {
  return runs.some((r) => LIVE_STATUSES.includes(r.status));
}
