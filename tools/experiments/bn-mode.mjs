#!/usr/bin/env node
// Does it matter for evaluation which training-mode forward passes feed the classifier's
// BatchNorm running statistics? The CAT authors' CIFAR script (Train_CIFAR10.py), like Rice et
// al.'s robust-overfitting code, runs f in training mode for two passes that cat's CAT step does
// not: one on x_adv after the attack (restart selection) and one on the clean batch at the end of
// the step (logging); and it runs step 3's passes as f(x_cal), f(x) where cat runs f(x), f(x_cal).
//
// In training mode BatchNorm normalises with the batch's own statistics, so the running statistics
// never touch the training trajectory (the weights): the two policies train the same weights and
// differ only in the running mean/var that inference mode uses. So: train a BN model briefly
// (CAT-cent, PreAct ResNet-18 f, ResNet-18 mask net g, Fashion-MNIST), then from its checkpoint
// replay S steps of cat's own CAT step (perturb, updateClassifier, updateMask) with learning rate
// 0, recording the batch statistics of every training-mode pass of f. Both policies' running
// statistics are then exponential moving averages (momentum 0.1, PyTorch's; 0.9 in Keras terms)
// over those recorded passes in their own order: with the weights fixed, every pass of the
// authors' sequence is one cat's step already computes (restart selection = step 4's f(x_adv),
// logging = step 3's f(x)), which the replay checks; it runs the two extra passes where the
// authors do, so the same code measures a replay at a learning rate above 0 too. Each policy's statistics are written into f,
// which is then evaluated in inference mode (natural and PGD-20). Repeated over a few batch orders.
// A rerun skips what is done (the run, each seed's replay, each evaluation). Writes
// docs/results/bn-mode.{md,json}.
//
//   node --conditions=source --import tsx tools/experiments/bn-mode.mjs [--runs runs/bn-mode]
//     [--seeds 0,1,2] [--replay-steps 6] [--limit 300] [--natural-limit 2000] [--backend native]
//     [--train-subset 1000] [--batch 64] [--out docs/results]
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { root, option, readJsonLines, meanStd, progress } from './lib.mjs';

const core = await import(path.join(root, 'packages/core/src/index.ts'));
const trainer = await import(path.join(root, 'packages/trainer/src/index.ts'));

const args = process.argv.slice(2);
const opt = (name, dflt) => option(args, name, dflt);
const runsDir = path.resolve(opt('runs', path.join(root, 'runs/bn-mode')));
const outDir = path.resolve(opt('out', path.join(root, 'docs/results')));
const seeds = opt('seeds', '0,1,2').split(',').map(Number);
const replaySteps = Number(opt('replay-steps', '6'));
const limit = Number(opt('limit', '300'));
const naturalLimit = Number(opt('natural-limit', '2000'));
const backend = opt('backend', 'native');
const command = `node --conditions=source --import tsx tools/experiments/bn-mode.mjs ${args.join(' ')}`.trim();

// The short run: CAT-cent with the CIFAR architectures and CIFAR's a, b on 28x28x1 data; K = 5
// attack steps of eps/4 (CIFAR's alpha/eps ratio), the rest cat's Fashion-MNIST preset.
const RUN = {
  method: 'cat-cent',
  dataset: 'fashion-mnist',
  arch: 'preact-resnet18',
  maskArch: 'resnet18-mask',
  a: 5,
  b: 0.05,
  steps: 5,
  alpha: 0.025,
  epochs: 1,
  batch: Number(opt('batch', '64')),
  trainSubset: Number(opt('train-subset', '1000')),
  testSubset: 100,
  evalSteps: 2,
  allowMaskCollapse: true,
  seed: 0,
};
const runDir = path.join(runsDir, 'run');
const stateFile = path.join(runsDir, 'state.json');
const state = fs.existsSync(stateFile) ? JSON.parse(fs.readFileSync(stateFile, 'utf8')) : { replays: {}, evals: {} };
const save = () => {
  fs.mkdirSync(runsDir, { recursive: true });
  fs.writeFileSync(stateFile, `${JSON.stringify(state)}\n`);
};
const t0 = Date.now();
const seconds = (t) => ((Date.now() - t) / 1000).toFixed(0);

