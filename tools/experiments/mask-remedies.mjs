#!/usr/bin/env node
// The evidence behind CAT's default mask settings: candidate remedies against the mask collapse,
// each trained with the short run (2 epochs on 2,000 images) on the embedded digits (eps 0.3, 0.4) and
// Fashion-MNIST (eps 0.1, 0.2) beside TRADES, then evaluated on held-out test images (natural
// and PGD-20, SPEC.md's protocol). Every run is an ordinary run directory; a rerun skips what is
// done, so a killed sweep continues. Writes docs/results/mask-remedies.{md,json}.
//
//   node tools/experiments/mask-remedies.mjs [--runs runs/remedies] [--only name,name] [--methods cat-cent,cat-cw]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { root, option, runCli, trainOnce, readJsonLines, lastLine, progress } from './lib.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => option(args, name, dflt);
const runsDir = path.resolve(opt('runs', path.join(root, 'runs/remedies')));
const outDir = path.resolve(opt('out', path.join(root, 'docs/results')));
const only = opt('only', '') ? opt('only').split(',') : null;
const methods = opt('methods', 'cat-cent').split(',');
const settings = (opt('settings', '') || 'mnist-digits:0.3,mnist-digits:0.4,fashion-mnist:0.1,fashion-mnist:0.2')
  .split(',')
  .map((s) => ({ dataset: s.split(':')[0], eps: Number(s.split(':')[1]) }));
const common = ['--epochs', '2', '--train-subset', '2000', '--test-subset', '300'];
const evalLimit = opt('limit', '1000');

// Candidates: each on top of SPEC.md's recipe (--recipe spec), so the flags say all that differs.
const CANDIDATES = [
  { name: 'spec', flags: ['--allow-mask-collapse'], what: "SPEC.md's recipe as written (collapse allowed, to measure it)" },
  { name: 'warmup1', flags: ['--mask-warmup-epochs', '1'], what: 'g held still for the first epoch' },
  { name: 'init0.95', flags: ['--mask-init', '0.95'], what: "g's output bias set so that m starts at 0.95" },
  { name: 'lr0.1', flags: ['--mask-lr-scale', '0.1'], what: "g's learning rate 0.1x f's" },
  { name: 'init0.95+lr0.1', flags: ['--mask-init', '0.95', '--mask-lr-scale', '0.1'], what: 'both' },
  { name: 'warmup1+init0.95', flags: ['--mask-warmup-epochs', '1', '--mask-init', '0.95'], what: 'warm-up and m starting at 0.95' },
  // Not a mask remedy: the KL weight a of L_f raised from SPEC's MNIST a = 1 towards TRADES's beta = 6.
  { name: 'init0.95+lr0.1+a3', flags: ['--mask-init', '0.95', '--mask-lr-scale', '0.1', '--a', '3'], what: 'init0.95+lr0.1 with a = 3' },
  { name: 'init0.95+lr0.1+a6', flags: ['--mask-init', '0.95', '--mask-lr-scale', '0.1', '--a', '6'], what: 'init0.95+lr0.1 with a = 6' },
  // Measured for CAT-cw, which stays below TRADES with the candidates above: a larger KL weight,
  // and a smaller mask CE weight b (a brighter mask: more of the perturbation kept).
  { name: 'init0.95+lr0.1+a10', flags: ['--mask-init', '0.95', '--mask-lr-scale', '0.1', '--a', '10'], what: 'init0.95+lr0.1 with a = 10', only: ['cat-cw'] },
  { name: 'init0.95+lr0.1+a6+b0.1', flags: ['--mask-init', '0.95', '--mask-lr-scale', '0.1', '--a', '6', '--b', '0.1'], what: 'init0.95+lr0.1+a6 with b = 0.1', only: ['cat-cw'] },
].filter((c) => !only || only.includes(c.name));

const cells = [];
for (const s of settings) {
  const jobs = [
    { method: 'trades', candidate: null },
    ...methods.flatMap((m) => CANDIDATES.filter((c) => !c.only || c.only.includes(m)).map((c) => ({ method: m, candidate: c }))),
  ];
  for (const job of jobs) cells.push({ ...s, ...job });
}

