/**
 * Colour-blind-safe colours (Okabe & Ito, 2008), fixed per method so that a method keeps its colour on every
 * chart of a sweep: full fine-tuning vermillion and LoRA blue (as in the paper's Figure 2), LISA settings the
 * remaining hues in (γ, K) order. Yellow is left out: it is unreadable as a thin line on white.
 */
export const OKABE_ITO = {
  vermillion: '#D55E00',
  blue: '#0072B2',
  green: '#009E73',
  orange: '#E69F00',
  purple: '#CC79A7',
  sky: '#56B4E9',
  black: '#000000',
} as const;

const LISA_HUES = [OKABE_ITO.green, OKABE_ITO.orange, OKABE_ITO.purple, OKABE_ITO.sky, OKABE_ITO.black];
/** Dash patterns that repeat the hue cycle with a second look when there are more settings than hues. */
const DASHES = ['solid', 'dashed', 'dotted'] as const;

export interface SeriesStyle {
  color: string;
  dash: (typeof DASHES)[number];
}

/** Style for the i-th configuration of kind `kind` (i counts within the kind, in the display order). */
export function methodStyle(kind: string, i: number): SeriesStyle {
  if (kind === 'full') return { color: OKABE_ITO.vermillion, dash: DASHES[i % DASHES.length] };
  if (kind === 'lora') return { color: OKABE_ITO.blue, dash: DASHES[i % DASHES.length] };
  return { color: LISA_HUES[i % LISA_HUES.length], dash: DASHES[Math.floor(i / LISA_HUES.length) % DASHES.length] };
}

/** A colour for the i-th run of an ad-hoc list (compare view). */
export function runColour(i: number): string {
  const all = [
    OKABE_ITO.blue,
    OKABE_ITO.vermillion,
    OKABE_ITO.green,
    OKABE_ITO.orange,
    OKABE_ITO.purple,
    OKABE_ITO.sky,
    OKABE_ITO.black,
  ];
  return all[i % all.length];
}

/** Colours for a list of configurations in drawing order (LISA settings numbered among themselves). */
export function colorsFor(methods: readonly string[]): string[] {
  let lisa = 0;
  return methods.map((m) => {
    if (m === 'pretrain') return '#7F7F7F';
    if (m === 'full' || m === 'lora') return methodStyle(m, 0).color;
    if (m === 'lisa') return methodStyle('lisa', lisa++).color;
    return OKABE_ITO.black;
  });
}
