//! N-D Slice (tfjs `Slice`) and constant padding (tfjs `PadV2`), as strided row copies. tfjs-layers'
//! `zeroPadding2d` (the models' explicit padding for stride-2 convs) runs PadV2 forward and Slice
//! in its gradient; tfjs's CPU Slice walks non-contiguous slices element by element through index
//! arrays, which made it the slowest kernel of a CAT step on the MNIST CNN.

use crate::error::{check_len, ensure, KernelResult};
use rayon::prelude::*;

/// Rows of at least this many output elements in total go parallel.
const PAR_MIN: usize = 1 << 16;

/// Merges each trailing dimension that is taken whole (no offset, full extent) into the one
/// before it, so the innermost copy is as long as possible. Returns (in, begin, size) shapes.
fn merge_full_dims(inp: &[usize], begin: &[usize], size: &[usize]) -> (Vec<usize>, Vec<usize>, Vec<usize>) {
    let (mut i, mut b, mut s) = (inp.to_vec(), begin.to_vec(), size.to_vec());
    while i.len() > 1 {
        let d = i.len() - 1;
        if b[d] != 0 || s[d] != i[d] {
            break;
        }
        let k = i.pop().unwrap();
        b.pop();
        s.pop();
        i[d - 1] *= k;
        b[d - 1] *= k;
        s[d - 1] *= k;
    }
    (i, b, s)
}

/// Offset in the input of output row `row` (a multi-index over all but the last output dim).
fn row_offset(mut row: usize, inp: &[usize], begin: &[usize], size: &[usize]) -> usize {
    let r = inp.len();
    let mut off = begin[r - 1];
    let mut stride = inp[r - 1];
    for d in (0..r - 1).rev() {
        let idx = row % size[d];
        row /= size[d];
        off += (begin[d] + idx) * stride;
        stride *= inp[d];
    }
    off
}

/// `out = x[begin .. begin + size]` for `x` of shape `in_shape` (row-major).
pub fn slice(x: &[f32], in_shape: &[usize], begin: &[usize], size: &[usize], out: &mut [f32]) -> KernelResult {
    let r = in_shape.len();
    ensure(r > 0 && begin.len() == r && size.len() == r, || format!("slice: shape, begin and size must all have rank {r} > 0"))?;
    for d in 0..r {
        ensure(begin[d] + size[d] <= in_shape[d], || {
            format!("slice: dim {d}: begin {} + size {} exceeds extent {}", begin[d], size[d], in_shape[d])
        })?;
    }
    check_len("slice: x", in_shape.iter().product(), x.len())?;
    check_len("slice: out", size.iter().product(), out.len())?;
    if out.is_empty() {
        return Ok(());
    }
    let (inp, b, s) = merge_full_dims(in_shape, begin, size);
    let inner = *s.last().unwrap();
    let copy_row = |row: usize, o: &mut [f32]| {
        let off = row_offset(row, &inp, &b, &s);
        o.copy_from_slice(&x[off..off + inner]);
    };
    if out.len() < PAR_MIN {
        out.chunks_mut(inner).enumerate().for_each(|(row, o)| copy_row(row, o));
    } else {
        out.par_chunks_mut(inner).enumerate().with_min_len((4096 / inner).max(1)).for_each(|(row, o)| copy_row(row, o));
    }
    Ok(())
}

/// `out` = `x` of shape `in_shape` padded with `pad_before[d]` / `pad_after[d]` copies of `value`.
pub fn pad(x: &[f32], in_shape: &[usize], pad_before: &[usize], pad_after: &[usize], value: f32, out: &mut [f32]) -> KernelResult {
    let r = in_shape.len();
    ensure(r > 0 && pad_before.len() == r && pad_after.len() == r, || format!("pad: shape and paddings must all have rank {r} > 0"))?;
    let out_shape: Vec<usize> = (0..r).map(|d| in_shape[d] + pad_before[d] + pad_after[d]).collect();
    check_len("pad: x", in_shape.iter().product(), x.len())?;
    check_len("pad: out", out_shape.iter().product(), out.len())?;
    // The input is a slice of the output: the same geometry, with the roles swapped.
    let (outp, b, s) = merge_full_dims(&out_shape, pad_before, in_shape);
    if x.is_empty() {
        out.fill(value);
        return Ok(());
    }
    let inner = *s.last().unwrap();
    let rows = x.len() / inner;
    // Each output element is either a copy target of exactly one input row or padding; filling
    // everything first is simplest, and memory-bound either way.
    if out.len() < PAR_MIN {
        out.fill(value);
        for row in 0..rows {
            let off = row_offset(row, &outp, &b, &s);
            out[off..off + inner].copy_from_slice(&x[row * inner..(row + 1) * inner]);
        }
    } else {
        out.par_chunks_mut(1 << 14).for_each(|c| c.fill(value));
        // Rows land in disjoint output ranges: write them through a shared pointer in parallel.
        let base = SendPtr(out.as_mut_ptr());
        (0..rows).into_par_iter().with_min_len((4096 / inner).max(1)).for_each(|row| {
            let off = row_offset(row, &outp, &b, &s);
            let src = &x[row * inner..(row + 1) * inner];
            // SAFETY: `off .. off + inner` lies inside `out` (the geometry was checked above) and
            // distinct rows map to disjoint ranges, so no two tasks write the same element.
            unsafe { std::ptr::copy_nonoverlapping(src.as_ptr(), base.get().add(off), inner) };
        });
    }
    Ok(())
}

