/** Small fixed vocabularies shared by the generated corpora. Changing them changes every preset's data. */

const list = (s: string): readonly string[] => s.trim().split(/\s+/);

export const NOUNS = list(`
  apple river garden window teacher farmer doctor bird horse kitten puppy rabbit table chair lamp book
  letter bottle basket castle bridge village forest mountain island ocean lake field road market shop
  school library kitchen candle mirror pencil ticket wagon boat train cloud stone flower tree seed leaf
  blanket button jacket hat boot ring coin drum song story dream idea plan map key door wall roof tower
  engine robot cookie sandwich orange lemon tomato carrot potato onion cake pie cup plate spoon bowl
  student player singer painter writer sailor driver baker builder artist friend neighbor stranger king
`);

export const ADJECTIVES = list(`
  small large quiet loud bright dark warm cold old young happy sad quick slow gentle brave clever calm
  busy lazy heavy light soft hard tall short green blue red yellow purple golden silver wooden empty full
  clean dirty strange famous hungry tired careful friendly lucky simple rich poor wild sweet sour fresh
`);

/** [present, past] pairs of transitive verbs. */
export const VERBS: readonly (readonly [string, string])[] = [
  ['find', 'found'],
  ['see', 'saw'],
  ['carry', 'carried'],
  ['paint', 'painted'],
  ['build', 'built'],
  ['open', 'opened'],
  ['close', 'closed'],
  ['clean', 'cleaned'],
  ['draw', 'drew'],
  ['buy', 'bought'],
  ['sell', 'sold'],
  ['lift', 'lifted'],
  ['move', 'moved'],
  ['visit', 'visited'],
  ['watch', 'watched'],
  ['follow', 'followed'],
  ['push', 'pushed'],
  ['pull', 'pulled'],
  ['fix', 'fixed'],
  ['hide', 'hid'],
  ['bring', 'brought'],
  ['take', 'took'],
  ['give', 'gave'],
  ['hold', 'held'],
  ['read', 'read'],
  ['write', 'wrote'],
  ['count', 'counted'],
  ['catch', 'caught'],
  ['throw', 'threw'],
  ['wash', 'washed'],
];

export const NAMES = list(`
  Anna Ben Clara David Emma Felix Grace Henry Iris Jack Kate Leo Maria Noah Olivia Paul Rosa Sam Tom Uma
  Victor Wendy Yara Zoe Omar Lena Hugo Nina Ivan Mia
`);

export const PLACES = list(`
  park beach station museum harbor farm village city market school library garden bakery hospital zoo
`);

export const DAYS = list('Monday Tuesday Wednesday Thursday Friday Saturday Sunday');
export const MONTHS = list('January February March April May June July August September October November December');

export const NUMBER_WORDS = list('zero one two three four five six seven eight nine ten eleven twelve');

/** [country, capital] */
export const CAPITALS: readonly (readonly [string, string])[] = [
  ['France', 'Paris'],
  ['Spain', 'Madrid'],
  ['Italy', 'Rome'],
  ['Germany', 'Berlin'],
  ['Japan', 'Tokyo'],
  ['Egypt', 'Cairo'],
  ['Peru', 'Lima'],
  ['Kenya', 'Nairobi'],
  ['Norway', 'Oslo'],
  ['Greece', 'Athens'],
  ['Canada', 'Ottawa'],
  ['Chile', 'Santiago'],
  ['India', 'Delhi'],
  ['Poland', 'Warsaw'],
  ['Cuba', 'Havana'],
  ['Ireland', 'Dublin'],
  ['Austria', 'Vienna'],
  ['Sweden', 'Stockholm'],
  ['Portugal', 'Lisbon'],
  ['China', 'Beijing'],
];

/** Antonym pairs; lookups work in both directions. */
export const ANTONYMS: readonly (readonly [string, string])[] = [
  ['hot', 'cold'],
  ['big', 'small'],
  ['fast', 'slow'],
  ['up', 'down'],
  ['day', 'night'],
  ['open', 'closed'],
  ['happy', 'sad'],
  ['early', 'late'],
  ['full', 'empty'],
  ['light', 'dark'],
  ['old', 'new'],
  ['wet', 'dry'],
  ['hard', 'soft'],
  ['loud', 'quiet'],
  ['rich', 'poor'],
  ['tall', 'short'],
  ['win', 'lose'],
  ['first', 'last'],
  ['push', 'pull'],
  ['inside', 'outside'],
  ['above', 'below'],
  ['strong', 'weak'],
  ['clean', 'dirty'],
  ['thick', 'thin'],
  ['near', 'far'],
  ['left', 'right'],
  ['give', 'take'],
  ['buy', 'sell'],
];

/** Category → members. */
export const CATEGORIES: Readonly<Record<string, readonly string[]>> = {
  fruit: list('apple banana cherry grape lemon mango orange peach pear plum'),
  animal: list('cat dog horse lion tiger zebra rabbit mouse wolf bear'),
  color: list('red blue green yellow purple gray brown black white pink'),
  tool: list('hammer saw drill wrench shovel rake chisel pliers ladder axe'),
  vehicle: list('car bus train truck bicycle boat plane tram scooter van'),
  instrument: list('piano violin guitar drum flute trumpet harp cello banjo organ'),
};

/** Category of each member (every member belongs to exactly one category). */
export const CATEGORY_OF: ReadonlyMap<string, string> = new Map(
  Object.entries(CATEGORIES).flatMap(([cat, members]) => members.map((m) => [m, cat] as const)),
);

export function plural(noun: string): string {
  if (/(s|x|z|ch|sh)$/.test(noun)) return `${noun}es`;
  if (/[^aeiou]y$/.test(noun)) return `${noun.slice(0, -1)}ies`;
  return `${noun}s`;
}

export function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
