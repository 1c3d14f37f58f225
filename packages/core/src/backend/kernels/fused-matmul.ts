/** _FusedMatMul (matmul + bias + activation: tfjs-layers' Dense) on the native backend. */
import { _FusedMatMul, type _FusedMatMulAttrs, type KernelConfig, util } from '@tensorflow/tfjs-core';
import {
  addon,
  biasFitsChannels,
  cpuFallback,
  isFloat32,
  nativeActivation,
  output,
  outputArray,
  values,
  type NativeKernelArgs,
} from '../kernel-helpers.js';
import { matmulShape } from './matmul-shape.js';

export const fusedMatMulConfig: KernelConfig = {
  kernelName: _FusedMatMul,
  backendName: 'native',
  kernelFunc: (raw) => {
    const args = raw as unknown as NativeKernelArgs<'a' | 'b' | 'bias' | 'preluActivationWeights'>;
    const { a, b, bias } = args.inputs;
    const attrs = args.attrs as unknown as _FusedMatMulAttrs;
    const act = nativeActivation(attrs.activation);
    const shape = isFloat32(a, b, bias) && act !== null ? matmulShape(a!, b!, attrs.transposeA, attrs.transposeB) : null;
    if (!shape || !biasFitsChannels(bias, shape.dims[3])) return cpuFallback(_FusedMatMul, args);
    const be = args.backend;
    const out = outputArray(util.sizeFromShape(shape.outShape));
    addon().matmul(
      values(be, a!),
      values(be, b!),
      bias ? values(be, bias) : null,
      out,
      shape.dims,
      attrs.transposeA,
      attrs.transposeB,
      act!,
      attrs.leakyreluAlpha ?? 0.2,
    );
    return output(be, shape.outShape, out);
  },
};