// 1. The checkpoint.
if (readJsonLines(path.join(runDir, 'metrics.jsonl')).length < RUN.epochs) {
  const started = Date.now();
  const resume = fs.existsSync(path.join(runDir, 'checkpoints/last'));
  console.log(`training ${runDir} (${resume ? 'resuming' : 'from scratch'})`);
  let last = 0;
  await trainer.train({ ...RUN, backend, out: runDir }, {
    resume,
    force: !resume,
    onProgress: (e) => {
      if (e.type === 'step' && Date.now() - last > 30_000) {
        last = Date.now();
        console.log(`  step ${e.step}/${e.steps}, ${e.imagesPerSec.toFixed(1)} images/s`);
      }
      if (e.type === 'warning') console.log(`  warning: ${e.message}`);
    },
  });
  console.log(`trained in ${seconds(started)} s`);
} else {
  await core.useBackend(backend);
}
const metrics = readJsonLines(path.join(runDir, 'metrics.jsonl'));
const run = await trainer.loadRun(runDir, { checkpoint: 'last' });
const { f, g, config } = run;
const data = await trainer.coreDeps.loadData(config);
const method = trainer.coreDeps.createMethod(config);

// f's BatchNorm layers and their running statistics.
const bnLayers = f.layers.filter((l) => l.getClassName() === 'BatchNormalization');
const readStats = () => bnLayers.map((l) => ({ mean: Array.from(l.movingMean.read().dataSync()), var: Array.from(l.movingVariance.read().dataSync()) }));
const writeStats = (stats) =>
  bnLayers.forEach((l, i) => {
    l.movingMean.write(tf.tensor1d(stats[i].mean));
    l.movingVariance.write(tf.tensor1d(stats[i].var));
  });
const checkpointStats = readStats();
const momentum = bnLayers[0].momentum;
if (!bnLayers.every((l) => l.momentum === momentum)) throw new Error('the BatchNorm layers differ in momentum');

// The pass sequences per step, as indices into a step's recorded passes
// [a_1..a_K, A0, N, C, A, C', N1]: a_i the attack's passes on its iterates, A0 = f(x_adv) (the
// authors' restart selection), N = f(x) and C = f(x_cal) (cat's step 3), A = f(x_adv) and
// C' = f(x_cal') (step 4), N1 = f(x) (the authors' logging pass). With lr 0, A0 = A and N1 = N.
const K = config.steps;
const attackPasses = Array.from({ length: K }, (_, i) => i);
const [A0, N, C, A, C2, N1] = [K, K + 1, K + 2, K + 3, K + 4, K + 5];
const POLICIES = {
  cat: { passes: [...attackPasses, N, C, A, C2], what: "cat's CAT step: attack, f(x), f(x_cal), f(x_adv), f(x_cal')" },
  authors: {
    passes: [...attackPasses, A0, C, N, A, C2, N1],
    what: "the authors' Train_CIFAR10.py: attack, f(x_adv) (restart selection), f(x_cal), f(x), f(x_adv), f(x_cal'), f(x) (logging)",
  },
};

/** Moving average of `stats` with the recorded pass `b`, tfjs-layers' update (moving -= (moving - b)(1 - momentum)). */
function ema(stats, b) {
  return stats.map((s, i) => ({
    mean: s.mean.map((v, j) => Math.fround(v - (v - b[i].mean[j]) * (1 - momentum))),
    var: s.var.map((v, j) => Math.fround(v - (v - b[i].var[j]) * (1 - momentum))),
  }));
}

const maxAbsDiff = (p, q) => Math.max(...p.flatMap((s, i) => s.mean.map((v, j) => Math.abs(v - q[i].mean[j])).concat(s.var.map((v, j) => Math.abs(v - q[i].var[j])))));

