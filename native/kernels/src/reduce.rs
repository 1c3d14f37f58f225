//! Sum, Max and Mean of a row-major `[outer, inner]` view, either over the last axis (`inner`,
//! giving `[outer]`: logits rows) or over the leading axes (`outer`, giving `[inner]`: batch-norm
//! statistics and bias gradients over N,H,W of NHWC). Sums accumulate in f64 like tfjs's CPU
//! kernels (JS numbers), so long reductions (100*28*28 per channel) keep f32 precision.

use crate::chunked::PAR_MIN_ELEMS;
use crate::error::{check_len, KernelResult};
use rayon::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReduceOp {
    Sum,
    Max,
    Mean,
}

impl ReduceOp {
    /// The op with this `ReduceOp` code of native/ops.manifest.
    pub fn from_code(code: u32) -> Option<ReduceOp> {
        Some(match *crate::op_codes::REDUCE_OP.get(code as usize)? {
            "Sum" => ReduceOp::Sum,
            "Max" => ReduceOp::Max,
            "Mean" => ReduceOp::Mean,
            _ => return None,
        })
    }
}

fn check(x: &[f32], outer: usize, inner: usize, out_len: usize, want_out: usize) -> KernelResult {
    check_len("reduce: input", outer * inner, x.len())?;
    check_len("reduce: output", want_out, out_len)
}

/// Reduces each of the `outer` rows of `inner` elements: `out` has `outer` elements.
/// `inner == 0` gives 0 for Sum, -inf for Max and NaN for Mean (as 0/0), like tfjs.
pub fn reduce_last_axis(op: ReduceOp, x: &[f32], outer: usize, inner: usize, out: &mut [f32]) -> KernelResult {
    check(x, outer, inner, out.len(), outer)?;
    let row = |r: usize| -> f32 {
        let v = &x[r * inner..(r + 1) * inner];
        match op {
            ReduceOp::Max => max_of(v),
            ReduceOp::Sum => sum_f64(v) as f32,
            ReduceOp::Mean => (sum_f64(v) / inner as f64) as f32,
        }
    };
    if x.len() < PAR_MIN_ELEMS {
        for (r, o) in out.iter_mut().enumerate() {
            *o = row(r);
        }
    } else {
        // Parallel over output elements, each task at least PAR_MIN_ELEMS input elements.
        let min_rows = (PAR_MIN_ELEMS / inner.max(1)).max(1);
        out.par_iter_mut().enumerate().with_min_len(min_rows).for_each(|(r, o)| *o = row(r));
    }
    Ok(())
}

/// Rows summed in f32 before their sum joins the f64 total (see `reduce_leading_axes`).
const F32_BLOCK: usize = 32;

/// Reduces over the `outer` rows: `out[j]` combines `x[r * inner + j]` for all `r`.
pub fn reduce_leading_axes(op: ReduceOp, x: &[f32], outer: usize, inner: usize, out: &mut [f32]) -> KernelResult {
    check(x, outer, inner, out.len(), inner)?;
    if op == ReduceOp::Max {
        let partial = |rows: std::ops::Range<usize>| {
            let mut m = vec![f32::NEG_INFINITY; inner];
            for r in rows {
                for (m, &v) in m.iter_mut().zip(&x[r * inner..(r + 1) * inner]) {
                    *m = max2(*m, v);
                }
            }
            m
        };
        let m = split_rows(outer, inner, partial, |mut a, b| {
            for (a, b) in a.iter_mut().zip(b) {
                *a = max2(*a, b);
            }
            a
        });
        out.copy_from_slice(&m);
        return Ok(());
    }
    let s = sum_leading(x, outer, inner, |v, _| v);
    let scale = if op == ReduceOp::Mean { 1.0 / outer as f64 } else { 1.0 };
    for (o, s) in out.iter_mut().zip(s) {
        *o = (s * scale) as f32;
    }
    Ok(())
}

/// Per-column sums of `map(x[r, i], i)` over the rows of `x` (`[outer, inner]`), in f64.
/// Blocks of F32_BLOCK rows are summed in f32 (twice the SIMD width of f64, and no conversion
/// per element), each block's sum then added in f64: the f32 error of a 32-term sum (~2e-6
/// relative) stays far inside the 1e-4 parity bound, and the long reduction (N*H*W terms) keeps
/// f64's precision. This halved batch-norm statistics.
fn sum_leading<M>(x: &[f32], outer: usize, inner: usize, map: M) -> Vec<f64>
where
    M: Fn(f32, usize) -> f32 + Sync,
{
    let partial = |rows: std::ops::Range<usize>| {
        let mut s = vec![0.0f64; inner];
        let mut block = vec![0.0f32; inner];
        let mut r = rows.start;
        while r < rows.end {
            let end = (r + F32_BLOCK).min(rows.end);
            for (i, (b, &v)) in block.iter_mut().zip(&x[r * inner..(r + 1) * inner]).enumerate() {
                *b = map(v, i);
            }
            for rr in r + 1..end {
                for (i, (b, &v)) in block.iter_mut().zip(&x[rr * inner..(rr + 1) * inner]).enumerate() {
                    *b += map(v, i);
                }
            }
            for (s, &b) in s.iter_mut().zip(&block) {
                *s += b as f64;
            }
            r = end;
        }
        s
    };
    split_rows(outer, inner, partial, |mut a, b| {
        for (a, b) in a.iter_mut().zip(b) {
            *a += b;
        }
        a
    })
}

