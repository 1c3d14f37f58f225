//! Gradient of per-channel batch normalisation `y = offset + (x - mean) * scale * r`,
//! `r = 1 / sqrt(variance + eps)`, for NHWC data with `[C]` parameters, in two passes over the
//! activation instead of the dozen tensor ops of tfjs's composite gradient (which it replaces for
//! this case; same formulas, including the gradients to `mean` and `variance` through which tfjs's
//! training-mode moments are differentiated):
//! `dx = dy * scale * r`, `dmean = -scale * r * sum(dy)`,
//! `dvariance = -0.5 * scale * r^3 * sum(dy * (x - mean))`, `dscale = r * sum(dy * (x - mean))`,
//! `doffset = sum(dy)`, sums over every position of a channel.

use crate::chunked::{for_each_chunk, PAR_MIN_ELEMS};
use crate::error::{check_len, ensure, KernelResult};
use rayon::prelude::*;

/// Inputs of [`batch_norm_grad`]; every parameter has `channels` values (`scale` None means 1).
pub struct BatchNormGradInputs<'a> {
    pub dy: &'a [f32],
    pub x: &'a [f32],
    pub mean: &'a [f32],
    pub variance: &'a [f32],
    pub scale: Option<&'a [f32]>,
    pub variance_epsilon: f32,
}

/// Outputs: `dx` like `x`, the rest `[channels]`.
pub struct BatchNormGradOutputs<'a> {
    pub dx: &'a mut [f32],
    pub dmean: &'a mut [f32],
    pub dvariance: &'a mut [f32],
    pub dscale: &'a mut [f32],
    pub doffset: &'a mut [f32],
}

