//! Tile (tfjs `Tile`): `out[i_0, .., i_r] = x[i_0 % n_0, .., i_r % n_r]`. tfjs's batch-norm
//! gradient tiles the per-channel factor to `[N, H, W, C]`, and tfjs's CPU Tile walks every
//! element through index arrays, which made it the slowest kernel of a ResNet CAT step.

use crate::error::{check_len, ensure, KernelResult};
use rayon::prelude::*;

const PAR_MIN: usize = 1 << 16;

/// See the module doc; `reps[d] >= 1` copies of dimension `d`.
pub fn tile(x: &[f32], in_shape: &[usize], reps: &[usize], out: &mut [f32]) -> KernelResult {
    let r = in_shape.len();
    ensure(r > 0 && reps.len() == r, || format!("tile: shape and reps must both have rank {r} > 0"))?;
    let out_shape: Vec<usize> = (0..r).map(|d| in_shape[d] * reps[d]).collect();
    check_len("tile: x", in_shape.iter().product(), x.len())?;
    check_len("tile: out", out_shape.iter().product(), out.len())?;
    if out.is_empty() {
        return Ok(());
    }
    let n_last = in_shape[r - 1];
    let row_len = out_shape[r - 1];
    let fill_row = |row: usize, o: &mut [f32]| {
        // Source row: the output row's multi-index modulo the input extents.
        let (mut rem, mut src, mut stride) = (row, 0usize, n_last);
        for d in (0..r - 1).rev() {
            let idx = rem % out_shape[d];
            rem /= out_shape[d];
            src += (idx % in_shape[d]) * stride;
            stride *= in_shape[d];
        }
        let s = &x[src..src + n_last];
        for chunk in o.chunks_exact_mut(n_last) {
            chunk.copy_from_slice(s);
        }
    };
    if out.len() < PAR_MIN {
        out.chunks_mut(row_len).enumerate().for_each(|(row, o)| fill_row(row, o));
    } else {
        out.par_chunks_mut(row_len).enumerate().with_min_len((4096 / row_len).max(1)).for_each(|(row, o)| fill_row(row, o));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::random_vec;

    #[test]
    fn hand_computed() {
        let mut o = [0.0f32; 12];
        tile(&[1.0, 2.0, 3.0, 4.0], &[2, 2], &[2, 1], &mut o[..8]).unwrap();
        assert_eq!(&o[..8], &[1., 2., 3., 4., 1., 2., 3., 4.]);
        tile(&[1.0, 2.0], &[1, 2], &[2, 3], &mut o).unwrap();
        assert_eq!(o, [1., 2., 1., 2., 1., 2., 1., 2., 1., 2., 1., 2.]);
    }

    #[test]
    fn matches_naive_loop() {
        // Batch-norm's [1,1,1,C] -> [N,H,W,C] (large) and odd mixed cases.
        let cases: [(&[usize], &[usize]); 4] = [(&[1, 1, 1, 13], &[64, 16, 16, 1]), (&[2, 3, 5], &[3, 1, 2]), (&[7], &[4]), (&[3, 1, 2, 2], &[1, 5, 2, 3])];
        for (shape, reps) in cases {
            let x = random_vec(shape.iter().product(), 3);
            let out_shape: Vec<usize> = shape.iter().zip(reps).map(|(a, b)| a * b).collect();
            let n: usize = out_shape.iter().product();
            let mut o = vec![0.0; n];
            tile(&x, shape, reps, &mut o).unwrap();
            for (i, &v) in o.iter().enumerate() {
                let (mut rem, mut src, mut stride) = (i, 0, 1);
                for d in (0..shape.len()).rev() {
                    src += ((rem % out_shape[d]) % shape[d]) * stride;
                    rem /= out_shape[d];
                    stride *= shape[d];
                }
                assert_eq!(v, x[src], "{shape:?} x {reps:?} at {i}");
            }
        }
    }

    #[test]
    fn bad_reps_are_an_error() {
        assert!(tile(&[0.0; 2], &[2], &[1, 1], &mut [0.0; 2]).is_err());
    }
}