/**
 * Replays `replaySteps` CAT steps from the checkpoint on batches in the order of `seed`, with
 * learning rate 0, recording f's batch statistics after every training-mode pass (momentum set to
 * 0 for the replay, so each pass leaves exactly its batch statistics in the moving variables).
 */
function replay(seed) {
  const record = [];
  const original = bnLayers.map((l) => l.call);
  if (bnLayers.some((l) => Object.hasOwn(l, 'call'))) throw new Error('replay: a BatchNorm layer already has its own call');
  bnLayers.forEach((l) => {
    l.momentum = 0;
  });
  // Each layer logs after its training-mode call; the last BN layer closes a pass.
  bnLayers.forEach((l, i) => {
    l.call = function call(inputs, kwargs) {
      const out = original[i].call(this, inputs, kwargs);
      if (kwargs?.training && i === bnLayers.length - 1) record.push(readStats());
      return out;
    };
  });
  const weightsBefore = f.trainableWeights.map((w) => w.read().dataSync().slice());
  const rng = new core.Rng(seed);
  const st = { f, g, optF: tf.train.sgd(0), optG: tf.train.sgd(0), rng: new core.Rng(seed + 1000), epoch: 0, epochs: 1 };
  const steps = [];
  const checks = [];
  try {
    for (const arrays of core.batches(data.train, { batchSize: config.batch, rng, dropLast: true })) {
      if (steps.length === replaySteps) break;
      const batch = core.batchToTensors(arrays, data.train);
      record.length = 0;
      const xAdv = method.perturb(st, batch);
      // The authors' restart selection, f(x_adv) before f's update (at lr 0 the same as step 4's).
      tf.tidy(() => core.asClassifier(f, true)(xAdv));
      method.updateClassifier(st, batch, xAdv);
      method.updateMask(st, batch, xAdv);
      // The authors' logging pass, f(x) after the updates (at lr 0 the same as step 3's).
      tf.tidy(() => core.asClassifier(f, true)(batch.x));
      tf.dispose([xAdv, batch.x, batch.y]);
      const passes = record.splice(0);
      if (passes.length !== K + 6) throw new Error(`replay: a CAT step ran f ${passes.length - 2} times in training mode, expected K + 4 = ${K + 4}`);
      checks.push({ advIsA: maxAbsDiff(passes[A0], passes[A]), cleanIsN: maxAbsDiff(passes[N1], passes[N]), calTwice: maxAbsDiff(passes[C], passes[C2]), cleanVsAdv: maxAbsDiff(passes[N], passes[A]) });
      steps.push(passes);
    }
  } finally {
    bnLayers.forEach((l) => {
      delete l.call;
      l.momentum = momentum;
    });
  }
  const weightsMoved = f.trainableWeights.some((w, i) => w.read().dataSync().some((v, j) => v !== weightsBefore[i][j]));
  if (weightsMoved) throw new Error('replay: a weight changed at learning rate 0');
  const out = { checks, stats: {} };
  for (const [name, p] of Object.entries(POLICIES)) {
    let stats = checkpointStats;
    for (const passes of steps) for (const k of p.passes) stats = ema(stats, passes[k]);
    out.stats[name] = stats;
  }
  return out;
}

const testAll = (await core.loadDataset(config.dataset)).test;
const test = core.subset(testAll, naturalLimit, new core.Rng(7));
const testSmall = core.subset(test, limit);

/** Natural accuracy on `naturalLimit` test images and natural + PGD-20 on `limit` of them, f in inference mode. */
async function evalWith(stats) {
  writeStats(stats);
  const model = core.asClassifier(f, false);
  const nat = await core.evaluate(model, test, []);
  const attack = core.createEvalAttack('pgd20', { eps: config.eps, dataset: config.dataset });
  const rob = await core.evaluate(model, testSmall, [{ name: 'pgd20', attack }]);
  const acc = (r, n) => r.accuracies.find((a) => a.name === n).accuracy;
  return { natural: acc(nat, 'natural'), naturalSmall: acc(rob, 'natural'), pgd20: acc(rob, 'pgd20') };
}

