/**
 * Every parity case, one line per kernel file. Each case runs on `cpu` and `native` with the same
 * random inputs and must agree within 1e-4 relative error; coverage.test.ts fails for a kernel
 * the native backend registers that no case names.
 */
import type { ParityCase } from './types.js';
import { conv2dCases, convFallbackCases, dilatedConv2dCases, fusedActivationCases } from './conv2d.js';
import { emptyBatchMatmulCase, matmulCases } from './matmul.js';
import { activationGradCases, binaryCases, unaryCases } from './elementwise.js';
import { momentsCases, reductionCases } from './reductions.js';
import { batchNormCases } from './batch-norm.js';
import { resizeCases } from './resize.js';
import { softmaxCases } from './softmax.js';
import { fusedOpCases } from './fused-ops.js';
import { padCases, sliceCases, tileCases } from './slice-pad.js';

export const parityCases: ParityCase[] = [
  ...conv2dCases,
  ...dilatedConv2dCases,
  ...convFallbackCases,
  ...fusedActivationCases,
  ...matmulCases,
  emptyBatchMatmulCase,
  ...binaryCases,
  ...unaryCases,
  ...activationGradCases,
  ...reductionCases,
  ...momentsCases,
  ...batchNormCases,
  ...resizeCases,
  ...softmaxCases,
  ...fusedOpCases,
  ...sliceCases,
  ...padCases,
  ...tileCases,
];
