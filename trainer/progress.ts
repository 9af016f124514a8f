/**
 * The trainer in a terminal: one progress line (bar, step, loss, speed, ETA) redrawn in place on stderr, with
 * the CLI's messages printed above it. Driven by the run's own events, so it shows exactly what the events file
 * records. Used only when stderr is a terminal; elsewhere (a server's stderr log) progress stays line by line.
 */
import type { RunEvent } from '../lib/protocol/index';

export interface TerminalOut {
  write(text: string): unknown;
  columns?: number;
}

/** `1:05`, `12:00:07`; `—` when unknown. */
export function clock(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  const hms = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const pad = (n: number) => String(n).padStart(2, '0');
  return hms[0] > 0 ? `${hms[0]}:${pad(hms[1])}:${pad(hms[2])}` : `${hms[1]}:${pad(hms[2])}`;
}

/** The bar line for `step` of `total`: `[████████░░░░░░] 120/300  40%  loss 3.2145  eta 0:42`. */
export function progressLine(
  p: { step: number; total: number; loss?: number; eta?: number; stepsPerS?: number },
  columns = 80,
): string {
  const frac = p.total > 0 ? Math.min(1, p.step / p.total) : 0;
  const pct = `${Math.floor(frac * 100)}%`.padStart(4);
  const parts = [`${p.step}/${p.total}`, pct];
  if (p.loss !== undefined) parts.push(`loss ${Number.isFinite(p.loss) ? p.loss.toFixed(4) : String(p.loss)}`);
  if (p.stepsPerS !== undefined && p.stepsPerS > 0) parts.push(`${p.stepsPerS.toFixed(1)} steps/s`);
  parts.push(`eta ${clock(p.eta ?? Number.NaN)}`);
  const text = parts.join('  ');
  const width = Math.max(10, Math.min(40, columns - text.length - 4));
  const filled = Math.round(frac * width);
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${text}`;
}

const CLEAR = '\r\x1b[K';

export class TerminalProgress {
  private total = 0;
  private step = 0;
  private loss: number | undefined;
  /** Step and time of the first metrics of this process: speed and ETA count only what this process trained. */
  private first: { step: number; at: number } | null = null;
  private shown = '';
  private lastDraw = 0;

  constructor(
    private readonly out: TerminalOut,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** A message above the bar. */
  say(line: string): void {
    this.out.write(`${this.shown ? CLEAR : ''}${line}\n`);
    if (this.shown) this.out.write(this.shown);
  }

  /** Follow the run's events: the total from run_started, step and loss from metrics; the bar ends with the run. */
  onEvent(e: RunEvent): void {
    if (e.type === 'run_started') {
      this.total = Number(e.config.steps) || 0;
      this.step = e.resumedFrom ?? 0;
    } else if (e.type === 'metrics') {
      this.step = e.step;
      const loss = e.values['train/loss'];
      if (loss !== undefined) this.loss = loss;
      if (!this.first) this.first = { step: e.step, at: this.now() };
      this.draw(e.step === this.total);
    } else if (e.type === 'finished' || e.type === 'failed') {
      this.draw(true);
      this.end();
    }
  }

  /** Leave the last bar on its own line. */
  end(): void {
    if (this.shown) this.out.write('\n');
    this.shown = '';
  }

  private draw(force: boolean): void {
    const t = this.now();
    if (!force && t - this.lastDraw < 100) return;
    this.lastDraw = t;
    let eta: number | undefined;
    let stepsPerS: number | undefined;
    if (this.first && this.step > this.first.step) {
      const seconds = (t - this.first.at) / 1000;
      const done = this.step - this.first.step;
      if (seconds > 0) {
        stepsPerS = done / seconds;
        eta = (this.total - this.step) / stepsPerS;
      }
    }
    if (this.step >= this.total) eta = 0;
    const at = { step: this.step, total: this.total, loss: this.loss, eta, stepsPerS };
    const line = progressLine(at, this.out.columns || 80);
    this.out.write(`${CLEAR}${line}`);
    this.shown = line;
  }
}
