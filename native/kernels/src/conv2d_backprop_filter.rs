//! Gradient of Conv2D with respect to its filter (tfjs `Conv2DBackpropFilter`):
//! `dw [K, cout] = sum over row blocks of columns^T x dy`, one partial sum per rayon split.
use crate::blas::{sgemm, Gemm};
use crate::conv_blocks::{block_rows, patch_rows};
use crate::conv_geometry::Conv2dGeometry;
use crate::error::{check_len, KernelResult};
use crate::winograd;
use rayon::prelude::*;

/// Above this many floats in `dw`, every extra block re-reads and re-writes a large partial sum.
const LARGE_FILTER_FLOATS: usize = 1 << 18;
/// Column-buffer cap per thread for large filters (16 MiB).
const LARGE_BLOCK_FLOATS: usize = 1 << 22;

/// Rows a block for the filter gradient: the conv blocks, except for large filters (ResNet's
/// 3x3x512x512), where each block's GEMM streams the whole `[K, cout]` partial sum through
/// memory, so blocks grow towards one per thread (within a 16 MiB column buffer).
fn filter_block_rows(g: &Conv2dGeometry) -> usize {
    let rows = block_rows(g);
    if g.filter_len() <= LARGE_FILTER_FLOATS {
        return rows;
    }
    let share = g.out_rows().div_ceil(rayon::current_num_threads().max(1));
    share.min(LARGE_BLOCK_FLOATS / g.patch_len()).max(rows)
}

/// `dw[ky,kx,ci,co] = sum over n,oy,ox of x[n, oy*s+ky*d-pad, ox*s+kx*d-pad, ci] * dy[n,oy,ox,co]`.
/// `x` is `[batch, in_h, in_w, in_c]`, `dy` `[batch, out_h, out_w, out_c]`,
/// `dw` `[filter_h, filter_w, in_c, out_c]` (fully overwritten).
pub fn conv2d_backprop_filter(g: &Conv2dGeometry, x: &[f32], dy: &[f32], dw: &mut [f32]) -> KernelResult {
    g.validate()?;
    check_len("conv2d_backprop_filter input", g.input_len(), x.len())?;
    check_len("conv2d_backprop_filter dy", g.output_len(), dy.len())?;
    check_len("conv2d_backprop_filter dw", g.filter_len(), dw.len())?;
    if let Some(plan) = winograd::filter_gradient_plan(g) {
        winograd::filter_gradient(&plan, x, dy, dw);
        return Ok(());
    }
    let (k, cout, total) = (g.patch_len(), g.out_c, g.out_rows());
    let rows = filter_block_rows(g);
    let blocks = total.div_ceil(rows);
    let partial = (0..blocks)
        .into_par_iter()
        .fold(
            || (vec![0.0f32; k * cout], Vec::new()),
            |(mut acc, mut buf), b| {
                let row0 = b * rows;
                let n_rows = rows.min(total - row0);
                let col = patch_rows(g, x, row0, n_rows, &mut buf);
                // acc [K, cout] += col[n_rows, K]^T x dy[n_rows, cout]
                let gemm = Gemm { beta: 1.0, ..Gemm::dense(k, cout, n_rows, true, false) };
                sgemm(&gemm, col, &dy[row0 * cout..(row0 + n_rows) * cout], &mut acc);
                (acc, buf)
            },
        )
        .map(|(acc, _)| acc)
        .reduce_with(|mut a, b| {
            a.iter_mut().zip(&b).for_each(|(x, y)| *x += y);
            a
        });
    match partial {
        Some(sum) => dw.copy_from_slice(&sum),
        None => dw.fill(0.0),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conv2d::test_cases;
    use crate::testing::{assert_close, naive_conv2d_dw, random_vec};

    #[test]
    fn large_filters_use_bigger_blocks_and_stay_exact() {
        let s = crate::ConvShape {
            batch: 3, in_h: 4, in_w: 4, in_c: 64, filter_h: 3, filter_w: 3, out_c: 512,
            stride_h: 1, stride_w: 1, dilation_h: 1, dilation_w: 1,
        };
        let g = Conv2dGeometry::new(s, crate::Padding::Same).unwrap();
        assert!(g.filter_len() > LARGE_FILTER_FLOATS);
        assert!(filter_block_rows(&g) >= block_rows(&g));
        let x = random_vec(g.input_len(), 5);
        let dy = random_vec(g.output_len(), 6);
        let mut dw = vec![f32::NAN; g.filter_len()];
        conv2d_backprop_filter(&g, &x, &dy, &mut dw).unwrap();
        assert_close(&dw, &naive_conv2d_dw(&g, &x, &dy), 1e-4);
    }

    #[test]
    fn matches_naive_loop_on_odd_shapes() {
        for (i, (s, p)) in test_cases().into_iter().enumerate() {
            let g = Conv2dGeometry::new(s, p).unwrap();
            let x = random_vec(g.input_len(), 60 + i as u64);
            let dy = random_vec(g.output_len(), 80 + i as u64);
            let mut dw = vec![f32::NAN; g.filter_len()];
            conv2d_backprop_filter(&g, &x, &dy, &mut dw).unwrap();
            // Sums over up to 8192 products: compare relative to the sum's magnitude scale.
            assert_close(&dw, &naive_conv2d_dw(&g, &x, &dy), 1e-4);
        }
    }
}
