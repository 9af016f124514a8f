import { describe, expect, it } from 'vitest';
import { buildHtml, cellText, escapeHtml, exportFileName, safeSvg } from './html';

describe('buildHtml', () => {
  const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="5" height="5"/></svg>';
  it('makes one document with the svg inline and every table number', () => {
    const html = buildHtml({
      title: 'Ablation <γ × K>',
      subtitle: 'sweep s1',
      sections: [
        {
          heading: 'Chart',
          svg,
          table: {
            columns: ['config', 'mean'],
            rows: [
              ['LISA γ=1', 1.2345678],
              ['Full', NaN],
              ['LoRA', null],
            ],
          },
        },
      ],
    });
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<svg xmlns');
    expect(html).toContain('Ablation &lt;γ × K&gt;');
    expect(html).toContain('<td class="num">1.23457</td>');
    expect(html).toContain('>NaN<');
    expect(html).toContain('>—<');
    expect(html).not.toMatch(/<script|<link|src="http/);
  });
  it('escapes text and refuses SVG with scripts or handlers', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    expect(() => safeSvg('<svg><script>alert(1)</script></svg>')).toThrow();
    expect(() => safeSvg('<svg onload="x()"></svg>')).toThrow();
    expect(() => safeSvg('<div></div>')).toThrow();
    expect(safeSvg(`  ${svg} `)).toBe(svg);
  });
  it('formats cells and file names', () => {
    expect(cellText(3)).toBe('3');
    expect(cellText(-Infinity)).toBe('-Infinity');
    expect(cellText(1.5e-5)).toBe('1.5000e-5');
    expect(exportFileName('/sweeps/ab12/table?m=eval/loss')).toBe('layerlab-sweeps-ab12-table.html');
  });
});
