/**
 * Element-wise unary kernels on the native backend (float32; other dtypes run the cpu kernel):
 * activations and their gradient helper Step, Sign, ClipByValue and the math ops of the losses
 * and batch norm.
 */
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { addon, cpuFallback, isFloat32, output, values, type NativeKernelArgs, outputArray } from '../kernel-helpers.js';
import { UNARY_OP } from '../native-ops.js';
import type { OpCode } from '../op-code.js';

/** The kernel of the `UnaryOp` called `kernelName`: its code, and its attributes as p0, p1. */
function unaryConfig([kernelName, { code, params }]: [string, OpCode]): KernelConfig {
  return {
    kernelName,
    backendName: 'native',
    kernelFunc: (raw) => {
      const args = raw as unknown as NativeKernelArgs<'x'>;
      const x = args.inputs.x as TensorInfo;
      if (!isFloat32(x)) return cpuFallback(kernelName, args);
      const xv = values(args.backend, x);
      const out = outputArray(xv.length);
      const attrs = args.attrs ?? {};
      const [p0 = 0, p1 = 0] = params.map((p) => Number(attrs[p.attr] ?? p.default));
      addon().unary(xv, out, code, p0, p1);
      return output(args.backend, x.shape, out);
    },
  };
}

/** One kernel per `UnaryOp` of native/ops.manifest (the op names are tfjs kernel names). */
export const unaryOpConfigs: KernelConfig[] = Object.entries(UNARY_OP).map(unaryConfig);
