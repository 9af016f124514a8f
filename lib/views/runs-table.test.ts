import { describe, expect, it } from 'vitest';
import { columnChoices, columnTitle, formatColumnValue, RUNS_TABLE_DEFAULTS, runsTableUrl } from './runs-table';

describe('the runs table page', () => {
  it('sends its URL state to GET /api/runs, paging by 50', () => {
    const st = { ...RUNS_TABLE_DEFAULTS, method: 'lisa', where: 'config.lr<=3e-4', sort: 'eval/loss:best', page: '2' };
    const url = new URL(runsTableUrl(st), 'http://x');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      method: 'lisa',
      where: 'config.lr<=3e-4',
      sort: 'eval/loss:best',
      dir: 'desc',
      columns: RUNS_TABLE_DEFAULTS.cols,
      limit: '50',
      offset: '100',
    });
  });

  it('names columns and shows values in the units people read: MiB, seconds, NaN, —', () => {
    expect(
      ['config.lr', 'eval/loss', 'eval/loss:best', 'mem/peak_bytes', 'mem/rss_bytes', 'tokens_per_s'].map(columnTitle),
    ).toEqual(['lr', 'final eval/loss', 'best eval/loss', 'peak memory (MiB)', 'max rss (MiB)', 'tokens/s']);
    expect(formatColumnValue('mem/peak_bytes', 3.5 * 2 ** 20)).toBe('3.5');
    expect(formatColumnValue('wall_time', 17.04)).toBe('17.0 s');
    expect(formatColumnValue('eval/loss', Number.NaN)).toBe('NaN');
    expect(formatColumnValue('eval/loss', null)).toBe('—');
    expect(formatColumnValue('tokens_per_s', 1234.6)).toBe('1,235');
    expect(formatColumnValue('config.sampling', 'uniform')).toBe('uniform');
  });

  it('offers every recorded metric, final and best, and every config key as a column', () => {
    const choices = columnChoices({ config: ['lr'], metrics: ['eval/accuracy', 'mem/peak_bytes'] });
    expect(choices).toEqual(expect.arrayContaining(['eval/accuracy', 'eval/accuracy:best', 'config.lr', 'step']));
    expect(choices).not.toContain('mem/peak_bytes:best');
  });
});
