#!/usr/bin/env node
// The full AutoAttack parity run: cat's AutoAttack (standard, Linf, eps 0.1, seed 0) on all 200
// digits of the parity fixture, beside what the reference AutoAttack (fra31/auto-attack a392200)
// found on them: robust accuracy after each stage, seconds per stage and in total, and the
// per-example agreement of the final robust sets. CI runs the shorter
// test/parity/autoattack-reference.test.ts; this is the full standard run (minutes).
//
//   pnpm build   # the script uses the built packages/core
//   node tools/parity/autoattack-full.mjs [--backend native|cpu|wasm] [--fixture DIR] [--json FILE]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { AutoAttack, asClassifier, availableBackends, loadModel, useBackend } from '../../packages/core/dist/index.js';
import { compareRobust, readParityFixture, referenceStageAccuracies } from './autoattack-fixture.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const fixtureDir = path.resolve(opt('fixture', path.join(root, '../shared/fixtures/autoattack-parity')));
const backend = opt('backend', availableBackends()[0]);
const jsonOut = opt('json', undefined);

await useBackend(backend);
const fx = readParityFixture(fixtureDir);
const ref = fx.reference;
const eps = ref.eps;
const model = await loadModel(fixtureDir);
const f = asClassifier(model);
const x = tf.tensor4d(fx.images, [fx.n, ...fx.shape]);
const y = tf.tensor1d(fx.labels, 'int32');

const predict = (input) => tf.tidy(() => tf.argMax(f(input), 1).dataSync());
const clean = predict(x);
const cleanCorrect = Array.from(clean, (p, i) => (p === fx.labels[i] ? 1 : 0));
const cleanAgree = compareRobust(cleanCorrect, ref.clean_correct);

console.log(`AutoAttack parity, full standard run: ${fx.n} digits, eps ${eps}, backend ${backend}, fixture ${fixtureDir}`);
console.log(`clean accuracy: cat ${pct(mean(cleanCorrect))}, reference ${pct(ref.clean_accuracy)} (${cleanAgree.agree}/${fx.n} examples agree)`);

const t0 = performance.now();
const aa = new AutoAttack({ eps, rng: 0 });
const { xAdv, breakdown } = aa.runDetailed(f, x, y);
const seconds = (performance.now() - t0) / 1000;
const after = predict(xAdv);
// The reference's closing check: the largest Linf perturbation and the range of the images.
const [maxDelta, lo, hi] = tf.tidy(() =>
  Array.from(tf.stack([tf.max(tf.abs(tf.sub(xAdv, x))), tf.min(xAdv), tf.max(xAdv)]).dataSync()),
);
const robust = Array.from(after, (p, i) => (p === fx.labels[i] && cleanCorrect[i] ? 1 : 0));
const final = compareRobust(robust, ref.autoattack_standard.robust_correct);
const refStages = referenceStageAccuracies(ref);

console.log('');
console.log('| stage | cat robust accuracy (%) | reference (%) | cat seconds |');
console.log('|---|---:|---:|---:|');
for (const s of breakdown.stages) {
  console.log(`| ${s.name} | ${pct(s.robustAccuracy)} | ${pct(refStages[s.name])} | ${s.seconds.toFixed(1)} |`);
}
console.log('');
console.log(`total: ${seconds.toFixed(1)} s; final robust accuracy cat ${pct(mean(robust))}, reference ${pct(ref.autoattack_standard.accuracy)}`);
console.log(`max Linf perturbation ${maxDelta.toFixed(5)} (eps ${eps}); adversarial images in [${lo}, ${hi}]`);
console.log(
  `per example: ${final.agree}/${fx.n} agree; cat robust where the reference broke it: ${final.catOnly}; ` +
    `the reference robust where cat broke it: ${final.referenceOnly}`,
);

if (jsonOut) {
  const result = {
    fixture: fixtureDir,
    backend,
    eps,
    n: fx.n,
    seconds,
    clean: { cat: mean(cleanCorrect), reference: ref.clean_accuracy, agree: cleanAgree.agree },
    stages: breakdown.stages.map((s) => ({ ...s, reference: refStages[s.name] })),
    final: { cat: mean(robust), reference: ref.autoattack_standard.accuracy, ...final },
    maxPerturbation: maxDelta,
    robustCorrect: robust,
    finishedAt: new Date().toISOString(),
  };
  fs.writeFileSync(jsonOut, JSON.stringify(result, null, 1) + '\n');
  console.log(`wrote ${jsonOut}`);
}

function mean(a) {
  return a.reduce((s, v) => s + v, 0) / a.length;
}
function pct(v) {
  return (v * 100).toFixed(1);
}
