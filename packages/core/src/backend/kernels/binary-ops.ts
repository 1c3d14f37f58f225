/**
 * Element-wise binary kernels on the native backend: Add, Sub, Multiply, RealDiv, Maximum,
 * Minimum, SquaredDifference over float32 with the broadcasts of `broadcastMode`; anything else
 * (other dtypes, general broadcasts) runs the cpu kernel.
 */
import { backend_util, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { addon, cpuFallback, isFloat32, output, values, type NativeKernelArgs, outputArray } from '../kernel-helpers.js';
import { broadcastMode } from './broadcast-mode.js';
import { BINARY_OP } from '../native-ops.js';
import type { OpCode } from '../op-code.js';

/** The kernel of the `BinaryOp` called `kernelName`. */
function binaryConfig([kernelName, { code }]: [string, OpCode]): KernelConfig {
  return {
    kernelName,
    backendName: 'native',
    kernelFunc: (raw) => {
      const args = raw as unknown as NativeKernelArgs<'a' | 'b'>;
      const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
      if (!isFloat32(a, b)) return cpuFallback(kernelName, args);
      const outShape = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
      const am = broadcastMode(a.shape, outShape);
      const bm = broadcastMode(b.shape, outShape);
      const size = outShape.reduce((x, y) => x * y, 1);
      if (am === null || bm === null || size === 0) return cpuFallback(kernelName, args);
      const out = outputArray(size);
      const be = args.backend;
      addon().binary(values(be, a), values(be, b), out, code, am[0], am[1], bm[0], bm[1]);
      return output(be, outShape, out);
    },
  };
}

/** One kernel per `BinaryOp` of native/ops.manifest (the op names are tfjs kernel names). */
export const binaryOpConfigs: KernelConfig[] = Object.entries(BINARY_OP).map(binaryConfig);
