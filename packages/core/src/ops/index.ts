/**
 * Fused operations of the attacks, calibration and losses. Each is one tfjs op backed by a
 * custom kernel (`Cat*`, see kernel-names.ts): the `cpu` backend runs the plain-JS kernels in
 * this folder, the `native` backend the Rust ones (backend/kernels/), and every other backend the
 * composite definition. Attacks, methods and losses call these, never the composite by hand.
 */
import './register-kernels-and-gradients.js';
// tfjs 4.22's cpu ResizeNearestNeighborGrad is wrong for batches > 1 (see the file).
import './fix-cpu-resize-nearest-grad.js';

export { signStepProject } from './sign-step-project.js';
export { calibrate } from './calibrate.js';
export { logSoftmax } from './log-softmax.js';
export { klDivergence } from './kl-div.js';
export { softmaxCrossEntropy } from './softmax-cross-entropy.js';
export * as fusedKernelNames from './kernel-names.js';
