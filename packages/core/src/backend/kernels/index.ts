/**
 * Every kernel the native backend overrides. Kernels not listed run the cpu backend's
 * implementation on the same memory. The element-wise and reduction kernels come one per op
 * code of native/ops.manifest; test/parity/coverage.test.ts fails for a kernel here without a
 * parity case.
 */
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { conv2dConfig } from './conv2d.js';
import { fusedConv2dConfig } from './fused-conv2d.js';
import { catConv2dBackpropInputReluConfig, conv2dBackpropInputConfig } from './conv2d-backprop-input.js';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { batchMatMulConfig } from './batch-matmul.js';
import { fusedMatMulConfig } from './fused-matmul.js';
import { binaryOpConfigs } from './binary-ops.js';
import { unaryOpConfigs } from './unary-ops.js';
import { reductionConfigs } from './reductions.js';
import { fusedBatchNormConfig } from './fused-batch-norm.js';
import { resizeNearestNeighborConfig, resizeNearestNeighborGradConfig } from './resize-nearest-neighbor.js';
import { softmaxConfig } from './softmax.js';
import { padV2Config, sliceConfig } from './slice-pad.js';
import { tileConfig } from './tile.js';
import { catReluGradConfig } from './cat-relu-grad.js';
import { catBatchNormGradConfig } from './cat-batch-norm-grad.js';
import { catMomentsConfig } from './cat-moments.js';
import { catSignStepProjectConfig } from './cat-sign-step-project.js';
import { catCalibrateConfig, catCalibrateGradConfig } from './cat-calibrate.js';
import { catLogSoftmaxConfig, catLogSoftmaxGradConfig } from './cat-log-softmax.js';
import { catKlDivConfig, catKlDivGradConfig } from './cat-kl-div.js';
import { catSoftmaxCrossEntropyConfig, catSoftmaxCrossEntropyGradConfig } from './cat-softmax-cross-entropy.js';

export const nativeKernels: KernelConfig[] = [
  conv2dConfig,
  fusedConv2dConfig,
  conv2dBackpropInputConfig,
  catConv2dBackpropInputReluConfig,
  conv2dBackpropFilterConfig,
  batchMatMulConfig,
  fusedMatMulConfig,
  ...binaryOpConfigs,
  ...unaryOpConfigs,
  ...reductionConfigs,
  fusedBatchNormConfig,
  resizeNearestNeighborConfig,
  resizeNearestNeighborGradConfig,
  softmaxConfig,
  sliceConfig,
  padV2Config,
  tileConfig,
  catReluGradConfig,
  catBatchNormGradConfig,
  catMomentsConfig,
  catSignStepProjectConfig,
  catCalibrateConfig,
  catCalibrateGradConfig,
  catLogSoftmaxConfig,
  catLogSoftmaxGradConfig,
  catKlDivConfig,
  catKlDivGradConfig,
  catSoftmaxCrossEntropyConfig,
  catSoftmaxCrossEntropyGradConfig,
];