const results = [];
const t0 = Date.now();
cells.forEach((cell, i) => {
  const label = cell.candidate ? `${cell.method} ${cell.candidate.name}` : cell.method;
  const dir = path.join(runsDir, `${cell.dataset}-eps${cell.eps}`, label.replace(/ /g, '-'));
  const evalFile = path.join(dir, 'eval.json');
  const started = Date.now();
  let status = 'ok';
  let message = '';
  if (!fs.existsSync(evalFile)) {
    const flags = ['train', '--method', cell.method, '--dataset', cell.dataset, '--eps', String(cell.eps), ...common];
    if (cell.candidate) flags.push('--recipe', 'spec', ...cell.candidate.flags);
    const t = trainOnce(dir, flags, 2);
    if (!t.ok) {
      status = 'failed';
      message = lastLine(t.out);
    } else {
      const e = runCli(['eval', dir, '--attacks', 'pgd20', '--limit', evalLimit]);
      if (!e.ok) {
        status = 'eval failed';
        message = lastLine(e.out);
      }
    }
  }
  const metrics = readJsonLines(path.join(dir, 'metrics.jsonl'));
  const ev = fs.existsSync(evalFile) ? JSON.parse(fs.readFileSync(evalFile, 'utf8')) : null;
  const acc = (n) => ev?.runs?.[0]?.attacks.find((a) => a.name.toLowerCase().replace(/[^a-z0-9]/g, '') === n)?.accuracy ?? null;
  const last = metrics[metrics.length - 1];
  results.push({
    dataset: cell.dataset,
    eps: cell.eps,
    method: cell.method,
    candidate: cell.candidate?.name ?? null,
    flags: cell.candidate ? ['--recipe', 'spec', ...cell.candidate.flags] : [],
    status,
    message,
    natural: acc('natural'),
    pgd20: acc('pgd20'),
    epochPgd10: last?.pgd10Acc ?? null,
    mask: last?.mask ?? null,
    maskByEpoch: metrics.map((m) => m.mask ?? null),
    trainSeconds: metrics.reduce((a, m) => a + m.trainSeconds, 0),
  });
  const r = results[results.length - 1];
  progress(
    i,
    cells.length,
    t0,
    `${cell.dataset} eps ${cell.eps} ${label}: ${status} natural ${r.natural ?? '-'} pgd20 ${r.pgd20 ?? '-'}` +
      `${r.mask ? ` mask mean ${r.mask.mean.toFixed(3)} low ${r.mask.low.toFixed(3)}` : ''}; ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
});

const pct = (v) => (v === null ? '-' : (100 * v).toFixed(1));
const f3 = (v) => (v === undefined || v === null ? '-' : v.toFixed(2));
const lines = [
  '# Mask-collapse remedies: the evidence behind CAT\'s default mask settings',
  '',
  `Command: \`node tools/experiments/mask-remedies.mjs ${args.join(' ')}\`. Each run: \`cat-cli train ${common.join(' ')}\` ` +
    `(Adam 1e-3, batch 100, preset a/b/K/alpha), then \`cat-cli eval RUN --attacks pgd20 --limit ${evalLimit}\` on the best checkpoint ` +
    `(natural and PGD-20 at the training eps, no random start, MNIST-like step 0.01) on ${evalLimit} held-out test images. ` +
    `Candidates apply their flags on top of \`--recipe spec\`. Mask columns: last epoch's mean mask, fraction of values below 0.01, ` +
    `mean on stroke (x > 0.5) and background (x < 0.1) pixels. Made ${new Date().toISOString().slice(0, 16)} UTC.`,
  '',
  '| data | eps | method | candidate | natural | PGD-20 | nat + PGD-20 | mask mean | mask < 0.01 | stroke | background | status |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ...results.map(
    (r) =>
      `| ${r.dataset} | ${r.eps} | ${r.method} | ${r.candidate ?? '-'} | ${pct(r.natural)} | ${pct(r.pgd20)} | ` +
      `${r.natural === null ? '-' : (100 * (r.natural + r.pgd20)).toFixed(1)} | ${f3(r.mask?.mean)} | ${r.mask ? pct(r.mask.low) : '-'} | ` +
      `${f3(r.mask?.stroke)} | ${f3(r.mask?.background)} | ${r.status}${r.mask && r.mask.low > 0.99 ? ' **mask collapsed**' : ''}${r.message ? `: ${r.message}` : ''} |`,
  ),
];
fs.mkdirSync(outDir, { recursive: true });
const base = path.join(outDir, methods.length === 1 && methods[0] === 'cat-cent' ? 'mask-remedies' : `mask-remedies-${methods.join('-')}`);
fs.writeFileSync(`${base}.md`, `${lines.join('\n')}\n`);
fs.writeFileSync(`${base}.json`, `${JSON.stringify({ command: `node tools/experiments/mask-remedies.mjs ${args.join(' ')}`, candidates: CANDIDATES, results }, null, 2)}\n`);
console.log(`wrote ${base}.md and .json`);
