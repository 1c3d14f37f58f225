//! Batch normalisation `out = offset + (x - mean) * scale / sqrt(variance + eps)` (tfjs
//! `FusedBatchNorm`). As in tfjs's CPU kernel each parameter is indexed modulo its own length, so
//! per-channel `[C]` parameters on NHWC data and full-shape parameters both work. The usual case,
//! every parameter of length 1 or C, folds `scale / sqrt(variance + eps)` into one per-channel
//! factor first. Training-mode statistics come from `reduce` (Mean over N,H,W) and the gradient
//! from tfjs's composite gradient running on the native element-wise and reduction kernels.

use crate::chunked::for_each_chunk;
use crate::error::{ensure, KernelResult};

/// The parameters; `scale` and `offset` may be absent (1 and 0).
pub struct BatchNormParams<'a> {
    pub mean: &'a [f32],
    pub variance: &'a [f32],
    pub scale: Option<&'a [f32]>,
    pub offset: Option<&'a [f32]>,
    pub variance_epsilon: f32,
}

/// See the module doc. Every parameter must be non-empty.
pub fn batch_norm(x: &[f32], p: &BatchNormParams, out: &mut [f32]) -> KernelResult {
    ensure(x.len() == out.len(), || format!("batch_norm: x has {} values, output {}", x.len(), out.len()))?;
    let scale = p.scale.unwrap_or(&[1.0]);
    let offset = p.offset.unwrap_or(&[0.0]);
    for (name, v) in [("mean", p.mean), ("variance", p.variance), ("scale", scale), ("offset", offset)] {
        ensure(!v.is_empty(), || format!("batch_norm: {name} is empty"))?;
    }
    let lens = [p.mean.len(), p.variance.len(), scale.len(), offset.len()];
    let c = *lens.iter().max().unwrap();
    let per_channel = lens.iter().all(|&l| l == 1 || l == c) && x.len() % c == 0;
    if per_channel {
        let at = |v: &[f32], j: usize| if v.len() == 1 { v[0] } else { v[j] };
        let mean: Vec<f32> = (0..c).map(|j| at(p.mean, j)).collect();
        let off: Vec<f32> = (0..c).map(|j| at(offset, j)).collect();
        // f64 for the factor, as tfjs computes it with JS numbers.
        let factor: Vec<f32> = (0..c)
            .map(|j| (at(scale, j) as f64 / (at(p.variance, j) as f64 + p.variance_epsilon as f64).sqrt()) as f32)
            .collect();
        for_each_chunk(out, |start, chunk| {
            let mut k = 0;
            while k < chunk.len() {
                let j0 = (start + k) % c;
                let len = (c - j0).min(chunk.len() - k);
                let xs = &x[start + k..start + k + len];
                for ((((o, &xv), &m), &f), &b) in chunk[k..k + len]
                    .iter_mut()
                    .zip(xs)
                    .zip(&mean[j0..j0 + len])
                    .zip(&factor[j0..j0 + len])
                    .zip(&off[j0..j0 + len])
                {
                    *o = b + (xv - m) * f;
                }
                k += len;
            }
        });
    } else {
        for_each_chunk(out, |start, chunk| {
            for (k, o) in chunk.iter_mut().enumerate() {
                let i = start + k;
                let v = p.variance[i % p.variance.len()] as f64 + p.variance_epsilon as f64;
                *o = (offset[i % offset.len()] as f64
                    + (x[i] - p.mean[i % p.mean.len()]) as f64 * scale[i % scale.len()] as f64 / v.sqrt()) as f32;
            }
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{assert_close, random_vec};

    fn naive(x: &[f32], m: &[f32], v: &[f32], s: &[f32], o: &[f32], eps: f32) -> Vec<f32> {
        (0..x.len())
            .map(|i| {
                (o[i % o.len()] as f64
                    + (x[i] - m[i % m.len()]) as f64 * s[i % s.len()] as f64 / (v[i % v.len()] as f64 + eps as f64).sqrt())
                    as f32
            })
            .collect()
    }

    #[test]
    fn hand_computed() {
        let x = [1.0, 2.0, 3.0, 4.0];
        let mut o = [0.0f32; 4];
        let p = BatchNormParams { mean: &[1.0, 2.0], variance: &[4.0, 1.0], scale: Some(&[2.0]), offset: None, variance_epsilon: 0.0 };
        batch_norm(&x, &p, &mut o).unwrap();
        assert_eq!(o, [0.0, 0.0, 2.0, 4.0]);
    }

    #[test]
    fn per_channel_and_modulo_cases_match_naive() {
        // NHWC 3x5x7x13 (odd channel count), above and below the parallel threshold.
        for n in [3 * 5 * 7 * 13, 64 * 9 * 9 * 13] {
            let x = random_vec(n, 1);
            let c = 13;
            let m = random_vec(c, 2);
            let v: Vec<f32> = random_vec(c, 3).iter().map(|a| a.abs() + 0.1).collect();
            let s = random_vec(c, 4);
            let off = random_vec(c, 5);
            let mut o = vec![0.0; n];
            let p = BatchNormParams { mean: &m, variance: &v, scale: Some(&s), offset: Some(&off), variance_epsilon: 1e-3 };
            batch_norm(&x, &p, &mut o).unwrap();
            assert_close(&o, &naive(&x, &m, &v, &s, &off, 1e-3), 1e-5);
            // Full-shape mean/variance (not per channel) take the modulo path.
            let mf = random_vec(n, 6);
            let vf: Vec<f32> = random_vec(n, 7).iter().map(|a| a.abs() + 0.1).collect();
            let p = BatchNormParams { mean: &mf, variance: &vf, scale: Some(&s), offset: None, variance_epsilon: 1e-3 };
            batch_norm(&x, &p, &mut o).unwrap();
            assert_close(&o, &naive(&x, &mf, &vf, &s, &[0.0], 1e-3), 1e-5);
        }
    }

    #[test]
    fn empty_parameter_is_an_error() {
        let mut o = [0.0f32; 2];
        let p = BatchNormParams { mean: &[], variance: &[1.0], scale: None, offset: None, variance_epsilon: 0.0 };
        assert!(batch_norm(&[0.0; 2], &p, &mut o).is_err());
    }
}
