/**
 * Runs a functional tfjs model on concrete tensors layer by layer, disposing each intermediate
 * output as soon as the last layer that reads it has run, in training mode too.
 *
 * Why: `model.apply(x, { training: true })` (tfjs-layers' `execute`) keeps every layer's output
 * alive until the whole forward pass ends, because in training mode it skips its own early
 * disposal. The gradient never needs them: tfjs's tape keeps its own clones of exactly the
 * tensors each kernel saves for its gradient. So the forward pass's peak is every activation of
 * the model, where PyTorch's is only the saved ones; for a ResNet that is about twice as much.
 * Disposing early leaves the values and gradients bit-identical (the same layers run in the same
 * order on the same inputs); only the lifetime of tensors nobody reads again changes.
 *
 * It walks tfjs-layers' own graph (`nodesByDepth`, deepest first, as `Container.runInternalGraph`
 * does) and calls each layer's public `apply` with `{ training }`, as `execute` does. Models
 * without that graph, or with layers that make masks (Masking, Embedding), fall back to
 * `model.apply`.
 */
import * as tf from '@tensorflow/tfjs';

/** The parts of tfjs-layers' graph used here (all present on tfjs-layers 4.22's Container). */
interface SymbolicRef {
  id: number;
}
interface GraphNode {
  outboundLayer: tf.layers.Layer;
  inputTensors: SymbolicRef[];
  outputTensors: SymbolicRef[];
}
interface ContainerInternals {
  nodesByDepth?: Record<string, GraphNode[]>;
  inputLayers?: tf.layers.Layer[];
  inputs: SymbolicRef[];
  outputs: SymbolicRef[];
}

/** The layer calls in order, and how many calls read each symbolic tensor. */
interface Plan {
  steps: GraphNode[];
  readers: Map<number, number>;
}

const plans = new WeakMap<tf.LayersModel, Plan | null>();

function planFor(model: tf.LayersModel): Plan | null {
  if (plans.has(model)) return plans.get(model) ?? null;
  const c = model as unknown as ContainerInternals;
  let plan: Plan | null = null;
  if (c.nodesByDepth != null && c.inputLayers != null) {
    const inputLayers = new Set(c.inputLayers);
    const depths = Object.keys(c.nodesByDepth)
      .map(Number)
      .sort((a, b) => b - a);
    const steps = depths.flatMap((d) => (c.nodesByDepth as Record<string, GraphNode[]>)[d]).filter((n) => !inputLayers.has(n.outboundLayer));
    const readers = new Map<number, number>();
    for (const n of steps) for (const t of n.inputTensors) readers.set(t.id, (readers.get(t.id) ?? 0) + 1);
    // Masks (only Masking and Embedding layers make them) are not propagated here.
    const makesMasks = steps.some((n) => ['Masking', 'Embedding'].includes(n.outboundLayer.getClassName()));
    // A Sequential model's own graph is empty (its layers live in an inner model): fall back.
    plan = makesMasks || steps.length === 0 ? null : { steps, readers };
  }
  plans.set(model, plan);
  return plan;
}

/**
 * `model.apply(inputs, { training })` for a functional model, freeing intermediates early (see
 * the file comment). Returns the model's output (a list for several outputs, as `apply`).
 */
export function runModel(model: tf.LayersModel, inputs: tf.Tensor | tf.Tensor[], training: boolean): tf.Tensor | tf.Tensor[] {
  const plan = planFor(model);
  const xs = Array.isArray(inputs) ? inputs : [inputs];
  const c = model as unknown as ContainerInternals;
  if (plan === null || xs.length !== c.inputs.length) return model.apply(inputs, { training }) as tf.Tensor | tf.Tensor[];
  const outputIds = new Set(c.outputs.map((t) => t.id));
  return tf.tidy(() => {
    const values = new Map<number, tf.Tensor>();
    c.inputs.forEach((t, i) => values.set(t.id, xs[i]));
    const readersLeft = new Map(plan.readers);
    for (const node of plan.steps) {
      const ins = node.inputTensors.map((t) => {
        const v = values.get(t.id);
        if (v === undefined) throw new Error(`runModel(${model.name}): layer ${node.outboundLayer.name} reads a tensor not computed yet`);
        return v;
      });
      const outs = tf.tidy(() => {
        const out = node.outboundLayer.apply(ins.length === 1 ? ins[0] : ins, { training });
        return (Array.isArray(out) ? out : [out]) as tf.Tensor[];
      });
      node.outputTensors.forEach((t, i) => values.set(t.id, outs[i]));
      for (const t of node.inputTensors) {
        const left = (readersLeft.get(t.id) ?? 0) - 1;
        readersLeft.set(t.id, left);
        if (left > 0 || outputIds.has(t.id)) continue;
        const v = values.get(t.id) as tf.Tensor;
        values.delete(t.id);
        // Never the caller's input, nor a tensor some other entry still holds (identity layers).
        if (xs.includes(v) || [...values.values()].includes(v)) continue;
        v.dispose();
      }
    }
    const outs = c.outputs.map((t) => values.get(t.id) as tf.Tensor);
    return outs.length === 1 ? outs[0] : outs;
  });
}
