import { describe, expect, it } from 'vitest';
import { renderSvg } from '@/app/components/echarts';
import { buildHtml } from '@/lib/report/html';
import { curvesOption, normsOption } from '@/lib/report/charts';
import { parseViewPath } from '@/lib/report/views';

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
});
