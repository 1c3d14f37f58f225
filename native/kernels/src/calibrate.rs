//! CAT's calibration `out = clip(x + mask * delta, 0, 1)` and its gradient. The gradient passes
//! where `0 <= x + mask * delta <= 1` (tfjs's clipByValue gradient is inclusive at the bounds):
//! `dx = g`, `ddelta = g * mask`, `dmask = g * delta` with `g = dy` there and 0 elsewhere.

use crate::chunked::for_each_chunk;
use crate::error::{check_len, KernelResult};
use rayon::prelude::*;

use crate::chunked::PAR_MIN_ELEMS;

/// See the module doc; all buffers have the same length.
pub fn calibrate(x: &[f32], delta: &[f32], mask: &[f32], out: &mut [f32]) -> KernelResult {
    let n = out.len();
    check_len("calibrate: x", n, x.len())?;
    check_len("calibrate: delta", n, delta.len())?;
    check_len("calibrate: mask", n, mask.len())?;
    for_each_chunk(out, |start, chunk| {
        let end = start + chunk.len();
        for (((o, &x0), &d), &m) in chunk.iter_mut().zip(&x[start..end]).zip(&delta[start..end]).zip(&mask[start..end]) {
            // clamp keeps NaN as NaN, like tfjs's clipByValue.
            *o = (x0 + m * d).clamp(0.0, 1.0);
        }
    });
    Ok(())
}

/// Gradients of `sum(dy * calibrate(x, delta, mask))` with respect to `x`, `delta` and `mask`.
pub fn calibrate_grad(
    dy: &[f32],
    x: &[f32],
    delta: &[f32],
    mask: &[f32],
    dx: &mut [f32],
    ddelta: &mut [f32],
    dmask: &mut [f32],
) -> KernelResult {
    let n = dy.len();
    for (what, len) in [("calibrate_grad: x", x.len()), ("calibrate_grad: delta", delta.len()), ("calibrate_grad: mask", mask.len())] {
        check_len(what, n, len)?;
    }
    for (what, len) in [("calibrate_grad: dx", dx.len()), ("calibrate_grad: ddelta", ddelta.len()), ("calibrate_grad: dmask", dmask.len())] {
        check_len(what, n, len)?;
    }
    let body = |start: usize, dx: &mut [f32], dd: &mut [f32], dm: &mut [f32]| {
        for k in 0..dx.len() {
            let i = start + k;
            let v = x[i] + mask[i] * delta[i];
            let g = if (0.0..=1.0).contains(&v) { dy[i] } else { 0.0 };
            dx[k] = g;
            dd[k] = g * mask[i];
            dm[k] = g * delta[i];
        }
    };
    if n < PAR_MIN_ELEMS {
        body(0, dx, ddelta, dmask);
    } else {
        const CHUNK: usize = 1 << 14;
        dx.par_chunks_mut(CHUNK)
            .zip(ddelta.par_chunks_mut(CHUNK))
            .zip(dmask.par_chunks_mut(CHUNK))
            .enumerate()
            .for_each(|(c, ((a, b), m))| body(c * CHUNK, a, b, m));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::random_vec;

    #[test]
    fn hand_computed_forward_and_grad() {
        let x = [0.5, 0.9, 0.1, 0.5];
        let delta = [0.2, 0.3, -0.3, -0.5];
        let mask = [0.5, 1.0, 1.0, 1.0];
        let mut o = [0.0f32; 4];
        calibrate(&x, &delta, &mask, &mut o).unwrap();
        // 0.6; 1.2 -> 1; -0.2 -> 0; exactly 0 (inside: the gradient still flows there).
        assert_eq!(o, [0.6, 1.0, 0.0, 0.0]);
        let dy = [1.0, 1.0, 1.0, 2.0];
        let (mut dx, mut dd, mut dm) = ([0.0f32; 4], [0.0f32; 4], [0.0f32; 4]);
        calibrate_grad(&dy, &x, &delta, &mask, &mut dx, &mut dd, &mut dm).unwrap();
        assert_eq!(dx, [1.0, 0.0, 0.0, 2.0]);
        assert_eq!(dd, [0.5, 0.0, 0.0, 2.0]);
        assert_eq!(dm, [0.2, 0.0, 0.0, -1.0]);
    }

    #[test]
    fn large_input_matches_naive() {
        let n = 100 * 28 * 28 + 5;
        let x: Vec<f32> = random_vec(n, 1).iter().map(|v| (v + 1.0) / 2.0).collect();
        let delta: Vec<f32> = random_vec(n, 2).iter().map(|v| v * 0.4).collect();
        let mask: Vec<f32> = random_vec(n, 3).iter().map(|v| (v + 1.0) / 2.0).collect();
        let dy = random_vec(n, 4);
        let mut o = vec![0.0; n];
        calibrate(&x, &delta, &mask, &mut o).unwrap();
        let (mut dx, mut dd, mut dm) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        calibrate_grad(&dy, &x, &delta, &mask, &mut dx, &mut dd, &mut dm).unwrap();
        for i in 0..n {
            let v = x[i] + mask[i] * delta[i];
            assert_eq!(o[i], v.clamp(0.0, 1.0));
            let inside = (0.0..=1.0).contains(&v);
            assert_eq!(dx[i], if inside { dy[i] } else { 0.0 });
            assert_eq!(dd[i], if inside { dy[i] * mask[i] } else { 0.0 });
            assert_eq!(dm[i], if inside { dy[i] * delta[i] } else { 0.0 });
        }
    }
}
