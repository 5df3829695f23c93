import { describe, expect, it } from 'vitest';
import { figure, formatFigure, median, percentile, repeat, round, runsSetting } from './stats';

describe('median', () => {
  it('takes the middle value of an odd count, whatever the order', () => {
    expect(median([9, 1, 5])).toBe(5);
    expect(median([7])).toBe(7);
  });

  it('takes the mean of the two middle values of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('leaves its input unsorted', () => {
    const xs = [3, 1, 2];
    median(xs);
    expect(xs).toEqual([3, 1, 2]);
  });

  it('refuses no values', () => {
    expect(() => median([])).toThrow(/no values/);
  });
});

describe('percentile', () => {
  const samples = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted

  it('uses the nearest rank, so it is always one of the samples', () => {
    expect(percentile(samples, 50)).toBe(50);
    expect(percentile(samples, 95)).toBe(95);
    expect(percentile(samples, 99)).toBe(99);
    expect(percentile(samples, 100)).toBe(100);
    expect(percentile(samples, 0)).toBe(1);
    expect(percentile([10, 20, 30], 50)).toBe(20);
  });

  it('refuses an out-of-range p and no samples', () => {
    expect(() => percentile(samples, 101)).toThrow(/0\.\.100/);
    expect(() => percentile([], 50)).toThrow(/no values/);
  });
});

describe('figure', () => {
  it('keeps the median, the range and every run, rounded alike', () => {
    expect(figure([12.345, 10.01, 14.999], 1)).toEqual({ median: 12.3, min: 10, max: 15, runs: [12.3, 10, 15] });
  });

  it('prints the spread only when the runs differ', () => {
    expect(formatFigure(figure([12.1, 10.3, 14]), 'ms')).toBe('12.1 ms (10.3–14)');
    expect(formatFigure(figure([0, 0, 0]), 'violations')).toBe('0 violations');
    expect(formatFigure(figure([0.25, 0.3]))).toBe('0.28 (0.25–0.3)');
  });

  it('rounds to the given number of digits', () => {
    expect(round(3.14159)).toBe(3.14);
    expect(round(3.14159, 0)).toBe(3);
    expect(round(2.675, 1)).toBe(2.7);
  });
});

describe('repeat', () => {
  it('runs one after the other, in order', async () => {
    const log: string[] = [];
    const out = await repeat(3, async (run) => {
      log.push(`start ${run}`);
      await new Promise((r) => setTimeout(r, 3 - run));
      log.push(`end ${run}`);
      return run * 10;
    });
    expect(out).toEqual([0, 10, 20]);
    expect(log).toEqual(['start 0', 'end 0', 'start 1', 'end 1', 'start 2', 'end 2']);
  });

  it('refuses a count that is not a whole number >= 1', async () => {
    await expect(repeat(0, () => 1)).rejects.toThrow(/whole number/);
    await expect(repeat(1.5, () => 1)).rejects.toThrow(/whole number/);
  });
});

describe('runsSetting', () => {
  const name = { flag: 'runs', env: 'BENCH_RUNS' };

  it('prefers the flag, then the environment, then the default', () => {
    expect(runsSetting(name, 3, ['node', 'run.ts', '--runs', '5'], { BENCH_RUNS: '4' })).toBe(5);
    expect(runsSetting(name, 3, ['node', 'run.ts'], { BENCH_RUNS: '4' })).toBe(4);
    expect(runsSetting(name, 3, ['node', 'run.ts'], {})).toBe(3);
  });

  it('names the setting that is wrong', () => {
    expect(() => runsSetting(name, 3, ['node', 'run.ts', '--runs', 'many'], {})).toThrow(/--runs must be a whole number >= 1, got "many"/);
    expect(() => runsSetting(name, 3, ['node', 'run.ts', '--runs'], {})).toThrow(/--runs/);
    expect(() => runsSetting(name, 3, ['node', 'run.ts'], { BENCH_RUNS: '0' })).toThrow(/BENCH_RUNS must be/);
  });
});
