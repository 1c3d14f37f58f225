/**
 * Sum, Max and Mean on the native backend when the reduced axes are the trailing ones (logits
 * rows), the leading ones (N,H,W of NHWC: batch-norm statistics, bias gradients) or a run of
 * middle ones (H,W of NHWC: global average pooling, which tfjs's cpu kernel does by a transpose
 * and a JS loop: 2.4% of a ResNet CAT step). Other axis sets and non-float32 inputs run the cpu
 * kernel.
 */
import { type KernelConfig, type TensorInfo, util } from '@tensorflow/tfjs-core';
import { addon, cpuFallback, isFloat32, output, values, type NativeKernelArgs } from '../kernel-helpers.js';
import { REDUCE_OP, type ReduceOpName } from '../native-ops.js';

/** The attribute holding the reduced axes, per `ReduceOp` kernel. */
const AXIS_ATTR: Record<ReduceOpName, string> = { Sum: 'axis', Max: 'reductionIndices', Mean: 'axis' };

const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);

function reduceConfig(kernelName: ReduceOpName): KernelConfig {
  const [code, axisAttr] = [REDUCE_OP[kernelName].code, AXIS_ATTR[kernelName]];
  return {
    kernelName,
    backendName: 'native',
    kernelFunc: (raw) => {
      const args = raw as unknown as NativeKernelArgs<'x'>;
      const x = args.inputs.x as TensorInfo;
      const attrs = args.attrs ?? {};
      const rank = x.shape.length;
      const axes = util.parseAxisParam(attrs[axisAttr] as number | number[], x.shape).sort((p, q) => p - q);
      // One run of consecutive axes (which rules out repeats): x is [outer, mid, inner], reduced over mid.
      const contiguous = axes.every((v, i) => i === 0 || v === axes[i - 1] + 1);
      if (!isFloat32(x) || axes.length === 0 || !contiguous || prod(x.shape) === 0) {
        return cpuFallback(kernelName, args);
      }
      const [first, last] = [axes[0], axes[axes.length - 1] + 1];
      const [outer, mid, inner] = [prod(x.shape.slice(0, first)), prod(x.shape.slice(first, last)), prod(x.shape.slice(last))];
      const out = new Float32Array(outer * inner);
      const xv = values(args.backend, x);
      if (first === 0) addon().reduce(xv, out, code, mid, inner, true);
      else if (last === rank) addon().reduce(xv, out, code, outer, mid, false);
      else addon().reduceMiddleAxes(xv, out, code, outer, mid, inner);
      const shape = attrs.keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
      return output(args.backend, shape, out);
    },
  };
}

/** One kernel per `ReduceOp` of native/ops.manifest (the op names are tfjs kernel names). */
export const reductionConfigs: KernelConfig[] = (Object.keys(REDUCE_OP) as ReduceOpName[]).map(reduceConfig);
