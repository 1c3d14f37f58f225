// Generated from native/ops.manifest by tools/gen-native-ops.mjs: edit the manifest, not this file.
/**
 * Types of the native addon. Every function is synchronous, borrows its Float32Array arguments
 * without copying and writes its result into the output arrays the caller allocated. Wrong
 * argument types throw a TypeError, bad shapes an Error with code `CAT_NATIVE`. Argument order:
 * inputs, optional inputs, outputs, attributes. See native/README.md.
 */

declare namespace addon {
  /** Activation names of tfjs's fused ops that the native kernels fuse. */
  export type NativeActivation = 'linear' | 'relu' | 'relu6' | 'leakyrelu' | 'sigmoid' | 'elu';

  export interface NativeAddon {
    /**
     * JSON text: `{"version", "device", "threads", "manifest"}`, `manifest` being the hash of the
     * declarations of the native/ops.manifest the addon was built from.
     */
    info(): string;
    /**
     * Conv2D / FusedConv2D, NHWC, filter [kh, kw, cin, cout]; `bias` [cout] or null. `geometry`:
     * batch, inH, inW, inC, filterH, filterW, outC, strideH, strideW, dilationH, dilationW, padTop,
     * padLeft, outH, outW.
     */
    conv2d(
      x: Float32Array,
      filter: Float32Array,
      bias: Float32Array | null,
      out: Float32Array,
      geometry: number[],
      activation: NativeActivation,
      leakyAlpha: number,
    ): void;
    /**
     * Gradient of Conv2D against its input: `dy` [n, outH, outW, outC] into `dx` [n, inH, inW, inC].
     * With `reluOf` (the conv's input x, itself a ReLU output), ReLU's gradient follows in the same
     * pass: `dx = reluOf > 0 ? dx : 0 * dx`.
     */
    conv2dBackpropInput(
      dy: Float32Array,
      filter: Float32Array,
      dx: Float32Array,
      geometry: number[],
      reluOf?: Float32Array | null,
    ): void;
    /** Gradient of Conv2D against its filter, into `dw` [kh, kw, cin, cout]. */
    conv2dBackpropFilter(x: Float32Array, dy: Float32Array, dw: Float32Array, geometry: number[]): void;
    /**
     * Batched matmul `out[b] = op(a[b]) x op(b[b])` (a batch of 1 broadcasts), then bias [n] and
     * activation. `dims` is [batchA, batchB, m, n, k].
     */
    matmul(
      a: Float32Array,
      b: Float32Array,
      bias: Float32Array | null,
      out: Float32Array,
      dims: number[],
      transposeA: boolean,
      transposeB: boolean,
      activation: NativeActivation,
      leakyAlpha: number,
    ): void;
    /**
     * Element-wise `out = op(a, b)` with a broadcast per operand. Mode: Same (the shape of `out`),
     * Scalar, Inner (element `i % block`, e.g. `[C]` on NHWC) or Outer (element `i / block`, e.g.
     * `[R, 1]` on `[R, block]`); `block` is ignored for Same and Scalar.
     * `op` is a BinaryOp code: 0 Add, 1 Sub, 2 Multiply, 3 RealDiv, 4 Maximum, 5 Minimum, 6 SquaredDifference.
     * `aMode` is a Broadcast code: 0 Same, 1 Scalar, 2 Inner, 3 Outer.
     * `bMode` is a Broadcast code: 0 Same, 1 Scalar, 2 Inner, 3 Outer.
     */
    binary(
      a: Float32Array,
      b: Float32Array,
      out: Float32Array,
      op: number,
      aMode: number,
      aBlock: number,
      bMode: number,
      bBlock: number,
    ): void;
    /**
     * Element-wise `out = op(x)`; `p0`, `p1` are the op's parameters (see its codes), else ignored.
     * `op` is a UnaryOp code: 0 Relu, 1 LeakyRelu(alpha), 2 Sigmoid, 3 Step(alpha), 4 Sign, 5 Exp, 6 Log, 7 Neg, 8 Square, 9 Sqrt, 10 Rsqrt, 11 Abs, 12 ClipByValue(clipValueMin, clipValueMax).
     */
    unary(x: Float32Array, out: Float32Array, op: number, p0: number, p1: number): void;
    /**
     * Sum, Max or Mean of `x` viewed as `[outer, inner]`: over the last axis into `outer` values, or
     * over the leading axes into `inner` values.
     * `op` is a ReduceOp code: 0 Sum, 1 Max, 2 Mean.
     */
    reduce(
      x: Float32Array,
      out: Float32Array,
      op: number,
      outer: number,
      inner: number,
      overLeadingAxes: boolean,
    ): void;
    /**
     * Sum, Max or Mean over the middle axis of x viewed as [outer, mid, inner] (e.g. global average
     * pooling over H and W): `out` has outer * inner values.
     * `op` is a ReduceOp code: 0 Sum, 1 Max, 2 Mean.
     */
    reduceMiddleAxes(x: Float32Array, out: Float32Array, op: number, outer: number, mid: number, inner: number): void;
    /**
     * Batch-norm statistics: per column of x viewed as [outer, inner], the mean and the biased
     * variance mean((x - mean)^2), the same values as tf.moments over the leading axes.
     */
    moments(x: Float32Array, mean: Float32Array, variance: Float32Array, outer: number, inner: number): void;
    /** Row-wise softmax of `[rows, cols]`. */
    softmax(x: Float32Array, out: Float32Array, rows: number, cols: number): void;
    /** Row-wise log-softmax of `[rows, cols]`. */
    logSoftmax(x: Float32Array, out: Float32Array, rows: number, cols: number): void;
    /** Gradient of log-softmax from its output `y`: `dx = dy - exp(y) * rowSum(dy)`. */
    logSoftmaxGrad(dy: Float32Array, y: Float32Array, dx: Float32Array, rows: number, cols: number): void;
    /** Per-row `KL(softmax(p) || softmax(q))` into `out` [rows]. */
    klDiv(pLogits: Float32Array, qLogits: Float32Array, out: Float32Array, rows: number, cols: number): void;
    /** Gradients of `sum(dy * klDiv(p, q))` (`dy` [rows]) with respect to both logit matrices. */
    klDivGrad(
      dy: Float32Array,
      pLogits: Float32Array,
      qLogits: Float32Array,
      dp: Float32Array,
      dq: Float32Array,
      rows: number,
      cols: number,
    ): void;
    /** Per-row `-sum(labels * logSoftmax(logits))` into `out` [rows]. */
    softmaxCrossEntropy(
      logits: Float32Array,
      labels: Float32Array,
      out: Float32Array,
      rows: number,
      cols: number,
    ): void;
    /** Gradients of `sum(dy * softmaxCrossEntropy)` with respect to logits and labels. */
    softmaxCrossEntropyGrad(
      dy: Float32Array,
      logits: Float32Array,
      labels: Float32Array,
      dLogits: Float32Array,
      dLabels: Float32Array,
      rows: number,
      cols: number,
    ): void;
    /** `out = clip(clip(xAdv + alpha * sign(grad), x - eps, x + eps), 0, 1)`. */
    signStepProject(
      xAdv: Float32Array,
      grad: Float32Array,
      x: Float32Array,
      out: Float32Array,
      alpha: number,
      eps: number,
    ): void;
    /** `out = clip(x + mask * delta, 0, 1)` (all the same length). */
    calibrate(x: Float32Array, delta: Float32Array, mask: Float32Array, out: Float32Array): void;
    /** Gradients of `sum(dy * calibrate(x, delta, mask))` with respect to x, delta and mask. */
    calibrateGrad(
      dy: Float32Array,
      x: Float32Array,
      delta: Float32Array,
      mask: Float32Array,
      dx: Float32Array,
      dDelta: Float32Array,
      dMask: Float32Array,
    ): void;
    /**
     * FusedBatchNorm: `out = offset + (x - mean) * scale / sqrt(variance + eps)`, each parameter
     * indexed modulo its length (`[C]` on NHWC); `scale`/`offset` null mean 1/0.
     */
    batchNorm(
      x: Float32Array,
      mean: Float32Array,
      variance: Float32Array,
      scale: Float32Array | null,
      offset: Float32Array | null,
      out: Float32Array,
      varianceEpsilon: number,
    ): void;
    /**
     * Per-channel batch-norm gradient (`[C]` parameters, C the last axis of x): `dx` like x and
     * `[C]` gradients for mean, variance, scale and offset. `scale` null means 1.
     */
    batchNormGrad(
      dy: Float32Array,
      x: Float32Array,
      mean: Float32Array,
      variance: Float32Array,
      scale: Float32Array | null,
      dx: Float32Array,
      dMean: Float32Array,
      dVariance: Float32Array,
      dScale: Float32Array,
      dOffset: Float32Array,
      varianceEpsilon: number,
    ): void;
    /** ResizeNearestNeighbor, NHWC; `dims` is [batch, inH, inW, outH, outW, channels]. */
    resizeNearest(
      images: Float32Array,
      out: Float32Array,
      dims: number[],
      alignCorners: boolean,
      halfPixelCenters: boolean,
    ): void;
    /**
     * ResizeNearestNeighborGrad, the exact adjoint of `resizeNearest`: `dy` [batch, outH, outW, c]
     * into `dx` [batch, inH, inW, c].
     */
    resizeNearestGrad(
      dy: Float32Array,
      dx: Float32Array,
      dims: number[],
      alignCorners: boolean,
      halfPixelCenters: boolean,
    ): void;
    /** Slice: `out = x[begin .. begin + size]`, all three arrays of length `rank`. */
    slice(x: Float32Array, out: Float32Array, rank: number, inShape: number[], begin: number[], size: number[]): void;
    /** PadV2: `x` padded by `padBefore[d]` / `padAfter[d]` copies of `constantValue` per dim. */
    pad(
      x: Float32Array,
      out: Float32Array,
      rank: number,
      inShape: number[],
      padBefore: number[],
      padAfter: number[],
      constantValue: number,
    ): void;
    /** Tile: `out` repeats `x` (shape `inShape`) `reps[d]` times along each dim. */
    tile(x: Float32Array, out: Float32Array, rank: number, inShape: number[], reps: number[]): void;
    /** Gradient of ReLU (alpha 0) and LeakyReLU: `dx = x > 0 ? dy : alpha * dy`. */
    reluGrad(dy: Float32Array, x: Float32Array, dx: Float32Array, alpha: number): void;
    /**
     * Detaches `a`'s ArrayBuffer so its memory is released now, not at a later GC; `a` then has
     * length 0. `a` must span its whole buffer (no views); a Wasm memory cannot be detached.
     */
    freeArray(a: Float32Array): void;
    /**
     * Whether the MPI library (Open MPI's libmpi.so.40, or $CAT_MPI_LIBRARY) opens, without starting
     * MPI: JSON `{"available": true, "library"}` or `{"available": false, "error"}`. The library is
     * opened at run time, so the addon loads without it and only the `mpi*` functions fail.
     */
    mpiProbe(): string;
    /** MPI_Init (once per process), then JSON `{"rank", "size"}` of MPI_COMM_WORLD. */
    mpiInit(): string;
    /** In-place MPI_Allreduce with MPI_SUM of `x` over MPI_COMM_WORLD (zero-copy). */
    mpiAllreduceSum(x: Float32Array): void;
    /** MPI_Bcast of `x` from rank `root` over MPI_COMM_WORLD, in place. */
    mpiBroadcast(x: Float32Array, root: number): void;
    /** MPI_Barrier on MPI_COMM_WORLD. */
    mpiBarrier(): void;
    /** MPI_Finalize, when MPI was started and not yet finalized. */
    mpiFinalize(): void;
    /** MPI_Abort on MPI_COMM_WORLD: ends every rank of the job with exit code `code`. */
    mpiAbort(code: number): void;
  }
}

declare const addon: addon.NativeAddon;
export = addon;
