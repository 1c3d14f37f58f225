/**
 * The page: the runs' test images and a drawing canvas; FGSM or PGD with the chosen eps, steps
 * and step size on every run at once (side by side), showing for each run the adversarial
 * example, the perturbation, CAT's mask g(x_adv) and the calibrated example
 * clip(x + g(x_adv) (x_adv - x), 0, 1) with class probabilities for the natural, adversarial and
 * calibrated inputs; then each run's training curves and `cat-cli eval` table.
 *
 * `window.catPage` exposes the state (backend, last results) for scripts and tests.
 */
import * as tf from '@tensorflow/tfjs';
import { attackOne, type AttackSettings, type RunOutcome } from './attack.js';
import { chooseBackend, type PageBackend } from './backend.js';
import { loadImages, loadManifest, loadRun, type LoadedRun } from './data.js';
import { makeDrawable, readDrawing } from './draw.js';
import { el, evalTable, paintDelta, paintImage, probabilityBars, trainingCurves } from './render.js';

/** The last attack, as numbers (no images but the adversarial one). */
export interface AttackRecord {
  settings: AttackSettings;
  image: { source: 'test' | 'drawing'; index: number | null; label: number };
  runs: Array<Omit<RunOutcome, 'delta' | 'mask' | 'calibratedImage' | 'adversarialImage'> & { adversarialImage: number[] }>;
  milliseconds: number;
}

export interface PageApi {
  ready: boolean;
  error: string | null;
  backend: PageBackend | null;
  /** Backends tried before the one running, with why they failed. */
  skipped: string[];
  /** Attacks finished so far. */
  attacks: number;
  last: AttackRecord | null;
}

declare global {
  interface Window {
    catPage: PageApi;
  }
}

const api: PageApi = { ready: false, error: null, backend: null, skipped: [], attacks: 0, last: null };
window.catPage = api;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** The attack settings the controls show. */
function readSettings(): AttackSettings {
  return {
    attack: ($<HTMLSelectElement>('attack').value as 'pgd' | 'fgsm') ?? 'pgd',
    eps: Number($<HTMLInputElement>('eps').value),
    steps: Number($<HTMLInputElement>('steps').value),
    alpha: Number($<HTMLInputElement>('alpha').value),
    randomStart: $<HTMLInputElement>('random-start').checked,
  };
}

/**
 * Keeps the value labels current, and the step size at 2.5 eps / steps until it is moved by hand.
 * The address may set the first attack: `?attack=pgd|fgsm&eps=E&steps=S&alpha=A&random=1&image=I`
 * (a link to one attack; `backend=NAME` picks the backend).
 */
function wireControls(defaultEps: number, params: URLSearchParams): void {
  const eps = $<HTMLInputElement>('eps');
  const steps = $<HTMLInputElement>('steps');
  const alpha = $<HTMLInputElement>('alpha');
  let alphaByHand = params.has('alpha');
  const attack = params.get('attack');
  if (attack === 'pgd' || attack === 'fgsm') $<HTMLSelectElement>('attack').value = attack;
  if (params.has('steps')) steps.value = params.get('steps')!;
  if (params.has('alpha')) alpha.value = params.get('alpha')!;
  $<HTMLInputElement>('random-start').checked = params.get('random') === '1';
  const show = () => {
    if (!alphaByHand) alpha.value = String(Math.max(Number(alpha.min), (2.5 * Number(eps.value)) / Number(steps.value)));
    $('eps-out').textContent = Number(eps.value).toFixed(3);
    $('steps-out').textContent = steps.value;
    $('alpha-out').textContent = Number(alpha.value).toFixed(3);
    const pgd = $<HTMLSelectElement>('attack').value === 'pgd';
    for (const id of ['steps', 'alpha', 'random-start']) $<HTMLInputElement>(id).disabled = !pgd;
  };
  eps.value = params.get('eps') ?? String(defaultEps);
  eps.addEventListener('input', show);
  steps.addEventListener('input', show);
  alpha.addEventListener('input', () => {
    alphaByHand = true;
    show();
  });
  $('attack').addEventListener('change', show);
  show();
}