/// Batch-norm statistics in one kernel: per column of `x` (`[outer, inner]`, e.g. N*H*W by C),
/// `mean` and the biased `variance = mean((x - mean)^2)`, with `x - mean` and its square in f32
/// and the sums as in [`reduce_leading_axes`]: the same values, bit for bit, as the Mean, Sub,
/// Square, Mean kernels of `tf.moments`, from two reads of `x` instead of four passes and two
/// activation-sized temporaries.
pub fn moments_leading_axes(x: &[f32], outer: usize, inner: usize, mean: &mut [f32], variance: &mut [f32]) -> KernelResult {
    check(x, outer, inner, mean.len(), inner)?;
    check_len("moments: variance", inner, variance.len())?;
    reduce_leading_axes(ReduceOp::Mean, x, outer, inner, mean)?;
    let m: &[f32] = mean;
    let s = sum_leading(x, outer, inner, |v, i| {
        let d = v - m[i];
        d * d
    });
    let scale = 1.0 / outer as f64;
    for (o, s) in variance.iter_mut().zip(s) {
        *o = (s * scale) as f32;
    }
    Ok(())
}

/// The reduction over the middle axes of `x` viewed as `[outer, mid, inner]` (e.g. global
/// average pooling: H and W of NHWC): `out[o, i] = op over m of x[o, m, i]`, `out` of
/// `outer * inner` values. Each of the `outer` slabs is a leading-axes reduction; slabs run in
/// parallel.
pub fn reduce_middle_axes(op: ReduceOp, x: &[f32], outer: usize, mid: usize, inner: usize, out: &mut [f32]) -> KernelResult {
    check(x, outer, mid * inner, out.len(), outer * inner)?;
    if inner == 0 || out.is_empty() {
        return Ok(());
    }
    let slab = mid * inner;
    out.par_chunks_mut(inner).enumerate().try_for_each(|(o, dst)| reduce_leading_axes(op, &x[o * slab..(o + 1) * slab], mid, inner, dst))
}

/// Runs `partial` over row ranges (in parallel when the input is large) and folds the results.
fn split_rows<T: Send, P, C>(outer: usize, inner: usize, partial: P, combine: C) -> T
where
    P: Fn(std::ops::Range<usize>) -> T + Sync,
    C: Fn(T, T) -> T + Sync,
{
    let tasks = rayon::current_num_threads().max(1) * 2;
    if outer * inner < PAR_MIN_ELEMS || outer < 2 * tasks {
        return partial(0..outer);
    }
    let per = outer.div_ceil(tasks);
    (0..tasks)
        .into_par_iter()
        .map(|t| partial((t * per).min(outer)..((t + 1) * per).min(outer)))
        .reduce_with(&combine)
        .unwrap()
}

#[inline(always)]
fn max2(a: f32, b: f32) -> f32 {
    // NaN wins, as with tfjs's `value > max || isNaN(value)`.
    if b > a || b.is_nan() {
        b
    } else {
        a
    }
}

fn max_of(v: &[f32]) -> f32 {
    v.iter().fold(f32::NEG_INFINITY, |m, &x| max2(m, x))
}

