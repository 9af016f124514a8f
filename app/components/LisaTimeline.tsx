'use client';
/** The LISA timeline of one run: active blocks per period, and activation counts per block. */
import { useMemo } from 'react';
import { Chart } from './Chart';
import { Empty, ErrorBox, Loading } from './Status';
import { useLive } from './data';
import { countsChart, timelineChart } from '@/lib/views/charts/timeline';
import type { RunRecord } from '@/lib/queries/runs';
import type { blocksFromGroups } from '@/lib/views/timeline';
import { lisaTimeline, type Period } from '@/lib/views/timeline';

/** GET /api/runs/:id/periods: the run's total steps, its block count and lib/queries/run-details.ts periods. */
interface PeriodsJson {
  runId: RunRecord['id'];
  totalSteps: RunRecord['totalSteps'];
  blocks: ReturnType<typeof blocksFromGroups>;
  periods: Period[];
}

export function LisaTimeline({ runId, live, label }: { runId: string; live: boolean; label?: string }) {
  const q = useLive<PeriodsJson>(['periods', runId], `/api/runs/${runId}/periods`, live);
  const charts = useMemo(() => {
    if (!q.data) return null;
    const t = lisaTimeline(q.data.periods, q.data.blocks, q.data.totalSteps);
    return { t, timeline: timelineChart(t), counts: countsChart(t) };
  }, [q.data]);
  if (q.error) return <ErrorBox error={q.error} what="the LISA timeline" />;
  if (!charts) return <Loading what="the LISA timeline" />;
  if (charts.t.periods.length === 0) {
    return (
      <Empty title="No LISA periods">
        <p>
          {live
            ? 'The first period starts with the first step.'
            : 'Only LISA runs sample active blocks; choose a LISA run.'}
        </p>
      </Empty>
    );
  }
  return (
    <div className="timeline-pair" data-testid="lisa-timeline">
      <Chart
        id="lisa-timeline"
        title={`LISA timeline${label ? ` — ${label}` : ''}: trainable blocks per period`}
        option={charts.timeline.option}
        data={charts.timeline.data}
        height={Math.max(160, 26 * charts.t.nBlocks + 70)}
        caption={
          `Green = block trainable in that period (${charts.t.periods.length} periods). ` +
          'Embedding, position embedding, final LN and head are always trained.'
        }
      />
      <Chart
        id="lisa-counts"
        title="Activations per block"
        option={charts.counts.option}
        data={charts.counts.data}
        height={220}
        caption="Periods in which each block was drawn; uniform sampling should be roughly flat."
      />
    </div>
  );
}