#[derive(Clone, Copy)]
struct SendPtr(*mut f32);
// SAFETY: only used for the disjoint row writes in `pad`.
unsafe impl Send for SendPtr {}
unsafe impl Sync for SendPtr {}
impl SendPtr {
    fn get(self) -> *mut f32 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::random_vec;

    fn strides(shape: &[usize]) -> Vec<usize> {
        let mut s = vec![1; shape.len()];
        for d in (0..shape.len().saturating_sub(1)).rev() {
            s[d] = s[d + 1] * shape[d + 1];
        }
        s
    }

    /// Visits every multi-index of `shape` in row-major order.
    fn each_index(shape: &[usize], mut f: impl FnMut(&[usize])) {
        let n: usize = shape.iter().product();
        let mut idx = vec![0; shape.len()];
        for _ in 0..n {
            f(&idx);
            for d in (0..shape.len()).rev() {
                idx[d] += 1;
                if idx[d] < shape[d] {
                    break;
                }
                idx[d] = 0;
            }
        }
    }

    #[test]
    fn hand_computed() {
        let x: Vec<f32> = (0..12).map(|v| v as f32).collect(); // [3, 4]
        let mut o = [0.0f32; 4];
        slice(&x, &[3, 4], &[1, 1], &[2, 2], &mut o).unwrap();
        assert_eq!(o, [5.0, 6.0, 9.0, 10.0]);
        let mut p = [0.0f32; 12];
        pad(&[1.0, 2.0, 3.0, 4.0], &[2, 2], &[1, 0], &[0, 2], -1.0, &mut p).unwrap();
        assert_eq!(p, [-1., -1., -1., -1., 1., 2., -1., -1., 3., 4., -1., -1.]);
    }

    #[test]
    fn slice_and_pad_match_naive_loops() {
        let cases: [(&[usize], &[usize], &[usize]); 5] = [
            (&[2, 30, 30, 1], &[0, 1, 1, 0], &[2, 28, 28, 1]),
            (&[20, 30, 30, 32], &[0, 1, 1, 0], &[20, 28, 28, 32]),
            (&[3, 5, 7, 13], &[1, 0, 2, 3], &[2, 5, 4, 9]),
            (&[7], &[2], &[3]),
            (&[4, 6, 5], &[0, 0, 0], &[4, 6, 5]),
        ];
        for (shape, begin, size) in cases {
            let x = random_vec(shape.iter().product(), 1);
            let mut o = vec![0.0; size.iter().product()];
            slice(&x, shape, begin, size, &mut o).unwrap();
            let st = strides(shape);
            let mut want = vec![];
            each_index(size, |idx| want.push(x[idx.iter().enumerate().map(|(d, &i)| (begin[d] + i) * st[d]).sum::<usize>()]));
            assert_eq!(o, want, "slice {shape:?} {begin:?} {size:?}");
            // Padding the slice back (with the complementary amounts) restores x where it came from.
            let after: Vec<usize> = (0..shape.len()).map(|d| shape[d] - begin[d] - size[d]).collect();
            let mut p = vec![0.0; x.len()];
            pad(&o, size, begin, &after, 0.5, &mut p).unwrap();
            let mut k = 0;
            each_index(shape, |idx| {
                let inside = (0..shape.len()).all(|d| idx[d] >= begin[d] && idx[d] < begin[d] + size[d]);
                let flat: usize = idx.iter().zip(&st).map(|(a, b)| a * b).sum();
                assert_eq!(flat, k);
                assert_eq!(p[k], if inside { x[k] } else { 0.5 }, "pad {shape:?} at {idx:?}");
                k += 1;
            });
        }
    }

    #[test]
    fn bad_geometry_is_an_error() {
        let mut o = [0.0f32; 2];
        assert!(slice(&[0.0; 4], &[4], &[3], &[2], &mut o).is_err());
        assert!(pad(&[0.0; 4], &[4], &[1], &[], 0.0, &mut [0.0; 5]).is_err());
    }
}
