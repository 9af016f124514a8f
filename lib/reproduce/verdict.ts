/**
 * The verdict on one of the paper's claims, derived from numbers only. A claim is a list of parts; each part is an
 * estimate with its 95% interval (over seeds) and the side of a threshold the paper says it lies on. A part holds
 * when its whole interval is on that side, does not hold when its whole interval is on the other side, and
 * cannot be told when the interval straddles the threshold or there is none (one seed). A computed figure (the
 * planner's, an analytic norm) has no sampling error: its value alone decides.
 */

export type Op = '<' | '<=' | '>' | '>=';

export interface Evidence {
  /** What is measured, e.g. "LISA γ=2 K=10 − LoRA, final eval/loss (paired by seed)". */
  label: string;
  /** The estimate (a mean over seeds, or a computed figure); NaN when there is none. */
  value: number;
  /** 95% interval of the estimate; null with fewer than two seeds or for a computed figure. */
  ci: [number, number] | null;
  /** Seeds (or pairs) behind the estimate; 0 for a computed figure. */
  n: number;
  /** A figure without sampling error (planner, analytic formula, a descriptive ratio). */
  computed?: boolean;
  /** The metric the value is in (lib/format's quantityOf: `eval/loss`, `mem/peak_bytes`); a plain number if absent. */
  key?: string;
  /** The paper's side of the threshold: value `op` than. */
  expect: { op: Op; than: number };
}

export type VerdictKind = 'holds' | 'does not hold' | 'cannot tell';

export interface Verdict {
  kind: VerdictKind;
  /** "holds", "does not hold", "cannot tell (CI overlaps)", "cannot tell (n = 1)", "cannot tell (no data)". */
  text: string;
}

function satisfies(x: number, op: Op, than: number): boolean {
  switch (op) {
    case '<':
      return x < than;
    case '<=':
      return x <= than;
    case '>':
      return x > than;
    case '>=':
      return x >= than;
  }
}

const HOLDS: Verdict = { kind: 'holds', text: 'holds' };
const FAILS: Verdict = { kind: 'does not hold', text: 'does not hold' };

export function partVerdict(e: Evidence): Verdict {
  if (!Number.isFinite(e.value)) return { kind: 'cannot tell', text: 'cannot tell (no data)' };
  const range: [number, number] | null = e.computed ? [e.value, e.value] : e.ci;
  if (!range?.every(Number.isFinite)) {
    return { kind: 'cannot tell', text: e.n <= 1 ? 'cannot tell (n = 1)' : 'cannot tell (no interval)' };
  }
  const lo = satisfies(range[0], e.expect.op, e.expect.than);
  const hi = satisfies(range[1], e.expect.op, e.expect.than);
  if (lo && hi) return HOLDS;
  if (!lo && !hi) return FAILS;
  return { kind: 'cannot tell', text: 'cannot tell (CI overlaps)' };
}

/** A claim holds when every part holds, does not hold when any part does not, and cannot be told otherwise. */
export function claimVerdict(parts: readonly Evidence[]): Verdict {
  if (parts.length === 0) return { kind: 'cannot tell', text: 'cannot tell (no data)' };
  const verdicts = parts.map(partVerdict);
  if (verdicts.some((v) => v.kind === 'does not hold')) return FAILS;
  if (verdicts.every((v) => v.kind === 'holds')) return HOLDS;
  return verdicts.find((v) => v.kind === 'cannot tell')!;
}
