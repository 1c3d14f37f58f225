/**
 * Registers the fused ops' plain-JS kernels for the `cpu` backend and their gradients (gradients
 * are per kernel name, shared by every backend), and installs the fused ReLU/LeakyReLU, Conv2D
 * (conv-relu-grad.ts) and batch-norm gradients and lean Sum/Mean gradients over tfjs's (relu-grad.ts, batch-norm-grad.ts,
 * reduce-grad.ts). Runs once when the ops are imported.
 */
import type * as tf from '@tensorflow/tfjs';
import * as names from './kernel-names.js';
import { registerGradientOnce, registerKernelOnce } from './kernel-dispatch.js';
import { signStepProjectCpu, signStepProjectGrad } from './sign-step-project.js';
import { calibrateCpu, calibrateGrad, calibrateGradCpu } from './calibrate.js';
import { logSoftmaxCpu, logSoftmaxGrad, logSoftmaxGradCpu } from './log-softmax.js';
import { klDivCpu, klDivGrad, klDivGradCpu } from './kl-div.js';
import {
  softmaxCrossEntropyCpu,
  softmaxCrossEntropyGrad,
  softmaxCrossEntropyGradCpu,
} from './softmax-cross-entropy.js';
import { installReluGradients, reluGradCpu } from './relu-grad.js';
import { batchNormGradCpu, installBatchNormGradient } from './batch-norm-grad.js';
import { installReduceGradients } from './reduce-grad.js';
import { installLeanGradients } from './lean-gradients.js';
import { conv2dBackpropInputReluCpu, installConv2dGradient } from './conv-relu-grad.js';

/** The plain-JS kernel of every fused op, by kernel name. */
export const fusedOpCpuKernels: Record<string, (args: never) => tf.TensorInfo | tf.TensorInfo[]> = {
  [names.CatSignStepProject]: signStepProjectCpu,
  [names.CatCalibrate]: calibrateCpu,
  [names.CatCalibrateGrad]: calibrateGradCpu,
  [names.CatLogSoftmax]: logSoftmaxCpu,
  [names.CatLogSoftmaxGrad]: logSoftmaxGradCpu,
  [names.CatKlDiv]: klDivCpu,
  [names.CatKlDivGrad]: klDivGradCpu,
  [names.CatSoftmaxCrossEntropy]: softmaxCrossEntropyCpu,
  [names.CatSoftmaxCrossEntropyGrad]: softmaxCrossEntropyGradCpu,
  [names.CatReluGrad]: reluGradCpu,
  [names.CatBatchNormGrad]: batchNormGradCpu,
  [names.CatConv2DBackpropInputRelu]: conv2dBackpropInputReluCpu,
};

for (const [kernelName, fn] of Object.entries(fusedOpCpuKernels)) {
  registerKernelOnce({ kernelName, backendName: 'cpu', kernelFunc: fn as unknown as tf.KernelFunc });
}
for (const g of [signStepProjectGrad, calibrateGrad, logSoftmaxGrad, klDivGrad, softmaxCrossEntropyGrad]) {
  registerGradientOnce(g);
}
installReluGradients();
installConv2dGradient();
installBatchNormGradient();
installReduceGradients();
installLeanGradients();
