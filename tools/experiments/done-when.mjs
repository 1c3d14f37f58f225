#!/usr/bin/env node
// The short-run check of CAT against TRADES, over several seeds: the short command a new user runs
//   cat-cli train --method M --dataset mnist-digits --eps 0.3 --epochs 2 --train-subset 2000 --test-subset 300
// with the preset defaults and no other flag, for TRADES and CAT, and the last epoch's natural and
// PGD-10 accuracy and mask statistics as the trainer logs them. One seed differs from the next by
// a few points (and the native engine's parallel sums by 1-2 points run to run), so the check is
// reported as mean +- std over seeds. Resumable: finished runs are read, not retrained.
// Writes docs/results/<dataset>/done-when.{md,json}.
//
//   node tools/experiments/done-when.mjs [--methods trades,cat-cent,cat-cw] [--seeds 3] [--runs runs/done-when]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { root, option, trainOnce, readJsonLines, lastLine, meanStd, progress } from './lib.mjs';

const args = process.argv.slice(2);
const methods = option(args, 'methods', 'trades,cat-cent,cat-cw').split(',');
const seeds = Number(option(args, 'seeds', '3'));
const dataset = option(args, 'dataset', 'mnist-digits');
const eps = option(args, 'eps', '0.3');
const runsDir = path.resolve(option(args, 'runs', path.join(root, 'runs/done-when')));
const outDir = path.resolve(option(args, 'out', path.join(root, 'docs/results', dataset)));
const common = ['--dataset', dataset, '--eps', eps, '--epochs', '2', '--train-subset', '2000', '--test-subset', '300'];

const cells = methods.flatMap((method) => Array.from({ length: seeds }, (_, seed) => ({ method, seed })));
const t0 = Date.now();
const runs = cells.map((cell, i) => {
  const dir = path.join(runsDir, `${cell.method}-seed${cell.seed}`);
  const t = trainOnce(dir, ['train', '--method', cell.method, ...common, '--seed', String(cell.seed)], 2);
  const last = readJsonLines(path.join(dir, 'metrics.jsonl')).at(-1);
  const r = {
    ...cell,
    status: t.ok ? 'ok' : 'failed',
    message: t.ok ? '' : lastLine(t.out),
    natural: t.ok ? last.naturalAcc : null,
    pgd10: t.ok ? last.pgd10Acc : null,
    maskEnd: t.ok ? (last.maskEnd ?? null) : null,
  };
  progress(i, cells.length, t0, `${cell.method} seed ${cell.seed}: ${r.status} natural ${r.natural ?? '-'} pgd10 ${r.pgd10 ?? '-'}`);
  return r;
});

const pct = (ms) => `${(100 * ms.mean).toFixed(1)} ± ${(100 * ms.std).toFixed(1)}`;
const summary = methods.map((method) => {
  const ok = runs.filter((r) => r.method === method && r.status === 'ok');
  const masks = ok.map((r) => r.maskEnd).filter(Boolean);
  return {
    method,
    runs: ok.length,
    failed: runs.filter((r) => r.method === method && r.status !== 'ok').length,
    natural: meanStd(ok.map((r) => r.natural)),
    pgd10: meanStd(ok.map((r) => r.pgd10)),
    sum: meanStd(ok.map((r) => r.natural + r.pgd10)),
    maskLow: masks.length ? Math.max(...masks.map((m) => m.low)) : null,
    maskStroke: masks.length ? meanStd(masks.map((m) => m.stroke)).mean : null,
    maskBackground: masks.length ? meanStd(masks.map((m) => m.background)).mean : null,
  };
});
const command = `node tools/experiments/done-when.mjs ${args.join(' ')}`.trim();
const lines = [
  `# The short run a new user makes: ${dataset}, eps ${eps}, ${seeds} seeds`,
  '',
  `Command: \`${command}\`. Each run: \`cat-cli train --method M ${common.join(' ')} --seed S\` (S = 0..${seeds - 1}), ` +
    "the preset's defaults and nothing else; the numbers are the trainer's own last-epoch check (natural and PGD-10 " +
    'accuracy on 300 class-balanced held-out images) and mask statistics over the last quarter of the last epoch ' +
    `(CAT only; a collapse is more than 99% of values below 0.01). Made ${new Date().toISOString().slice(0, 16)} UTC.`,
  '',
  '| method | runs | natural % | PGD-10 % | natural + PGD-10 | max mask < 0.01 | mask stroke | mask background |',
  '|---|---|---|---|---|---|---|---|',
  ...summary.map(
    (s) =>
      `| ${s.method} | ${s.runs}${s.failed ? ` (${s.failed} failed)` : ''} | ${pct(s.natural)} | ${pct(s.pgd10)} | ${pct(s.sum)} | ` +
      `${s.maskLow === null ? '-' : `${(100 * s.maskLow).toFixed(1)}%${s.maskLow > 0.99 ? ' **collapsed**' : ''}`} | ` +
      `${s.maskStroke === null ? '-' : s.maskStroke.toFixed(2)} | ${s.maskBackground === null ? '-' : s.maskBackground.toFixed(2)} |`,
  ),
  '',
  'Per run:',
  '',
  '| method | seed | natural % | PGD-10 % | status |',
  '|---|---|---|---|---|',
  ...runs.map(
    (r) => `| ${r.method} | ${r.seed} | ${r.natural === null ? '-' : (100 * r.natural).toFixed(1)} | ${r.pgd10 === null ? '-' : (100 * r.pgd10).toFixed(1)} | ${r.status}${r.message ? `: ${r.message}` : ''} |`,
  ),
];
fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(path.join(outDir, 'done-when.md'), `${lines.join('\n')}\n`);
fs.writeFileSync(path.join(outDir, 'done-when.json'), `${JSON.stringify({ command, common, summary, runs }, null, 2)}\n`);
console.log(`wrote ${path.join(outDir, 'done-when.md')} and .json`);
