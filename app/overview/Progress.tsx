/** A thin progress bar with its text beside it. */
export function Progress({ done, total, text }: { done: number; total: number; text?: string }) {
  const pct = total > 0 ? Math.min(100, (100 * done) / total) : 0;
  return (
    <span className="progress-cell">
      <span
        className="progress"
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(pct)}
      >
        <span style={{ width: `${pct}%` }} />
      </span>{' '}
      <span className="muted">{text ?? `${done}/${total || '?'}`}</span>
    </span>
  );
}