/** One column per run: the pictures and the bars of the last attack. */
function renderOutcome(box: HTMLElement, run: LoadedRun, o: RunOutcome, shape: [number, number, number], input: Float32Array, label: number | null, s: AttackSettings, classNames: string[]): void {
  const panel = (title: string, paint: ((c: HTMLCanvasElement) => void) | null, note?: string) => {
    const canvas = el('canvas');
    if (paint) paint(canvas);
    return el('div', { class: `panel${paint ? '' : ' missing'}` }, canvas, el('div', {}, title), ...(note ? [el('div', { class: 'sub' }, note)] : []));
  };
  const verdict = (name: string, p: { pred: number } | null) =>
    p === null ? [] : [el('span', {}, `${name} `), el('span', { class: label === null || p.pred === label ? 'right' : 'wrong' }, classNames[p.pred] ?? String(p.pred)), el('span', {}, '  ')];
  box.replaceChildren(
    el('h2', {}, `${run.info.name} `, el('span', { class: 'sub' }, `${run.info.method}, ${run.info.checkpoint} checkpoint (epoch ${run.info.epoch} of ${run.info.epochs})`)),
    el('p', { class: 'verdict' }, ...verdict('natural', o.natural), ...verdict('adversarial', o.adversarial), ...verdict('calibrated', o.calibrated)),
    el(
      'div',
      { class: 'panels' },
      panel('natural', (c) => paintImage(c, input, shape)),
      panel(`adversarial (${s.attack.toUpperCase()})`, (c) => paintImage(c, o.adversarialImage, shape)),
      panel('perturbation', (c) => paintDelta(c, o.delta, shape, s.eps), `max ${o.linf.toFixed(3)}`),
      panel('CAT mask g(x_adv)', o.mask ? (c) => paintImage(c, channelMean(o.mask!, shape[2]), [shape[0], shape[1], 1]) : null, o.mask ? `mean ${o.maskMean!.toFixed(3)}` : 'no mask net in this run'),
      panel('calibrated', o.calibratedImage ? (c) => paintImage(c, o.calibratedImage!, shape) : null, o.calibratedImage ? 'x + g·δ' : 'not CAT'),
    ),
    el(
      'div',
      { class: 'bars' },
      probabilityBars('natural', o.natural, classNames, label),
      probabilityBars('adversarial', o.adversarial, classNames, label),
      ...(o.calibrated ? [probabilityBars('calibrated', o.calibrated, classNames, label)] : []),
    ),
  );
}

function channelMean(values: Float32Array, c: number): Float32Array {
  if (c === 1) return values;
  const out = new Float32Array(values.length / c);
  for (let i = 0; i < out.length; i++) {
    let s = 0;
    for (let k = 0; k < c; k++) s += values[i * c + k];
    out[i] = s / c;
  }
  return out;
}

