/**
 * Names of the custom tfjs kernels behind the fused ops. A backend that registers a kernel under
 * one of these names runs the op as one kernel; `cpu` gets the plain JS versions in this folder,
 * `native` the Rust ones in backend/kernels/. Gradient kernels take `dy` plus the saved tensors
 * and return one gradient per differentiable input, in input order.
 */
export const CatSignStepProject = 'CatSignStepProject';
export const CatCalibrate = 'CatCalibrate';
export const CatCalibrateGrad = 'CatCalibrateGrad';
export const CatLogSoftmax = 'CatLogSoftmax';
export const CatLogSoftmaxGrad = 'CatLogSoftmaxGrad';
export const CatKlDiv = 'CatKlDiv';
export const CatKlDivGrad = 'CatKlDivGrad';
export const CatSoftmaxCrossEntropy = 'CatSoftmaxCrossEntropy';
export const CatSoftmaxCrossEntropyGrad = 'CatSoftmaxCrossEntropyGrad';
export const CatReluGrad = 'CatReluGrad';
export const CatBatchNormGrad = 'CatBatchNormGrad';
/** Mean and biased variance over every axis but the last: input x; outputs [mean, variance]. */
export const CatMoments = 'CatMoments';
/** Conv2DBackpropInput then ReLU's gradient at the conv's input: inputs dy, filter, x; Conv2DBackpropInput's attrs. */
export const CatConv2DBackpropInputRelu = 'CatConv2DBackpropInputRelu';

/** Attributes of `CatSignStepProject`. */
export interface SignStepProjectAttrs {
  alpha: number;
  eps: number;
}
