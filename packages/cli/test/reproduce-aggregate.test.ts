/**
 * `cat-cli reproduce`'s pure parts: the grids, the aggregation math on hand-computed values,
 * the marking of degenerate runs from hand-written metrics lines, the sweep points and the
 * Markdown caption.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readMetricsLog } from '@cat/trainer';
import {
  aggregateRuns,
  readMask,
  runNotes,
  sweepPoints,
  tableColumns,
  type ReproduceRow,
  type RunRecord,
} from '../src/reproduce/aggregate.js';
import { gridCells, selectCells } from '../src/reproduce/grids.js';
import { reportMarkdown, type ReproduceReport } from '../src/reproduce/report.js';
import { formatDuration } from '../src/commands/reproduce.js';
import { tempDir } from './eval-fixture.js';

const ATTACKS = ['fgsm', 'pgd20'];

function run(accuracies: Record<string, number> | null, extra: Partial<RunRecord> = {}): RunRecord {
  return {
    cell: 'c',
    seed: 0,
    dir: 'runs/c-seed0',
    status: accuracies ? 'done' : 'failed',
    epochs: 3,
    accuracies,
    images: {},
    lastMask: null,
    trainSeconds: 10,
    evalSeconds: 2,
    wallSeconds: 12,
    skipped: { training: false, evaluation: false },
    notes: [],
    ...extra,
  };
}

describe('reproduce grids', () => {
  it('lists the cells of each grid at the preset eps', () => {
    const t1 = gridCells('table1', { dataset: 'mnist-digits' });
    expect(t1.map((c) => c.name)).toEqual(['natural', 'at', 'trades', 'mart', 'fat-trades', 'cat-cent', 'cat-cw', 'cat-cent-A1', 'cat-cent-A2']);
    expect(new Set(t1.map((c) => c.eps))).toEqual(new Set([0.3]));
    expect(gridCells('table1', { dataset: 'fashion-mnist' })[0].eps).toBe(0.1);
    const eps = gridCells('eps-sweep', { dataset: 'fashion-mnist' });
    expect(eps.map((c) => c.name)).toContain('cat-cent-eps0.05');
    expect(eps).toHaveLength(12);
    expect(gridCells('eps-sweep', { dataset: 'cifar10' }).map((c) => c.name)).toContain('at-eps16-255');
    const b = gridCells('b-sweep', { dataset: 'mnist-digits', bList: [0.1, 0.2] });
    expect(b.map((c) => [c.name, c.b, c.eps])).toEqual([['cat-cent-b0.1', 0.1, 0.3], ['cat-cent-b0.2', 0.2, 0.3]]);
  });

  it('picks cells by name or method with --only and names unknown ones', () => {
    const t1 = gridCells('table1', { dataset: 'mnist-digits' });
    expect(selectCells(t1, ['natural', 'cat-cent']).map((c) => c.name)).toEqual(['natural', 'cat-cent']);
    expect(selectCells(t1, ['cat-cent-A1']).map((c) => c.ablation)).toEqual(['A1']);
    const sweep = gridCells('eps-sweep', { dataset: 'mnist-digits' });
    expect(selectCells(sweep, ['at']).map((c) => c.name)).toEqual(['at-eps0.1', 'at-eps0.2', 'at-eps0.3', 'at-eps0.4']);
    expect(() => selectCells(t1, ['natrual'])).toThrow(/--only: unknown cell natrual \(this grid has: natural, at,/);
  });

  it('formats durations for the progress lines', () => {
    expect([formatDuration(9.6), formatDuration(75), formatDuration(3725)]).toEqual(['10s', '1m15s', '1h02m']);
  });
});

describe('reproduce aggregation', () => {
  it('gives mean and sample std (n - 1) over seeds, and Avg as the mean of natural and every robust column', () => {
    const runs = [
      run({ natural: 0.9, fgsm: 0.5, pgd20: 0.4 }),
      run({ natural: 0.8, fgsm: 0.3, pgd20: 0.2 }),
      run({ natural: 1.0, fgsm: 0.4, pgd20: 0.3 }),
      run(null), // a failed seed counts nowhere
    ];
    const cols = tableColumns('table1', ATTACKS);
    expect(cols.map((c) => c.header)).toEqual(['Natural', 'FGSM', 'PGD-20', 'Avg']);
    const v = aggregateRuns(runs, cols, ATTACKS);
    // natural 90, 80, 100: mean 90, sum of squares 200 / (3 - 1) = 100, std 10.
    expect(v.natural!.mean).toBeCloseTo(90, 10);
    expect(v.natural!.std).toBeCloseTo(10, 10);
    expect(v.natural!.count).toBe(3);
    expect(v.fgsm!.mean).toBeCloseTo(40, 10);
    expect(v.fgsm!.std).toBeCloseTo(10, 10);
    // Avg per run: 60, 43.33.., 56.66..; mean 53.33.., deviations 6.67, -10, 3.33: std sqrt(155.56 / 2) = 8.819.
    expect(v.avg!.mean).toBeCloseTo(160 / 3, 10);
    expect(v.avg!.std).toBeCloseTo(Math.sqrt((400 / 9 + 100 + 100 / 9) / 2), 10);
    // The sweeps add natural + PGD-20 (the paper's Figure 3): 130, 100, 130.
    const sweep = aggregateRuns(runs, tableColumns('eps-sweep', ATTACKS), ATTACKS);
    expect(sweep['natural+pgd20']!.mean).toBeCloseTo(120, 10);
    expect(sweep['natural+pgd20']!.std).toBeCloseTo(Math.sqrt(300), 10);
  });

  it('gives std 0 for one seed and nothing for a column no run has', () => {
    const v = aggregateRuns([run({ natural: 0.5, fgsm: 0.25 })], tableColumns('table1', ATTACKS), ATTACKS);
    expect(v.natural).toEqual({ mean: 50, std: 0, count: 1 });
    expect(v.pgd20).toBeNull();
    expect(v.avg!.mean).toBeCloseTo(37.5, 10);
    expect(aggregateRuns([run(null)], tableColumns('table1', ATTACKS), ATTACKS).natural).toBeNull();
  });
});

describe('degenerate runs', () => {
  const line = (epoch: number, mask?: object) =>
    JSON.stringify({ type: 'epoch', epoch, lr: 1e-3, losses: {}, naturalAcc: 0.9, pgd10Acc: 0.1, imagesPerSec: 1, trainSeconds: 1, evalSeconds: 1, wallSeconds: 2, step: epoch, ...(mask ? { mask } : {}) });

  it('marks a run whose last epoch has mask.low > 0.99, read from a hand-written metrics.jsonl', () => {
    const dir = tempDir('reproduce-mask');
    const file = path.join(dir, 'metrics.jsonl');
    fs.writeFileSync(file, `${line(1, { mean: 0.6, low: 0.02, high: 0.1 })}\n${line(2, { mean: 0.004, low: 0.995, high: 0, stroke: 0.001, background: 0.005 })}\n`);
    const notes = runNotes({ metrics: readMetricsLog(file).records, accuracies: { natural: 0.9, pgd20: 0.1 } });
    expect(notes).toHaveLength(1);
    expect(notes[0].kind).toBe('mask-collapse');
    expect(notes[0].message).toMatch(/mask collapsed: in the last epoch \(2\) 99.5% of the mask values were below 0.01 \(mean 0.004\)/);
  });

  it('does not mark a healthy mask, an earlier collapsed epoch, or runs made before the mask statistics', () => {
    const healthy = [JSON.parse(line(1, { mean: 0.001, low: 1, high: 0 })), JSON.parse(line(2, { mean: 0.8, low: 0.5, high: 0.2 }))];
    expect(runNotes({ metrics: healthy, accuracies: null })).toEqual([]);
    expect(runNotes({ metrics: [JSON.parse(line(1))], accuracies: null })).toEqual([]);
    expect(runNotes({ metrics: [{ epoch: 1, mask: 'garbage' }, { epoch: 2, mask: { low: 'x' } }], accuracies: null })).toEqual([]);
    expect(readMask({ low: 0.5 })).toMatchObject({ low: 0.5 });
    expect(readMask(undefined)).toBeNull();
  });

  it('marks a run stopped by a mask collapse, whether or not a checkpoint was left', () => {
    const stopped = runNotes({ metrics: [], collapse: { epoch: 1, message: 'x' }, accuracies: null });
    expect(stopped[0]).toEqual({ kind: 'mask-collapse', message: expect.stringMatching(/mask collapsed in epoch 1: training stopped .*nothing to evaluate/) });
    const later = runNotes({ metrics: [JSON.parse(line(1))], collapse: { epoch: 2, message: 'x' }, accuracies: null });
    expect(later[0].message).toMatch(/its epoch-1 checkpoint is what was evaluated/);
  });

  it('marks a model that did not learn (natural accuracy at most 1.5 x chance), and not one just above', () => {
    const atChance = runNotes({ metrics: [], accuracies: { natural: 0.103, pgd20: 0.103 } });
    expect(atChance).toEqual([{ kind: 'at-chance', message: expect.stringMatching(/did not learn: natural accuracy 10.3% is at chance level \(10.0%\)/) }]);
    expect(runNotes({ metrics: [], accuracies: { natural: 0.16, pgd20: 0.05 } })).toEqual([]);
    expect(runNotes({ metrics: [], accuracies: { natural: 0.014, pgd20: 0 }, classes: 100 })[0].kind).toBe('at-chance');
  });

  it('marks PGD-20 that found nothing on a model above 20% natural accuracy', () => {
    expect(runNotes({ metrics: [], accuracies: { natural: 0.85, pgd20: 0.85 } })[0]).toEqual({
      kind: 'attack-failed',
      message: expect.stringMatching(/PGD-20 found no adversarial example \(PGD-20 = natural = 85.0%\)/),
    });
    // At chance PGD-20 cannot find anything to flip: that model is marked as not having learnt instead.
    expect(runNotes({ metrics: [], accuracies: { natural: 0.1, pgd20: 0.1 } }).map((n) => n.kind)).toEqual(['at-chance']);
    expect(runNotes({ metrics: [], accuracies: { natural: 0.85, pgd20: 0.84 } })).toEqual([]);
    expect(runNotes({ metrics: [], accuracies: null, sanity: [{ check: 'monotone', message: 'pgd100 above pgd20' }] })[0].kind).toBe('sanity');
  });
});

describe('reproduce report', () => {
  const cells = gridCells('eps-sweep', { dataset: 'mnist-digits', epsList: [0.1, 0.2] }).filter((c) => c.method !== 'trades');
  const columns = tableColumns('eps-sweep', ['fgsm', 'pgd20']);
  const rows: ReproduceRow[] = cells.map((cell, i) => {
    const runs = [run({ natural: 0.9 - 0.1 * i, fgsm: 0.5, pgd20: 0.4 }, { cell: cell.name, dir: `r/${cell.name}-seed0` })];
    if (i === 1) runs[0].notes.push({ kind: 'mask-collapse', message: 'mask collapsed: in the last epoch (3) 100.0% ...' });
    if (i === 3) Object.assign(runs[0], { accuracies: null, status: 'failed', notes: [{ kind: 'failed', message: 'training failed: boom' }] });
    return { cell, settings: 'some settings', values: aggregateRuns(runs, columns, ['fgsm', 'pgd20']), runs };
  });

  it('plots PGD-20 and natural + PGD-20 against the training eps, flagging suspect points', () => {
    const pts = sweepPoints('eps-sweep', rows);
    const robust = pts.filter((p) => p.panel === 'Robust accuracy (PGD-20)');
    expect(robust.map((p) => [p.series, p.x, p.value, p.flagged])).toEqual([
      ['CAT-cent', 0.1, 40, false],
      ['CAT-cent', 0.2, 40, true],
      ['AT', 0.1, 40, false],
    ]);
    expect(pts.find((p) => p.panel.startsWith('Natural + robust') && p.series === 'AT')!.value).toBeCloseTo(110, 10);
    const b = sweepPoints('b-sweep', [{ ...rows[0], cell: { ...rows[0].cell, x: 0.05 } }]);
    expect(b.map((p) => [p.series, p.value])).toEqual([['Natural', 90], ['PGD-20', 40]]);
  });

  it('opens the Markdown with the caption and keeps marked and failed runs in the table', () => {
    const report: ReproduceReport = {
      format: 'cat-reproduce',
      version: 1,
      grid: 'eps-sweep',
      dataset: 'mnist-digits',
      command: 'cat-cli reproduce eps-sweep --dataset mnist-digits --train-subset 40',
      date: '2026-01-02T03:04:05.000Z',
      backend: 'cpu',
      settings: { trainSubset: 40, epochs: 1, limit: 20, aaLimit: 0, seeds: [0], recipe: 'cat', optimizer: 'adam lr 0.001, batch 100' },
      budget: { eps: 'training eps of each cell', attacks: [{ key: 'pgd20', header: 'PGD-20', description: 'PGD-20: cross-entropy, 20 steps of 0.01, no random start' }] },
      std: 'sample standard deviation, n - 1',
      columns,
      rows,
      warnings: [],
      failures: 1,
      timing: { trainSeconds: 40, evalSeconds: 8, invocationSeconds: 50 },
    };
    const md = reportMarkdown(report);
    const lines = md.split('\n');
    expect(lines[0]).toBe('# mnist-digits: Figure 3 reproduced: accuracy against the training eps (CAT-cent, AT, TRADES)');
    expect(md).toContain('**Command:** `cat-cli reproduce eps-sweep --dataset mnist-digits --train-subset 40`');
    expect(md).toMatch(/training on a class-balanced subset of 40 images for 1 epoch\(s\), seed 0/);
    expect(md).toMatch(/the first 20 test images \(no AutoAttack\)/);
    expect(md).toContain("L-inf eps = each cell's training eps; PGD-20: cross-entropy, 20 steps of 0.01, no random start");
    expect(md).toContain('  - AT (at-eps0.1): some settings');
    expect(md).toContain('**Date:** 2026-01-02T03:04:05.000Z; **backend:** cpu');
    expect(md).toContain('| Method | Training eps | Natural | FGSM | PGD-20 | Natural + PGD-20 | Avg | Seeds |');
    expect(md).toContain('| CAT-cent ⚠ [1] | 0.2 | 80.00 | 50.00 | 40.00 | 120.00 | 56.67 | 1/1 |');
    expect(md).toContain('| AT ⚠ [2] | 0.2 | - | - | - | - | - | 0/1 (1 failed) |');
    expect(md).toContain('- [1] cat-cent-eps0.2 seed 0: mask collapsed: in the last epoch (3)');
    expect(md).toContain('- [2] at-eps0.2 seed 0: training failed: boom');
    expect(md).toContain('| at-eps0.2-seed0 | failed | 3 | 10.0 | 2.0 |');
  });
});
