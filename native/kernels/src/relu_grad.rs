//! Gradient of ReLU and LeakyReLU in one pass: `dx = x > 0 ? dy : alpha * dy` (alpha 0 for ReLU).
//! tfjs builds these from two or three kernels (`dy * step(x)`; `where(x > 0, dy, dy * alpha)`),
//! each a full pass over the activation; the mask net's LeakyReLU gradient was a tenth of a CAT
//! step. Deviation: for NaN `x` this gives `alpha * dy` where tfjs's ReLU gradient gives NaN.

use crate::chunked::for_each_chunk;
use crate::error::{check_len, KernelResult};

/// See the module doc. All three buffers have the same length.
pub fn relu_grad(dy: &[f32], x: &[f32], alpha: f32, dx: &mut [f32]) -> KernelResult {
    check_len("relu_grad: dy", dx.len(), dy.len())?;
    check_len("relu_grad: x", dx.len(), x.len())?;
    for_each_chunk(dx, |start, chunk| {
        let end = start + chunk.len();
        for ((o, &g), &v) in chunk.iter_mut().zip(&dy[start..end]).zip(&x[start..end]) {
            *o = if v > 0.0 { g } else { alpha * g };
        }
    });
    Ok(())
}

/// ReLU's gradient applied in place: `dx = x > 0 ? dx : 0 * dx`, the same values as
/// [`relu_grad`] with alpha 0. For kernels that end in it (a conv's input gradient where the
/// conv's input is a ReLU output): the data is still in cache, and no separate pass is needed.
pub fn relu_mask_in_place(dx: &mut [f32], x: &[f32]) {
    debug_assert_eq!(dx.len(), x.len());
    for (o, &v) in dx.iter_mut().zip(x) {
        if !(v > 0.0) {
            *o *= 0.0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::random_vec;

    #[test]
    fn hand_computed() {
        let mut o = [0.0f32; 4];
        relu_grad(&[1.0, 2.0, 3.0, 4.0], &[-1.0, 0.0, 0.5, 2.0], 0.2, &mut o).unwrap();
        assert_eq!(o, [0.2, 0.4, 3.0, 4.0]);
        relu_grad(&[1.0, 2.0, 3.0, 4.0], &[-1.0, 0.0, 0.5, 2.0], 0.0, &mut o).unwrap();
        assert_eq!(o, [0.0, 0.0, 3.0, 4.0]);
    }

    #[test]
    fn large_input_matches_naive() {
        let n = 100 * 14 * 14 * 128 + 7;
        let (dy, x) = (random_vec(n, 1), random_vec(n, 2));
        let mut o = vec![0.0; n];
        relu_grad(&dy, &x, 0.2, &mut o).unwrap();
        for i in 0..n {
            assert_eq!(o[i], if x[i] > 0.0 { dy[i] } else { 0.2 * dy[i] });
        }
        assert!(relu_grad(&dy[..3], &x[..2], 0.0, &mut o[..3]).is_err());
    }
}