/// See the module doc.
pub fn batch_norm_grad(i: &BatchNormGradInputs, o: &mut BatchNormGradOutputs) -> KernelResult {
    let c = i.mean.len();
    let n = i.x.len();
    ensure(c > 0 && n % c == 0, || format!("batch_norm_grad: {n} values are not a whole number of {c} channels"))?;
    check_len("batch_norm_grad: dy", n, i.dy.len())?;
    check_len("batch_norm_grad: variance", c, i.variance.len())?;
    if let Some(s) = i.scale {
        check_len("batch_norm_grad: scale", c, s.len())?;
    }
    check_len("batch_norm_grad: dx", n, o.dx.len())?;
    for (what, len) in [("dmean", o.dmean.len()), ("dvariance", o.dvariance.len()), ("dscale", o.dscale.len()), ("doffset", o.doffset.len())] {
        ensure(len == c, || format!("batch_norm_grad: {what} has {len} values, expected {c}"))?;
    }
    let scale = |j: usize| i.scale.map_or(1.0, |s| s[j] as f64);
    let r: Vec<f64> = (0..c).map(|j| 1.0 / (i.variance[j] as f64 + i.variance_epsilon as f64).sqrt()).collect();

    // Pass 1: per-channel sum(dy) and sum(dy * (x - mean)), f64 partials per row block.
    let rows = n / c;
    let partial = |range: std::ops::Range<usize>| {
        let (mut sdy, mut sdyx) = (vec![0.0f64; c], vec![0.0f64; c]);
        for row in range {
            let span = row * c..(row + 1) * c;
            for (j, (&g, &xv)) in i.dy[span.clone()].iter().zip(&i.x[span]).enumerate() {
                sdy[j] += g as f64;
                sdyx[j] += g as f64 * (xv - i.mean[j]) as f64;
            }
        }
        (sdy, sdyx)
    };
    let tasks = rayon::current_num_threads().max(1) * 2;
    let (sdy, sdyx) = if n < PAR_MIN_ELEMS || rows < tasks {
        partial(0..rows)
    } else {
        let per = rows.div_ceil(tasks);
        (0..tasks)
            .into_par_iter()
            .map(|t| partial((t * per).min(rows)..((t + 1) * per).min(rows)))
            .reduce_with(|(mut a, mut b), (c2, d)| {
                a.iter_mut().zip(c2).for_each(|(x, y)| *x += y);
                b.iter_mut().zip(d).for_each(|(x, y)| *x += y);
                (a, b)
            })
            .unwrap()
    };
    for j in 0..c {
        let (s, rj) = (scale(j), r[j]);
        o.dmean[j] = (-s * rj * sdy[j]) as f32;
        o.dvariance[j] = (-0.5 * s * rj * rj * rj * sdyx[j]) as f32;
        o.dscale[j] = (rj * sdyx[j]) as f32;
        o.doffset[j] = sdy[j] as f32;
    }

    // Pass 2: dx = dy * scale * r.
    let factor: Vec<f32> = (0..c).map(|j| (scale(j) * r[j]) as f32).collect();
    for_each_chunk(o.dx, |start, chunk| {
        let mut k = 0;
        while k < chunk.len() {
            let j0 = (start + k) % c;
            let len = (c - j0).min(chunk.len() - k);
            let g = &i.dy[start + k..start + k + len];
            for ((d, &gv), &f) in chunk[k..k + len].iter_mut().zip(g).zip(&factor[j0..j0 + len]) {
                *d = gv * f;
            }
            k += len;
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{assert_close, random_vec};

    /// Loss `sum(w * y)` for the forward formula, in f64.
    fn loss(x: &[f32], m: &[f64], v: &[f64], s: &[f64], w: &[f32], eps: f64) -> f64 {
        let c = m.len();
        x.iter().zip(w).enumerate().map(|(k, (&xv, &wv))| {
            let j = k % c;
            wv as f64 * ((xv as f64 - m[j]) * s[j] / (v[j] + eps).sqrt())
        }).sum()
    }

    #[test]
    fn matches_finite_differences_of_the_forward() {
        let (rows, c) = (2 * 3 * 4, 5);
        let n = rows * c;
        let x = random_vec(n, 1);
        let w = random_vec(n, 2);
        let m: Vec<f64> = random_vec(c, 3).iter().map(|&v| v as f64 * 0.3).collect();
        let v: Vec<f64> = random_vec(c, 4).iter().map(|&q| q.abs() as f64 + 0.5).collect();
        let s: Vec<f64> = random_vec(c, 5).iter().map(|&q| q as f64).collect();
        let eps = 1e-3;
        let f32v = |a: &[f64]| a.iter().map(|&q| q as f32).collect::<Vec<f32>>();
        let (mf, vf, sf) = (f32v(&m), f32v(&v), f32v(&s));
        let (mut dx, mut dm, mut dv, mut ds, mut doff) = (vec![0.0; n], vec![0.0; c], vec![0.0; c], vec![0.0; c], vec![0.0; c]);
        let inputs = BatchNormGradInputs { dy: &w, x: &x, mean: &mf, variance: &vf, scale: Some(&sf), variance_epsilon: eps as f32 };
        let mut outs = BatchNormGradOutputs { dx: &mut dx, dmean: &mut dm, dvariance: &mut dv, dscale: &mut ds, doffset: &mut doff };
        batch_norm_grad(&inputs, &mut outs).unwrap();
        let h = 1e-4;
        let fd_param = |which: usize| -> Vec<f32> {
            (0..c).map(|j| {
                let bump = |d: f64| {
                    let (mut m2, mut v2, mut s2) = (m.clone(), v.clone(), s.clone());
                    [&mut m2, &mut v2, &mut s2][which][j] += d;
                    loss(&x, &m2, &v2, &s2, &w, eps)
                };
                ((bump(h) - bump(-h)) / (2.0 * h)) as f32
            }).collect()
        };
        assert_close(&dm, &fd_param(0), 1e-3);
        assert_close(&dv, &fd_param(1), 1e-3);
        assert_close(&ds, &fd_param(2), 1e-3);
        // d/doffset of sum(w * y) is sum of w per channel.
        let want_off: Vec<f32> = (0..c).map(|j| (0..rows).map(|r| w[r * c + j] as f64).sum::<f64>() as f32).collect();
        assert_close(&doff, &want_off, 1e-5);
        let want_dx: Vec<f32> = (0..n).map(|k| (w[k] as f64 * s[k % c] / (v[k % c] + eps).sqrt()) as f32).collect();
        assert_close(&dx, &want_dx, 1e-5);
    }

    #[test]
    fn parallel_path_matches_serial_sums() {
        let (rows, c) = (64 * 16 * 16, 13);
        let n = rows * c;
        let (x, dy) = (random_vec(n, 7), random_vec(n, 8));
        let m = random_vec(c, 9);
        let v: Vec<f32> = random_vec(c, 10).iter().map(|q| q.abs() + 0.1).collect();
        let (mut dx, mut dm, mut dv, mut ds, mut doff) = (vec![0.0; n], vec![0.0; c], vec![0.0; c], vec![0.0; c], vec![0.0; c]);
        let inputs = BatchNormGradInputs { dy: &dy, x: &x, mean: &m, variance: &v, scale: None, variance_epsilon: 1e-5 };
        let mut outs = BatchNormGradOutputs { dx: &mut dx, dmean: &mut dm, dvariance: &mut dv, dscale: &mut ds, doffset: &mut doff };
        batch_norm_grad(&inputs, &mut outs).unwrap();
        for j in 0..c {
            let sdy: f64 = (0..rows).map(|r| dy[r * c + j] as f64).sum();
            let sdyx: f64 = (0..rows).map(|r| dy[r * c + j] as f64 * (x[r * c + j] - m[j]) as f64).sum();
            let rj = 1.0 / (v[j] as f64 + 1e-5).sqrt();
            assert!((doff[j] as f64 - sdy).abs() < 1e-3 * (1.0 + sdy.abs()));
            assert!((ds[j] as f64 - rj * sdyx).abs() < 1e-3 * (1.0 + (rj * sdyx).abs()));
            assert!((dm[j] as f64 + rj * sdy).abs() < 1e-3 * (1.0 + (rj * sdy).abs()));
        }
    }
}
