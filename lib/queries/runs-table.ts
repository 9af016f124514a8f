/**
 * The runs table (`GET /api/runs`, the `/runs` page): every run, filtered, sorted and paged in one SQL statement,
 * with chosen columns of config keys and metrics. Fields:
 * - built in: `created`, `label`, `status`, `method` (the run kind), `sweep` (its name), `seed`, `step`,
 *   `wall_time` (finished − started, s);
 * - `config.<key>`: a key of the run's stored config (`config.lr`, `config.gamma`);
 * - a metric id as the ablation table reads it (lib/queries/table-metric): `eval/loss` (final), `eval/loss:best`,
 *   `train/loss:min`, `:max`, `:mean`, `tokens_per_s` (the run's own figure), `mem/peak_bytes` (max).
 * A filter is `<field><op><value>` with op = != < <= > >=; filters are joined by `;`. Tags: a run matches a tag
 * it carries or that its sweep carries; `q` searches label, id, sweep name, tags and notes. A NaN metric
 * (stored as NULL) matches no comparison and sorts last, like a run without the metric.
 */
import type Database from 'better-sqlite3';
import { AppError } from '../errors';
import { BLOCK_LEVELS } from '../ingest/blocks';
import { RUN_STATUSES } from '../../db/schema';
import { tagsOf } from './annotations';
import { parseTableMetric } from './table-metric';

export const RUNS_TABLE_MAX_LIMIT = 500;
const OPS = ['!=', '<=', '>=', '=', '<', '>'] as const;
type Op = (typeof OPS)[number];

export interface RunsTableQuery {
  status?: string[];
  method?: string[];
  sweep?: string[];
  /** Every tag must match (on the run or its sweep). */
  tags?: string[];
  q?: string;
  /** `field op value` clauses, all must hold. */
  where?: string;
  sort?: string;
  dir?: 'asc' | 'desc';
  columns?: string[];
  limit?: number;
  offset?: number;
}

export interface RunsTableRow {
  id: string;
  label: string;
  kind: string;
  status: string;
  sweepId: string | null;
  sweepName: string | null;
  seed: number | null;
  createdAt: string;
  lastStep: number | null;
  totalSteps: number | null;
  tags: string[];
  /** Column → value: numbers (NaN for a stored NaN), strings or booleans of the config, null when absent. */
  values: Record<string, number | string | boolean | null>;
}

export interface RunsTable {
  total: number;
  rows: RunsTableRow[];
  columns: string[];
  sort: string;
  dir: 'asc' | 'desc';
  /** What the column picker offers: the config keys and metric keys of the newest 200 runs. */
  keys: { config: string[]; metrics: string[] };
}

export interface Clause {
  field: string;
  op: Op;
  value: string;
}

const tableError = (message: string) => new AppError('bad_request', message);

/** A `;`-joined filter text as clauses, or a bad request naming the clause that cannot be read. */
export function parseWhere(text: string): Clause[] {
  const clauses: Clause[] = [];
  for (const raw of text.split(';')) {
    const part = raw.trim();
    if (!part) continue;
    const m = part.match(/^([^!<>=\s]+)\s*(!=|<=|>=|=|<|>)\s*(.*)$/);
    if (!m || m[3].trim() === '') {
      throw tableError(`invalid filter "${part}": write <field><op><value>, op one of ${OPS.join(' ')}`);
    }
    clauses.push({ field: m[1], op: m[2] as Op, value: m[3].trim() });
  }
  return clauses;
}

interface Expr {
  sql: string;
  params: unknown[];
  /** Text columns compare as text; the others compare numbers as numbers. */
  text: boolean;
  /** What the column shows, when it differs from `sql`: a metric's stored NaN as 'NaN', an absent one as NULL. */
  display?: string;
}

const BUILT_IN: Record<string, Expr> = {
  created: { sql: 'r.created_at', params: [], text: true },
  label: { sql: 'r.label', params: [], text: true },
  status: { sql: 'r.status', params: [], text: true },
  method: { sql: 'r.kind', params: [], text: true },
  sweep: { sql: 's.name', params: [], text: true },
  seed: { sql: 'r.seed', params: [], text: false },
  step: { sql: 'r.last_step', params: [], text: false },
};
const WALL = '(julianday(r.finished_at) - julianday(r.started_at)) * 86400.0';

