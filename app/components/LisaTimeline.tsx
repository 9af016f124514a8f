'use client';
/**
 * The LISA timeline of one run: drawn blocks (or modules) per period, draw counts per block (or module), and for
 * importance sampling the scores behind each draw.
 */
import { useMemo } from 'react';
import { Chart } from './Chart';
import { Empty, ErrorBox, Loading } from './Status';
import { useLive } from './data';
import { countsChart, rowHeight, scoresChart, timelineChart } from '@/lib/views/charts/timeline';
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
    return { t, timeline: timelineChart(t), counts: countsChart(t), scores: scoresChart(t) };
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
  const unit = charts.t.granularity === 'module' ? 'module' : 'block';
  const rows = Math.max(160, rowHeight(charts.t) * charts.t.units.length + 70);
  return (
    <div className="timeline-pair" data-testid="lisa-timeline" data-granularity={charts.t.granularity}>
      <Chart
        id="lisa-timeline"
        title={`LISA timeline${label ? ` — ${label}` : ''}: trainable ${unit}s per period`}
        option={charts.timeline.option}
        data={charts.timeline.data}
        height={rows}
        caption={
          `Green = ${unit} trainable in that period (${charts.t.periods.length} periods). ` +
          'Embedding, position embedding, final LN and head are always trained.'
        }
      />
      <Chart
        id="lisa-counts"
        title={`Draws per ${unit}`}
        option={charts.counts.option}
        data={charts.counts.data}
        height={unit === 'module' ? 280 : 220}
        caption={`Periods in which each ${unit} was drawn; uniform sampling should be roughly flat.`}
      />
      {charts.scores ? (
        <Chart
          id="lisa-scores"
          title="Importance scores behind each draw"
          option={charts.scores.option}
          data={charts.scores.data}
          height={rows}
          caption={
            `Colour = each ${unit}'s score over the largest score of that draw (viridis: dark low, yellow high); ` +
            `white squares = the ${unit}s drawn. Scores come from the period before each draw (docs/trainer.md).`
          }
        />
      ) : null}
    </div>
  );
}