async function start(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const choice = await chooseBackend(params.get('backend'));
  api.backend = choice.name;
  api.skipped = choice.skipped;
  const b = $('backend');
  b.textContent =
    `tfjs backend: ${choice.name}` +
    (choice.name === 'webgl' ? '' : ' (webgl is not available here, so this runs slower)') +
    (choice.skipped.length ? `; tried first: ${choice.skipped.join(', ')}` : '');
  b.dataset.backend = choice.name;
  b.classList.toggle('fallback', choice.name !== 'webgl');

  const manifest = await loadManifest();
  const [images, runs] = await Promise.all([loadImages(), Promise.all(manifest.runs.map(loadRun))]);
  const shape = manifest.inputShape;
  const size = shape[0] * shape[1] * shape[2];
  $('dataset').textContent = `(${images.meta.dataset}, the first ${images.meta.count} of the test split)`;
  wireControls(runs[0]?.info.eps ?? 0.3, params);

  // The runs' columns and their training records.
  const columns = runs.map((r) => el('div', { class: 'run', 'data-run': r.info.name }, el('h2', {}, r.info.name)));
  $('results').replaceChildren(...columns);
  $('runs').replaceChildren(
    ...runs.map((r) =>
      el(
        'div',
        { class: 'run-record' },
        el('h2', {}, `${r.info.name}: training`),
        ...trainingCurves(r.metrics),
        r.evaluation ? evalTable(r.evaluation) : el('p', { class: 'sub' }, 'No `cat-cli eval` results in this run.'),
      ),
    ),
  );

  const first = Math.min(Math.max(0, Math.trunc(Number(params.get('image') ?? 0)) || 0), images.meta.count - 1);
  let current: { values: Float32Array; label: number | null; source: 'test' | 'drawing'; index: number | null } = {
    values: images.values.subarray(first * size, (first + 1) * size),
    label: images.meta.labels[first],
    source: 'test',
    index: first,
  };

  const attackNow = async () => {
    const s = readSettings();
    $('status').textContent = `running ${s.attack.toUpperCase()} on ${runs.length} run${runs.length > 1 ? 's' : ''}…`;
    document.body.dataset.state = 'busy';
    $<HTMLButtonElement>('run-attack').disabled = true;
    await tf.nextFrame();
    try {
      const t0 = performance.now();
      // A drawing has no label: attack the class the first run predicts.
      const label =
        current.label ?? tf.tidy(() => (runs[0].f.predict(tf.tensor4d(current.values, [1, ...shape])) as tf.Tensor2D).argMax(1).dataSync()[0]);
      const outcomes = runs.map((r) => attackOne(r.info.name, r.f, r.g, current.values, shape, label, s));
      const ms = performance.now() - t0;
      outcomes.forEach((o, i) => renderOutcome(columns[i], runs[i], o, shape, current.values, current.label, s, manifest.classNames));
      api.last = {
        settings: s,
        image: { source: current.source, index: current.index, label },
        runs: outcomes.map(({ delta: _d, mask: _m, calibratedImage: _c, adversarialImage, ...rest }) => ({ ...rest, adversarialImage: Array.from(adversarialImage) })),
        milliseconds: ms,
      };
      api.attacks += 1;
      $('status').textContent = `${s.attack.toUpperCase()} on ${runs.length} run${runs.length > 1 ? 's' : ''} in ${Math.round(ms)} ms (${choice.name})`;
      document.body.dataset.state = 'done';
    } catch (err) {
      api.error = (err as Error).message;
      $('status').textContent = `error: ${api.error}`;
      document.body.dataset.state = 'error';
    } finally {
      $<HTMLButtonElement>('run-attack').disabled = false;
    }
  };

  // The gallery of test images.
  const buttons = Array.from({ length: images.meta.count }, (_, i) => {
    const canvas = el('canvas');
    paintImage(canvas, images.values.subarray(i * size, (i + 1) * size), shape);
    canvas.style.width = canvas.style.height = '40px';
    const button = el('button', { type: 'button', 'data-index': String(i), title: `test image ${i}: ${manifest.classNames[images.meta.labels[i]]}` }, canvas);
    button.addEventListener('click', () => {
      buttons.forEach((x) => x.classList.remove('selected'));
      button.classList.add('selected');
      current = { values: images.values.subarray(i * size, (i + 1) * size), label: images.meta.labels[i], source: 'test', index: i };
      void attackNow();
    });
    return button;
  });
  $('gallery').replaceChildren(...buttons);
  buttons[first]?.classList.add('selected');

  const pad = makeDrawable($<HTMLCanvasElement>('draw'));
  $('clear-drawing').addEventListener('click', () => pad.clear());
  $('use-drawing').addEventListener('click', () => {
    if (!pad.hasInk()) {
      $('status').textContent = 'draw a digit first';
      return;
    }
    buttons.forEach((x) => x.classList.remove('selected'));
    current = { values: readDrawing($<HTMLCanvasElement>('draw'), shape), label: null, source: 'drawing', index: null };
    void attackNow();
  });
  $('run-attack').addEventListener('click', () => void attackNow());

  api.ready = true;
  document.body.dataset.state = 'ready';
  await attackNow();
}

start().catch((err) => {
  api.error = (err as Error)?.message ?? String(err);
  $('status').textContent = `error: ${api.error}`;
  document.body.dataset.state = 'error';
});
