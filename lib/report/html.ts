/**
 * One self-contained HTML file for a view: title, provenance, and sections of inline SVG charts and data
 * tables. No scripts, no external resources: it opens offline and prints well.
 */
import { formatCell } from '../format';
import type { DataTable } from '../views/types';

export interface HtmlSection {
  heading: string;
  /** Already rendered SVG markup (from ECharts' SSR renderer); inserted as is. */
  svg?: string;
  table?: DataTable;
  note?: string;
}

export interface HtmlDocument {
  title: string;
  /** e.g. the view's path and when it was exported. */
  subtitle?: string;
  sections: HtmlSection[];
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** Numbers as the dashboard's data tables show them. */
export const cellText = formatCell;

/** Only SVG markup is inlined: anything that is not an <svg> element, or that carries a script, is refused. */
export function safeSvg(svg: string): string {
  const t = svg.trim();
  if (!/^<svg[\s>]/i.test(t) || /<script|<foreignObject|\son\w+\s*=/i.test(t))
    throw new Error('refusing to inline unsafe SVG');
  return t;
}

function tableHtml(t: DataTable): string {
  const numeric = t.columns.map((_, j) => t.rows.some((r) => typeof r[j] === 'number'));
  const head = t.columns.map((c, j) => `<th${numeric[j] ? ' class="num"' : ''}>${escapeHtml(c)}</th>`).join('');
  const cell = (v: DataTable['rows'][number][number]) =>
    `<td${typeof v === 'number' ? ' class="num"' : ''}>${escapeHtml(cellText(v))}</td>`;
  const body = t.rows.map((r) => `<tr>${r.map(cell).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

const STYLE = [
  "body{font-family:'Liberation Sans',Helvetica,Arial,sans-serif;color:#1d2433;max-width:1000px;margin:2rem auto;" +
    'padding:0 1rem}',
  'h1{font-size:1.5rem;margin:0 0 .25rem}h2{font-size:1.1rem;margin:2rem 0 .5rem}.sub{color:#5b6472;margin:0 0 1.5rem}',
  'figure{margin:0 0 1rem}svg{max-width:100%;height:auto}table{border-collapse:collapse;width:100%;font-size:.9rem}',
  'th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #dde1e7}th{color:#5b6472}' +
    'td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}',
  '.note{color:#5b6472;font-size:.9rem}footer{margin-top:2rem;color:#5b6472;font-size:.8rem}',
].join('\n');

export function buildHtml(doc: HtmlDocument): string {
  const sections = doc.sections
    .map((s) =>
      [
        `<section><h2>${escapeHtml(s.heading)}</h2>`,
        s.note ? `<p class="note">${escapeHtml(s.note)}</p>` : '',
        s.svg ? `<figure>${safeSvg(s.svg)}</figure>` : '',
        s.table ? tableHtml(s.table) : '',
        '</section>',
      ]
        .filter(Boolean)
        .join('\n'),
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(doc.title)}</title><style>${STYLE}</style></head>
<body><h1>${escapeHtml(doc.title)}</h1>${doc.subtitle ? `<p class="sub">${escapeHtml(doc.subtitle)}</p>` : ''}
${sections}
<footer>Exported from LayerLab. Self-contained: charts are inline SVG, numbers are in the tables.</footer>
</body></html>
`;
}

/** A file name from a view path: `/sweeps/abc/table` → `layerlab-sweeps-abc-table.html`. */
export function exportFileName(viewPath: string): string {
  const slug = viewPath
    .split('?')[0]
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `layerlab-${slug || 'view'}.html`;
}
