/** CIFAR training augmentation: zero-pad, random crop back to size, random horizontal flip. */
import type { Rng } from '../util/rng.js';

/**
 * Augments one NHWC image: pads it with `pad` zero pixels on each side, crops a random window of
 * the original size, and flips it left-right with probability 1/2 (torchvision's
 * `RandomCrop(32, padding=4)` + `RandomHorizontalFlip()`). Draws from `rng`, in order: the crop's
 * top offset, its left offset (each uniform in 0..2*pad), then the flip.
 * @param src the image, `h*w*c` values, read from `srcOffset`.
 * @param dst written at `dstOffset`; must not overlap the source image.
 */
export function padCropFlip(
  src: Float32Array,
  srcOffset: number,
  dst: Float32Array,
  dstOffset: number,
  h: number,
  w: number,
  c: number,
  pad: number,
  rng: Rng,
): void {
  const dy = rng.int(2 * pad + 1) - pad;
  const dx = rng.int(2 * pad + 1) - pad;
  const flip = rng.next() < 0.5;
  for (let i = 0; i < h; i++) {
    const si = i + dy;
    for (let j = 0; j < w; j++) {
      const sj = (flip ? w - 1 - j : j) + dx;
      const out = dstOffset + (i * w + j) * c;
      if (si < 0 || si >= h || sj < 0 || sj >= w) {
        for (let k = 0; k < c; k++) dst[out + k] = 0;
      } else {
        const inp = srcOffset + (si * w + sj) * c;
        for (let k = 0; k < c; k++) dst[out + k] = src[inp + k];
      }
    }
  }
}
