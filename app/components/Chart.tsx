'use client';
/**
 * A chart with a "data" toggle: every chart can show its numbers as a plain table (readable, copyable,
 * and what the end-to-end tests read). Pass the ECharts option and the same numbers as rows.
 */
import { useEffect, useRef, useState } from 'react';
import { formatCell } from '@/lib/format';
import type { DataTable } from '@/lib/views/types';
import type { ChartOption, echarts } from './echarts';
import { loadECharts } from './echarts-loader';

export interface ChartProps {
  /** Used for test ids: `chart-<id>`, `chart-<id>-data`. */
  id: string;
  title: string;
  /** null while the data loads (then `preview`, if any, is shown). */
  option: ChartOption | null;
  data: DataTable;
  height?: number;
  /** Shown under the title, e.g. what the quantity means. */
  caption?: string;
  /**
   * The same chart drawn on the server as SVG (lib/server/previews.ts), shown from the first paint until ECharts
   * has drawn it here: the page shows its chart before its scripts have loaded.
   */
  preview?: string;
}

/** A chart as the server drew it: its SVG, and the note its caption carries (lib/views/charts). */
export interface ChartPreview {
  svg: string;
  note: string | null;
}

export function Chart({ id, title, option, data, height = 360, caption, preview }: ChartProps) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const [showData, setShowData] = useState(false);
  const [drawn, setDrawn] = useState(false);

  // The option to draw: set by the effect below, drawn as soon as ECharts has loaded.
  const latest = useRef(option);
  latest.current = option;

  useEffect(() => {
    let disposed = false;
    let resize: (() => void) | null = null;
    void loadECharts().then(({ echarts: lib }) => {
      if (disposed || !el.current) return;
      const c = lib.init(el.current, null, { renderer: 'canvas' });
      chart.current = c;
      resize = () => c.resize();
      window.addEventListener('resize', resize);
      if (latest.current) draw(c, el.current, latest.current, () => !disposed && setDrawn(true));
    });
    return () => {
      disposed = true;
      if (resize) window.removeEventListener('resize', resize);
      chart.current?.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    if (chart.current && el.current && option) draw(chart.current, el.current, option, () => setDrawn(true));
  }, [option]);

  return (
    <figure className="chart panel" data-testid={`chart-${id}`}>
      <figcaption className="chart-head">
        <strong>{title}</strong>
        <button type="button" className="link-button" aria-pressed={showData} onClick={() => setShowData((s) => !s)}>
          {showData ? 'chart' : 'data'}
        </button>
      </figcaption>
      {caption ? <p className="muted chart-caption">{caption}</p> : null}
      <div className="chart-canvas" style={{ height, display: showData ? 'none' : 'block' }}>
        <div ref={el} style={{ height }} role="img" aria-label={title} />
        {preview && !drawn ? (
          <div
            className="chart-preview"
            data-drawn="preview"
            aria-hidden
            // biome-ignore lint/security/noDangerouslySetInnerHtml: ECharts' SVG from our server (it escapes text)
            dangerouslySetInnerHTML={{ __html: preview }}
          />
        ) : null}
      </div>
      {showData ? (
        <div className="chart-data" style={{ maxHeight: height, overflow: 'auto' }}>
          <table className="grid" data-testid={`chart-${id}-data`}>
            <thead>
              <tr>
                {data.columns.map((c) => (
                  <th key={c}>{c}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {data.rows.map((r, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: rows are positions in the chart's data, never reordered
                <tr key={i}>
                  {r.map((v, j) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: see above
                    <td key={j} className={typeof v === 'number' ? 'num' : undefined}>
                      {formatCell(v)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </figure>
  );
}

/** Draw `option`; `done` runs once it is on screen (ECharts paints on the next animation frame). */
function draw(c: echarts.ECharts, el: HTMLElement, option: ChartOption, done: () => void): void {
  c.setOption(option, { notMerge: true, lazyUpdate: true });
  el.setAttribute('data-drawn', 'true');
  requestAnimationFrame(() => requestAnimationFrame(done));
}
