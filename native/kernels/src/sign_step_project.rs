//! One fused L-inf attack step:
//! `out = clip(clip(x_adv + alpha * sign(grad), x - eps, x + eps), 0, 1)`, one pass over memory
//! instead of the six tensors the composite tfjs ops would allocate.

use crate::chunked::for_each_chunk;
use crate::error::{check_len, KernelResult};

/// See the module doc. `sign(0) = 0` (as tfjs), so zero-gradient pixels do not move.
pub fn sign_step_project(x_adv: &[f32], grad: &[f32], x: &[f32], alpha: f32, eps: f32, out: &mut [f32]) -> KernelResult {
    let n = out.len();
    check_len("sign_step_project: xAdv", n, x_adv.len())?;
    check_len("sign_step_project: grad", n, grad.len())?;
    check_len("sign_step_project: x", n, x.len())?;
    for_each_chunk(out, |start, chunk| {
        let end = start + chunk.len();
        for (((o, &a), &g), &x0) in chunk.iter_mut().zip(&x_adv[start..end]).zip(&grad[start..end]).zip(&x[start..end]) {
            let s = if g > 0.0 {
                1.0
            } else if g < 0.0 {
                -1.0
            } else {
                0.0
            };
            let v = a + alpha * s;
            // Same order as the composite: max with the lower bound, then min with the upper.
            // Not `clamp`: it panics when a NaN input makes the bounds unordered.
            #[allow(clippy::manual_clamp)]
            let v = v.max(x0 - eps).min(x0 + eps);
            *o = v.clamp(0.0, 1.0);
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::random_vec;

    #[test]
    fn hand_computed() {
        let x = [0.5, 0.5, 0.5, 0.95, 0.02];
        let x_adv = [0.5, 0.58, 0.45, 0.95, 0.02];
        let grad = [1.0, 1.0, -1.0, 0.0, -3.0];
        let mut o = [0.0f32; 5];
        sign_step_project(&x_adv, &grad, &x, 0.05, 0.1, &mut o).unwrap();
        // 0.55; 0.63 clipped to 0.6; 0.40; sign(0)=0 keeps 0.95; 0.02-0.05 clipped to 0.
        let want = [0.55, 0.6, 0.4, 0.95, 0.0];
        for (g, w) in o.iter().zip(want) {
            assert!((g - w).abs() < 1e-6, "{o:?}");
        }
    }

    #[test]
    fn large_input_matches_naive_and_respects_bounds() {
        let n = 100 * 28 * 28 + 3;
        let x: Vec<f32> = random_vec(n, 1).iter().map(|v| (v + 1.0) / 2.0).collect();
        let x_adv: Vec<f32> = random_vec(n, 2).iter().zip(&x).map(|(d, x)| (x + 0.3 * d).clamp(0.0, 1.0)).collect();
        let grad = random_vec(n, 3);
        let (alpha, eps) = (0.015, 0.3);
        let mut o = vec![0.0; n];
        sign_step_project(&x_adv, &grad, &x, alpha, eps, &mut o).unwrap();
        for i in 0..n {
            let s = if grad[i] > 0.0 { 1.0 } else if grad[i] < 0.0 { -1.0 } else { 0.0 };
            let want = (x_adv[i] + alpha * s).max(x[i] - eps).min(x[i] + eps).clamp(0.0, 1.0);
            assert_eq!(o[i], want, "index {i}");
            assert!((o[i] - x[i]).abs() <= eps + 1e-6 && (0.0..=1.0).contains(&o[i]));
        }
    }

    #[test]
    fn bad_lengths_are_errors() {
        let mut o = [0.0f32; 2];
        assert!(sign_step_project(&[0.0; 2], &[0.0; 1], &[0.0; 2], 0.1, 0.1, &mut o).is_err());
    }
}