/** The SQL of one field, or a bad request naming it. */
export function fieldExpr(field: string): Expr {
  const builtIn = BUILT_IN[field];
  if (builtIn) return builtIn;
  if (field.startsWith('config.')) {
    const key = field.slice('config.'.length);
    if (!/^[\w.-]{1,100}$/.test(key)) throw tableError(`invalid config key "${key}" in "${field}"`);
    return { sql: 'json_extract(r.config, ?)', params: [`$."${key}"`], text: false };
  }
  let metric: ReturnType<typeof parseTableMetric>;
  try {
    metric = parseTableMetric(field);
  } catch {
    throw tableError(
      `unknown field "${field}": use ${Object.keys(BUILT_IN).join(', ')}, wall_time, config.<key>, ` +
        'or a metric such as eval/loss, eval/loss:best, train/loss:min',
    );
  }
  if (metric.agg === 'wall') return { sql: WALL, params: [], text: false };
  if (metric.agg === 'last') {
    const latest = (v: string) => `(SELECT ${v} FROM latest l WHERE l.run_id = r.id AND l.key = ?)`;
    return { sql: latest('l.value'), display: latest("coalesce(l.value, 'NaN')"), params: [metric.key], text: false };
  }
  if (metric.agg === 'roughness') throw tableError(`"${field}": roughness is offered in a sweep's table, not here`);
  const top = BLOCK_LEVELS[BLOCK_LEVELS.length - 1];
  const block = (agg: string) =>
    `(SELECT ${agg} FROM series se JOIN point_blocks b ON b.series_id = se.id AND b.level = ${top} ` +
    'WHERE se.run_id = r.id AND se.key = ?)';
  const shown = (agg: string) => block(`CASE WHEN count(*) > 0 THEN coalesce(${agg}, 'NaN') END`);
  const mean =
    'CASE WHEN sum(b.count) > 0 AND count(b.sum_value) = count(*) THEN total(b.sum_value) / sum(b.count) END';
  const aggs = { min: 'min(b.min_value)', max: 'max(b.max_value)', mean } as Record<string, string>;
  if (metric.agg !== 'run') {
    const agg = aggs[metric.agg];
    return { sql: block(agg), display: shown(agg), params: [metric.key], text: false };
  }
  // 'run': the run's own figure from its finished summary, else the mean of the per-step series.
  return {
    sql: `coalesce(json_extract(r.summary, ?), ${block(mean)})`,
    display: `coalesce(json_extract(r.summary, ?), ${shown(mean)})`,
    params: [`$."${metric.key}"`, metric.key],
    text: false,
  };
}