/// Sum with f64 accumulators in 8 lanes (vectorises; also the order tfjs uses is not needed).
fn sum_f64(v: &[f32]) -> f64 {
    let mut acc = [0.0f64; 8];
    let chunks = v.chunks_exact(8);
    let rest = chunks.remainder();
    for c in chunks {
        for k in 0..8 {
            acc[k] += c[k] as f64;
        }
    }
    acc.iter().sum::<f64>() + rest.iter().map(|&x| x as f64).sum::<f64>()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(n: usize) -> Vec<f32> {
        (0..n).map(|i| ((i * 7919 + 13) % 1009) as f32 / 100.0 - 5.0).collect()
    }

    #[test]
    fn every_manifest_code_has_an_op() {
        let codes = crate::op_codes::REDUCE_OP;
        assert!((0..codes.len() as u32).all(|c| ReduceOp::from_code(c).is_some()), "{codes:?}");
    }

    #[test]
    fn hand_computed() {
        let x = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let mut o2 = [0.0; 2];
        let mut o3 = [0.0; 3];
        reduce_last_axis(ReduceOp::Sum, &x, 2, 3, &mut o2).unwrap();
        assert_eq!(o2, [6.0, 15.0]);
        reduce_last_axis(ReduceOp::Max, &x, 2, 3, &mut o2).unwrap();
        assert_eq!(o2, [3.0, 6.0]);
        reduce_last_axis(ReduceOp::Mean, &x, 2, 3, &mut o2).unwrap();
        assert_eq!(o2, [2.0, 5.0]);
        reduce_leading_axes(ReduceOp::Sum, &x, 2, 3, &mut o3).unwrap();
        assert_eq!(o3, [5.0, 7.0, 9.0]);
        reduce_leading_axes(ReduceOp::Max, &x, 2, 3, &mut o3).unwrap();
        assert_eq!(o3, [4.0, 5.0, 6.0]);
        reduce_leading_axes(ReduceOp::Mean, &x, 2, 3, &mut o3).unwrap();
        assert_eq!(o3, [2.5, 3.5, 4.5]);
    }

    #[test]
    fn matches_naive_loops_small_and_parallel() {
        // (outer, inner): logits-like rows, and NHWC batch-norm statistics (100*14*14 x 37).
        for (outer, inner) in [(1, 1), (3, 10), (1, 37), (100 * 14 * 14, 37), (7, 20011), (20011, 3)] {
            let x = data(outer * inner);
            for op in [ReduceOp::Sum, ReduceOp::Max, ReduceOp::Mean] {
                let mut rows = vec![0.0; outer];
                reduce_last_axis(op, &x, outer, inner, &mut rows).unwrap();
                let mut cols = vec![0.0; inner];
                reduce_leading_axes(op, &x, outer, inner, &mut cols).unwrap();
                for r in 0..outer {
                    let v = &x[r * inner..(r + 1) * inner];
                    let want = naive(op, v.iter().copied());
                    assert!(close(rows[r], want), "{op:?} row {r}: {} vs {want}", rows[r]);
                }
                for j in 0..inner {
                    let want = naive(op, (0..outer).map(|r| x[r * inner + j]));
                    assert!(close(cols[j], want), "{op:?} col {j}: {} vs {want}", cols[j]);
                }
            }
        }
    }

    fn naive(op: ReduceOp, it: impl Iterator<Item = f32>) -> f32 {
        let v: Vec<f32> = it.collect();
        match op {
            ReduceOp::Max => v.iter().fold(f32::NEG_INFINITY, |a, &b| a.max(b)),
            ReduceOp::Sum => v.iter().map(|&x| x as f64).sum::<f64>() as f32,
            ReduceOp::Mean => (v.iter().map(|&x| x as f64).sum::<f64>() / v.len() as f64) as f32,
        }
    }

    fn close(a: f32, b: f32) -> bool {
        (a - b).abs() <= 1e-5 * (1.0 + b.abs())
    }

    #[test]
    fn middle_axes_match_naive_loops() {
        let (outer, mid, inner) = (5, 33, 7);
        let x = data(outer * mid * inner);
        for op in [ReduceOp::Sum, ReduceOp::Max, ReduceOp::Mean] {
            let mut out = vec![f32::NAN; outer * inner];
            reduce_middle_axes(op, &x, outer, mid, inner, &mut out).unwrap();
            for o in 0..outer {
                for i in 0..inner {
                    let want = naive(op, (0..mid).map(|m| x[(o * mid + m) * inner + i]));
                    assert!(close(out[o * inner + i], want), "{op:?} at ({o}, {i})");
                }
            }
        }
        assert!(reduce_middle_axes(ReduceOp::Sum, &x, outer, mid, inner, &mut [0.0; 3]).is_err());
    }

    #[test]
    fn moments_equal_mean_then_mean_of_squared_differences() {
        for (outer, inner) in [(7, 3), (100 * 28 * 28 / 16, 16), (1, 5)] {
            let x = data(outer * inner);
            let (mut mean, mut var) = (vec![f32::NAN; inner], vec![f32::NAN; inner]);
            moments_leading_axes(&x, outer, inner, &mut mean, &mut var).unwrap();
            // The composite, as tf.moments runs it on the native kernels.
            let mut want_mean = vec![0.0; inner];
            reduce_leading_axes(ReduceOp::Mean, &x, outer, inner, &mut want_mean).unwrap();
            let sq: Vec<f32> = x.iter().enumerate().map(|(k, &v)| (v - want_mean[k % inner]) * (v - want_mean[k % inner])).collect();
            let mut want_var = vec![0.0; inner];
            reduce_leading_axes(ReduceOp::Mean, &sq, outer, inner, &mut want_var).unwrap();
            assert_eq!(mean, want_mean);
            assert_eq!(var, want_var);
            // And against a naive f64 two-pass variance.
            for i in 0..inner {
                let mu: f64 = (0..outer).map(|r| x[r * inner + i] as f64).sum::<f64>() / outer as f64;
                let v: f64 = (0..outer).map(|r| (x[r * inner + i] as f64 - mu).powi(2)).sum::<f64>() / outer as f64;
                assert!(close(var[i], v as f32), "variance {i}: {} vs {v}", var[i]);
            }
        }
        assert!(moments_leading_axes(&[1.0; 6], 3, 2, &mut [0.0; 2], &mut [0.0; 1]).is_err());
    }

    #[test]
    fn nan_propagates_through_max() {
        let mut o = [0.0; 1];
        reduce_last_axis(ReduceOp::Max, &[1.0, f32::NAN, 2.0], 1, 3, &mut o).unwrap();
        assert!(o[0].is_nan());
    }
}
