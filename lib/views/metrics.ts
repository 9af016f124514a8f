/** Axis names with units, and which metrics read best on a log axis, for the series keys the trainer writes. */
export interface MetricInfo {
  key: string;
  /** Axis title with unit. */
  axis: string;
  /** Log axis by default (the quantity spans decades). */
  log: boolean;
  /** Multiply raw values by this for display (bytes → MiB). */
  scale: number;
}

const KNOWN: Record<string, Omit<MetricInfo, 'key'>> = {
  'train/loss': { axis: 'training loss (nats / token)', log: false, scale: 1 },
  'eval/loss': { axis: 'eval loss (nats / token)', log: false, scale: 1 },
  'eval/ppl': { axis: 'eval perplexity', log: true, scale: 1 },
  'eval/accuracy': { axis: 'eval accuracy (fraction)', log: false, scale: 1 },
  lr: { axis: 'learning rate', log: true, scale: 1 },
  step_ms: { axis: 'step time (ms)', log: false, scale: 1 },
  tokens_per_s: { axis: 'throughput (tokens / s; plain steps only)', log: false, scale: 1 },
  loss_tokens_per_s: { axis: 'loss tokens / s (plain steps only)', log: false, scale: 1 },
  tokens: { axis: 'tokens per step (padding included)', log: false, scale: 1 },
  loss_tokens: { axis: 'loss tokens per step (not padding; fine-tuning: response only)', log: false, scale: 1 },
  grad_norm: { axis: 'gradient norm before clipping (parameters trained this step)', log: true, scale: 1 },
  'grad_norm/all': {
    axis: 'gradient norm before clipping (every trainable parameter, frozen too)',
    log: true,
    scale: 1,
  },
  'mem/tensor_bytes': { axis: 'tensor memory (MiB)', log: false, scale: 1 / 2 ** 20 },
  'mem/peak_bytes': { axis: 'peak memory (MiB)', log: false, scale: 1 / 2 ** 20 },
  'mem/rss_bytes': { axis: 'resident memory (MiB)', log: false, scale: 1 / 2 ** 20 },
  'mem/wasm_heap_bytes': { axis: 'WASM heap (MiB)', log: false, scale: 1 / 2 ** 20 },
};

export function metricInfo(key: string): MetricInfo {
  return { key, ...(KNOWN[key] ?? { axis: key, log: false, scale: 1 }) };
}

/** Keys offered in selectors, in this order, before any other key a run recorded. */
export const COMMON_KEYS = [
  'train/loss',
  'eval/loss',
  'eval/ppl',
  'eval/accuracy',
  'lr',
  'tokens_per_s',
  'step_ms',
  'mem/peak_bytes',
  'mem/rss_bytes',
];

export function sortKeys(keys: Iterable<string>): string[] {
  const rank = (k: string) => {
    const i = COMMON_KEYS.indexOf(k);
    return i < 0 ? COMMON_KEYS.length : i;
  };
  return [...new Set(keys)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}