/** A filter value as SQLite should compare it: numbers and booleans as numbers, anything else as text. */
function literal(value: string, text: boolean): unknown {
  if (!text) {
    if (value === 'true') return 1;
    if (value === 'false') return 0;
    if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(value)) return Number(value);
  }
  return value;
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export function runsTable(sqlite: Database.Database, query: RunsTableQuery): RunsTable {
  const where: string[] = [];
  const params: unknown[] = [];
  const inList = (column: string, values: string[] | undefined) => {
    if (!values?.length) return;
    where.push(`${column} IN (SELECT value FROM json_each(?))`);
    params.push(JSON.stringify(values));
  };
  const unknownStatus = query.status?.find((s) => !(RUN_STATUSES as readonly string[]).includes(s));
  if (unknownStatus) throw tableError(`unknown status "${unknownStatus}" (${RUN_STATUSES.join(', ')})`);
  inList('r.status', query.status);
  inList('r.kind', query.method);
  inList('r.sweep_id', query.sweep);
  // Tags and notes match once per statement (uncorrelated IN lists), not once per run.
  const onRunOrSweep = (table: string, cond: string) =>
    `(r.id IN (SELECT target_id FROM ${table} WHERE target = 'run' AND ${cond}) ` +
    `OR r.sweep_id IN (SELECT target_id FROM ${table} WHERE target = 'sweep' AND ${cond}))`;
  for (const tag of query.tags ?? []) {
    where.push(onRunOrSweep('tags', 'tag = ?'));
    const t = tag.trim().toLowerCase();
    params.push(t, t);
  }
  const q = query.q?.trim();
  if (q) {
    const like = `%${escapeLike(q.toLowerCase())}%`;
    const match = (e: string) => `${e} LIKE ? ESCAPE '\\'`;
    where.push(
      `(${match('lower(r.label)')} OR ${match('lower(r.id)')} OR ${match('lower(s.name)')} ` +
        `OR ${onRunOrSweep('tags', match('tag'))} OR ${onRunOrSweep('notes', match('lower(text)'))})`,
    );
    params.push(...Array(7).fill(like));
  }
  for (const c of parseWhere(query.where ?? '')) {
    const e = fieldExpr(c.field);
    where.push(`${e.sql} ${c.op === '!=' ? '<>' : c.op} ?`);
    params.push(...e.params, literal(c.value, e.text));
  }
  const columns = [...new Set(query.columns ?? [])];
  const columnExprs = columns.map(fieldExpr);
  const sort = query.sort ?? 'created';
  const dir = query.dir ?? 'desc';
  const sortExpr = fieldExpr(sort);
  const limit = Math.min(query.limit ?? 100, RUNS_TABLE_MAX_LIMIT);
  const offset = query.offset ?? 0;

  const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const from = `FROM runs r LEFT JOIN sweeps s ON s.id = r.sweep_id ${whereSql}`;
  const order = (v: string) => `${v} IS NULL, ${v} ${dir === 'asc' ? 'ASC' : 'DESC'}, r.created_at DESC, r.id`;
  // The page is chosen first (filter, sort, count); the columns' subqueries then run for its rows alone.
  const page =
    `SELECT r.id AS id, count(*) OVER () AS total, ${sortExpr.sql} AS sort_value ${from} ` +
    `ORDER BY ${order('sort_value')} LIMIT ${limit} OFFSET ${offset}`;
  const selectCols = columnExprs.map((e, i) => `, ${e.display ?? e.sql} AS c${i}`).join('');
  const sql =
    'SELECT r.id, r.label, r.kind, r.status, r.sweep_id, s.name, r.seed, r.created_at, r.last_step, ' +
    `r.total_steps, p.total, p.sort_value${selectCols} FROM (${page}) p JOIN runs r ON r.id = p.id ` +
    `LEFT JOIN sweeps s ON s.id = r.sweep_id ORDER BY ${order('p.sort_value')}`;
  const raw = sqlite
    .prepare(sql)
    .raw()
    .all(...columnExprs.flatMap((e) => e.params), ...sortExpr.params, ...params) as unknown[][];
  const tags = tagsOf(
    sqlite,
    'run',
    raw.map((r) => r[0] as string),
  );
  const rows: RunsTableRow[] = raw.map((r) => ({
    id: r[0] as string,
    label: r[1] as string,
    kind: r[2] as string,
    status: r[3] as string,
    sweepId: r[4] as string | null,
    sweepName: r[5] as string | null,
    seed: r[6] as number | null,
    createdAt: r[7] as string,
    lastStep: r[8] as number | null,
    totalSteps: r[9] as number | null,
    tags: tags.get(r[0] as string) ?? [],
    values: Object.fromEntries(columns.map((c, i) => [c, cellValue(r[12 + i])])),
  }));
  // A page past the end has no row to carry the count: count the matches alone.
  const total =
    raw.length > 0
      ? (raw[0][10] as number)
      : (sqlite
          .prepare(`SELECT count(*) ${from}`)
          .pluck()
          .get(...params) as number);
  return { total, rows, columns, sort, dir, keys: recentKeys(sqlite) };
}

function recentKeys(sqlite: Database.Database): RunsTable['keys'] {
  const recent = 'SELECT id FROM runs ORDER BY created_at DESC LIMIT 200';
  const config = sqlite
    .prepare(`SELECT DISTINCT j.key FROM runs r, json_each(r.config) j WHERE r.id IN (${recent}) ORDER BY j.key`)
    .pluck()
    .all() as string[];
  const metrics = sqlite
    .prepare(`SELECT DISTINCT key FROM latest WHERE run_id IN (${recent}) ORDER BY key`)
    .pluck()
    .all() as string[];
  return { config: config.filter((k) => !['out', 'base', 'resume', 'command'].includes(k)), metrics };
}

/** A metric's stored NaN comes back as 'NaN'; NULL is a value the run does not have. */
function cellValue(v: unknown): number | string | boolean | null {
  if (v === null || v === undefined) return null;
  if (v === 'NaN') return Number.NaN;
  return v as number | string;
}
