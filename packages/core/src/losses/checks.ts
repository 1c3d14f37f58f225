import type * as tf from '@tensorflow/tfjs';

/** Throws unless `logits` is `[N, K]` and `labels` is `[N]` with integer dtype. */
export function checkLogitsAndLabels(where: string, logits: tf.Tensor, labels: tf.Tensor): void {
  if (logits.rank !== 2) {
    throw new Error(`${where}: logits must be a rank-2 tensor [N, classes], got shape [${logits.shape}]`);
  }
  if (labels.rank !== 1 || labels.shape[0] !== logits.shape[0]) {
    throw new Error(
      `${where}: labels must be a rank-1 tensor [N] matching logits [${logits.shape}], got shape [${labels.shape}]`,
    );
  }
  if (labels.dtype !== 'int32') {
    throw new Error(`${where}: labels must be int32 class indices, got dtype ${labels.dtype}`);
  }
}

/** Throws unless two logit tensors are both `[N, K]` with the same shape. */
export function checkSameLogits(where: string, p: tf.Tensor, q: tf.Tensor): void {
  if (p.rank !== 2 || q.rank !== 2 || p.shape[0] !== q.shape[0] || p.shape[1] !== q.shape[1]) {
    throw new Error(`${where}: both logits must be [N, classes] of one shape, got [${p.shape}] and [${q.shape}]`);
  }
}
