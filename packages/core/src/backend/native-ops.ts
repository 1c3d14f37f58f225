// Generated from native/ops.manifest by tools/gen-native-ops.mjs: edit the manifest, not this file.
/** The native addon's functions and op codes, from native/ops.manifest. */
import type { OpCode } from './op-code.js';

/** Every function of the addon, in manifest order. */
export const ADDON_FUNCTIONS = [
  'info',
  'conv2d',
  'conv2dBackpropInput',
  'conv2dBackpropFilter',
  'matmul',
  'binary',
  'unary',
  'reduce',
  'reduceMiddleAxes',
  'moments',
  'softmax',
  'logSoftmax',
  'logSoftmaxGrad',
  'klDiv',
  'klDivGrad',
  'softmaxCrossEntropy',
  'softmaxCrossEntropyGrad',
  'signStepProject',
  'calibrate',
  'calibrateGrad',
  'batchNorm',
  'batchNormGrad',
  'resizeNearest',
  'resizeNearestGrad',
  'slice',
  'pad',
  'tile',
  'reluGrad',
  'freeArray',
  'mpiProbe',
  'mpiInit',
  'mpiAllreduceSum',
  'mpiBroadcast',
  'mpiBarrier',
  'mpiFinalize',
  'mpiAbort',
] as const;

/** Hash of the manifest's declarations; the addon's `info()` reports the one it was built from. */
export const OPS_MANIFEST_HASH = '00e3d9680d6cab5f';

/** The `UnaryOp` codes by name. */
export type UnaryOpName = 'Relu' | 'LeakyRelu' | 'Sigmoid' | 'Step' | 'Sign' | 'Exp' | 'Log' | 'Neg' | 'Square' | 'Sqrt' | 'Rsqrt' | 'Abs' | 'ClipByValue';
export const UNARY_OP: Readonly<Record<UnaryOpName, OpCode>> = {
  Relu: { code: 0, params: [] },
  LeakyRelu: { code: 1, params: [{ attr: 'alpha' }] },
  Sigmoid: { code: 2, params: [] },
  Step: { code: 3, params: [{ attr: 'alpha', default: 0 }] },
  Sign: { code: 4, params: [] },
  Exp: { code: 5, params: [] },
  Log: { code: 6, params: [] },
  Neg: { code: 7, params: [] },
  Square: { code: 8, params: [] },
  Sqrt: { code: 9, params: [] },
  Rsqrt: { code: 10, params: [] },
  Abs: { code: 11, params: [] },
  ClipByValue: { code: 12, params: [{ attr: 'clipValueMin' }, { attr: 'clipValueMax' }] },
};

/** The `BinaryOp` codes by name. */
export type BinaryOpName = 'Add' | 'Sub' | 'Multiply' | 'RealDiv' | 'Maximum' | 'Minimum' | 'SquaredDifference';
export const BINARY_OP: Readonly<Record<BinaryOpName, OpCode>> = {
  Add: { code: 0, params: [] },
  Sub: { code: 1, params: [] },
  Multiply: { code: 2, params: [] },
  RealDiv: { code: 3, params: [] },
  Maximum: { code: 4, params: [] },
  Minimum: { code: 5, params: [] },
  SquaredDifference: { code: 6, params: [] },
};

/** The `ReduceOp` codes by name. */
export type ReduceOpName = 'Sum' | 'Max' | 'Mean';
export const REDUCE_OP: Readonly<Record<ReduceOpName, OpCode>> = {
  Sum: { code: 0, params: [] },
  Max: { code: 1, params: [] },
  Mean: { code: 2, params: [] },
};

/** The `Broadcast` codes by name. */
export type BroadcastName = 'Same' | 'Scalar' | 'Inner' | 'Outer';
export const BROADCAST: Readonly<Record<BroadcastName, OpCode>> = {
  Same: { code: 0, params: [] },
  Scalar: { code: 1, params: [] },
  Inner: { code: 2, params: [] },
  Outer: { code: 3, params: [] },
};