// Per layer: mean |difference| of the running mean and variance between the two policies.
function layerDiffs(p, q) {
  return bnLayers.map((l, i) => ({
    layer: l.name,
    mean: meanStd(p[i].mean.map((v, j) => Math.abs(v - q[i].mean[j]))).mean,
    var: meanStd(p[i].var.map((v, j) => Math.abs(v - q[i].var[j]))).mean,
    varScale: meanStd(q[i].var).mean,
  }));
}

const jobs = [{ label: 'checkpoint', seed: null, policy: null }, ...seeds.flatMap((s) => Object.keys(POLICIES).map((p) => ({ label: `seed${s}-${p}`, seed: s, policy: p })))];
const replays = {};
for (const [i, job] of jobs.entries()) {
  const started = Date.now();
  let stats = checkpointStats;
  if (job.seed !== null) {
    if (!replays[job.seed]) {
      if (!state.replays[job.seed]) {
        state.replays[job.seed] = replay(job.seed);
        save();
      }
      replays[job.seed] = state.replays[job.seed];
    }
    stats = replays[job.seed].stats[job.policy];
  }
  if (!state.evals[job.label]) {
    state.evals[job.label] = await evalWith(stats);
    save();
  }
  const e = state.evals[job.label];
  progress(i, jobs.length, t0, `${job.label}: natural ${(100 * e.natural).toFixed(1)} (${naturalLimit}), natural ${(100 * e.naturalSmall).toFixed(1)} / PGD-20 ${(100 * e.pgd20).toFixed(1)} (${limit}); ${seconds(started)} s`);
}

