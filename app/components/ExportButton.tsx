'use client';
/**
 * "Export HTML": downloads the current view (or `path`) as one self-contained HTML file with its charts as
 * inline SVG and its data tables (GET /api/export). Reads only, so share-link viewers may use it too.
 */
import { usePathname, useSearchParams } from 'next/navigation';
import { Suspense } from 'react';

export function exportHref(path: string): string {
  return `/api/export?path=${encodeURIComponent(path)}`;
}

interface Props {
  /** The view to export, e.g. `/sweeps/<id>/table?m=eval/loss`; default: the current URL. */
  path?: string;
  label?: string;
}

/** Wrapped in Suspense because reading the URL's query needs it in a statically rendered tree. */
export function ExportButton(props: Props) {
  return (
    <Suspense fallback={<span className="button button-secondary">{props.label ?? 'Export HTML'}</span>}>
      <ExportLink {...props} />
    </Suspense>
  );
}

function ExportLink({ path, label = 'Export HTML' }: Props) {
  const pathname = usePathname();
  const search = useSearchParams();
  const qs = search.toString();
  const target = path ?? (qs ? `${pathname}?${qs}` : pathname);
  return (
    <a
      className="button button-secondary"
      href={exportHref(target)}
      download
      data-testid="export-html"
      title="Download this view as one HTML file that opens offline"
    >
      {label}
    </a>
  );
}
