import { describe, expect, it } from 'vitest';
import { renderSvg } from '@/app/components/echarts';
import { buildHtml } from '@/lib/report/html';
import { curvesOption, normsOption } from '@/lib/report/charts';
import { exportView, parseViewPath } from '@/lib/report/views';
import { seedAblationSweep, tempDatabase } from '@/lib/ingest/testing';

describe('export rendering', () => {
  it('renders the export charts to inline SVG', () => {
    const curves = renderSvg(
      curvesOption(
        [
          {
            name: 'Full',
            color: '#D55E00',
            data: [
              [0, 5],
              [10, 4],
            ],
          },
        ],
        'train/loss',
      ),
      600,
      300,
    );
    const norms = renderSvg(
      normsOption(
        ['embed', 'block.0', 'head'],
        [{ name: 'LoRA', color: '#0072B2', data: [300, 13, null] }],
        'trainable',
      ),
      600,
      300,
    );
    const html = buildHtml({
      title: 't',
      sections: [
        { heading: 'c', svg: curves },
        { heading: 'n', svg: norms },
      ],
    });
    expect(html.match(/<svg/g)).toHaveLength(2);
    expect(html).toContain('training step');
  });
  it('parses view paths', () => {
    expect(parseViewPath('/sweeps/ab_1/table?m=eval/loss')).toMatchObject({ kind: 'table', sweepId: 'ab_1' });
    expect(parseViewPath('/sweeps/ab_1')?.kind).toBe('curves');
    expect(parseViewPath('/sweeps/new')).toBeNull();
    expect(parseViewPath('/runs/x')).toBeNull();
  });
  it('renders the page’s curves with their band and per-seed traces to SVG', () => {
    const t = tempDatabase();
    try {
      seedAblationSweep(t.conn.sqlite, {
        sweepId: 'sv',
        gammas: [1],
        intervals: [5],
        seeds: [1, 2],
        steps: 6,
        evalEvery: 3,
        finalLoss: (r) => 2 + r.seed / 10,
      });
      const view = exportView(t.conn.sqlite, parseViewPath('/sweeps/sv?b=mm&t=1&log=1')!)!;
      const svg = renderSvg(view.sections[0].option!, 600, 300);
      // The band is a filled polygon at the page's opacity; the seed traces are thin lines.
      expect(svg).toMatch(/fill-opacity="0\.18"/);
      expect(svg.match(/stroke-width="0\.8" stroke-opacity="0\.45"/g)?.length).toBe(2);
    } finally {
      t.close();
    }
  });
});