// The report.
const pct = (v) => (100 * v).toFixed(1);
const ev = state.evals;
const rows = seeds.map((s) => {
  const c = ev[`seed${s}-cat`];
  const a = ev[`seed${s}-authors`];
  return { seed: s, cat: c, authors: a, diff: { natural: a.natural - c.natural, naturalSmall: a.naturalSmall - c.naturalSmall, pgd20: a.pgd20 - c.pgd20 }, layers: layerDiffs(replays[s].stats.authors, replays[s].stats.cat), checks: replays[s].checks };
});
const summary = (key, pick) => meanStd(rows.map((r) => pick(r)[key]));
const checkMax = (key) => Math.max(...rows.flatMap((r) => r.checks.map((c) => c[key])));
const sd = (key, pol) => summary(key, (r) => r[pol]);
const lastEpoch = metrics[metrics.length - 1];
const lines = [
  "# BatchNorm running statistics: cat's CAT step against the authors' pass sequence",
  '',
  `Command: \`${command}\`. Made ${new Date().toISOString().slice(0, 16)} UTC, backend ${core.currentBackend?.() ?? tf.getBackend()}.`,
  '',
  `Stand-in: Fashion-MNIST (28x28x1, Debian's copy), a short run; no CIFAR-10 here. Checkpoint: ` +
    `\`trainer.train(${JSON.stringify(RUN)})\` (cat's recipe otherwise: Adam 1e-3, mask starting near 0.95 at 0.1x the rate), ` +
    `${metrics.length} epoch(s), per-epoch check natural ${pct(lastEpoch.naturalAcc)} / PGD-${RUN.evalSteps} ${pct(lastEpoch.pgd10Acc)} on ${RUN.testSubset} test images.`,
  '',
  `Replay: from that checkpoint, ${replaySteps} CAT steps (batch ${config.batch}, K = ${K}) per seed of batch order, learning rate 0, ` +
    `f's batch statistics recorded after each of its training-mode passes; each policy's running statistics are the moving average ` +
    `(momentum ${(1 - momentum).toFixed(2)} in PyTorch's terms) over its own sequence of those passes, starting from the checkpoint's. ` +
    `The policies train the same weights (BatchNorm in training mode ignores the running statistics), so this is their whole difference.`,
  '',
  ...Object.entries(POLICIES).map(([n, p]) => `- **${n}**: ${p.what} per step.`),
  '',
  `Evaluation, f in inference mode: natural accuracy on ${naturalLimit} class-balanced test images, natural and PGD-20 ` +
    `(eps ${config.eps}, step ${core.evalStepSize(config.dataset)}, no random start) on ${limit} of them (class-balanced).`,
  '',
  `| statistics | natural (${naturalLimit}) | natural (${limit}) | PGD-20 (${limit}) |`,
  '|---|---|---|---|',
  `| checkpoint's own | ${pct(ev.checkpoint.natural)} | ${pct(ev.checkpoint.naturalSmall)} | ${pct(ev.checkpoint.pgd20)} |`,
  ...rows.flatMap((r) => [
    `| seed ${r.seed}, cat | ${pct(r.cat.natural)} | ${pct(r.cat.naturalSmall)} | ${pct(r.cat.pgd20)} |`,
    `| seed ${r.seed}, authors | ${pct(r.authors.natural)} | ${pct(r.authors.naturalSmall)} | ${pct(r.authors.pgd20)} |`,
  ]),
  ...['cat', 'authors'].map(
    (p) =>
      `| mean +- sd over seeds, ${p} | ${pct(sd('natural', p).mean)} +- ${pct(sd('natural', p).std)} | ${pct(sd('naturalSmall', p).mean)} +- ${pct(sd('naturalSmall', p).std)} | ${pct(sd('pgd20', p).mean)} +- ${pct(sd('pgd20', p).std)} |`,
  ),
  `| authors - cat, mean +- sd of the paired difference | ${pct(summary('natural', (r) => r.diff).mean)} +- ${pct(summary('natural', (r) => r.diff).std)} | ${pct(summary('naturalSmall', (r) => r.diff).mean)} +- ${pct(summary('naturalSmall', (r) => r.diff).std)} | ${pct(summary('pgd20', (r) => r.diff).mean)} +- ${pct(summary('pgd20', (r) => r.diff).std)} |`,
  '',
  'Mean |authors - cat| of the running statistics per BatchNorm layer (mean over channels, then over seeds), beside the mean running variance for scale:',
  '',
  '| layer | running mean | running variance | mean running variance (cat) |',
  '|---|---|---|---|',
  ...bnLayers.map((l, i) => {
    const m = (k) => meanStd(rows.map((r) => r.layers[i][k])).mean.toExponential(2);
    return `| ${l.name} | ${m('mean')} | ${m('var')} | ${m('varScale')} |`;
  }),
  '',
  `Checks of the reading (largest over all replayed steps): every CAT step ran f ${K + 4} times in training mode (K attack passes, then 4); ` +
    `the extra f(x) pass after the step matched the step's f(x) to ${checkMax('cleanIsN').toExponential(1)}, the extra f(x_adv) pass after the attack ` +
    `matched step 4's f(x_adv) to ${checkMax('advIsA').toExponential(1)}, step 3's and step 4's f(x_cal) agreed to ${checkMax('calTwice').toExponential(1)} ` +
    `(while f(x) and f(x_adv) differ by up to ${checkMax('cleanVsAdv').toExponential(1)}); no weight moved.`,
];
fs.mkdirSync(outDir, { recursive: true });
const base = path.join(outDir, 'bn-mode');
fs.writeFileSync(`${base}.md`, `${lines.join('\n')}\n`);
const json = { command, run: RUN, replaySteps, limit, naturalLimit, policies: POLICIES, checkpoint: ev.checkpoint, trainMetrics: metrics, seeds: rows };
fs.writeFileSync(`${base}.json`, `${JSON.stringify(json, null, 2)}\n`);
console.log(`wrote ${base}.md and .json (${((Date.now() - t0) / 60000).toFixed(1)} min)`);
