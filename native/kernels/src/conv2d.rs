//! Conv2D forward (NHWC), with the optional bias + activation epilogue of tfjs's FusedConv2D.
use crate::activation::{bias_activation_rows, Activation};
use crate::blas::{sgemm, Gemm};
use crate::conv_blocks::{block_rows, patch_rows};
use crate::conv_geometry::Conv2dGeometry;
use crate::error::{check_len, KernelResult};
use crate::small_patch::{small_k_gemm, SMALL_PATCH};
use crate::winograd;
use rayon::prelude::*;

/// `out[n,oy,ox,co] = act(bias[co] + sum x[n, oy*s+ky*d-pad, ox*s+kx*d-pad, ci] * w[ky,kx,ci,co])`.
/// `x` is `[batch, in_h, in_w, in_c]`, `w` `[filter_h, filter_w, in_c, out_c]`, `bias` `[out_c]`,
/// `out` `[batch, out_h, out_w, out_c]` (fully overwritten).
pub fn conv2d(
    g: &Conv2dGeometry,
    x: &[f32],
    w: &[f32],
    bias: Option<&[f32]>,
    act: Activation,
    out: &mut [f32],
) -> KernelResult {
    g.validate()?;
    check_len("conv2d input", g.input_len(), x.len())?;
    check_len("conv2d filter", g.filter_len(), w.len())?;
    check_len("conv2d output", g.output_len(), out.len())?;
    if let Some(b) = bias {
        check_len("conv2d bias", g.out_c, b.len())?;
    }
    if let Some(plan) = winograd::forward_plan(g) {
        let u = winograd::transform_filter(w, g.in_c, g.out_c, false);
        winograd::run(&plan, x, &u, out, &|_, block| bias_activation_rows(block, g.out_c, bias, act));
        return Ok(());
    }
    let (k, cout) = (g.patch_len(), g.out_c);
    let rows = block_rows(g);
    out.par_chunks_mut(rows * cout).enumerate().for_each_init(Vec::new, |buf, (i, out_block)| {
        let n_rows = out_block.len() / cout;
        let col = patch_rows(g, x, i * rows, n_rows, buf);
        if k <= SMALL_PATCH {
            small_k_gemm(col, w, k, cout, out_block);
        } else {
            sgemm(&Gemm::dense(n_rows, cout, k, false, false), col, w, out_block);
        }
        bias_activation_rows(out_block, cout, bias, act);
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conv_geometry::{ConvShape, Padding};
    use crate::testing::{assert_close, naive_conv2d, random_vec};

    pub fn cases() -> Vec<(ConvShape, Padding)> {
        let s = |batch, in_h, in_w, in_c, k, out_c, stride| ConvShape {
            batch, in_h, in_w, in_c, filter_h: k, filter_w: k, out_c, stride_h: stride, stride_w: stride,
            dilation_h: 1, dilation_w: 1,
        };
        vec![
            (s(2, 28, 28, 1, 3, 32, 1), Padding::Same),
            (s(1, 9, 7, 5, 3, 6, 2), Padding::Same),
            (s(3, 8, 11, 3, 3, 4, 2), Padding::Valid),
            (s(2, 6, 6, 13, 1, 7, 1), Padding::Valid),
            (s(2, 6, 5, 4, 1, 3, 2), Padding::Same),
            (s(1, 10, 6, 2, 5, 3, 1), Padding::Explicit { top: 2, bottom: 1, left: 0, right: 3 }),
            (ConvShape { dilation_h: 2, dilation_w: 2, ..s(1, 9, 9, 2, 3, 2, 1) }, Padding::Same),
            (s(4, 32, 32, 16, 3, 24, 1), Padding::Same),
            // Small images: backprop-input groups 6 images a GEMM, the last group partial.
            (s(7, 5, 5, 5, 3, 4, 1), Padding::Same),
        ]
    }

    #[test]
    fn matches_naive_loop_on_odd_shapes() {
        for (i, (s, p)) in cases().into_iter().enumerate() {
            let g = Conv2dGeometry::new(s, p).unwrap();
            let x = random_vec(g.input_len(), i as u64);
            let w = random_vec(g.filter_len(), 100 + i as u64);
            let mut out = vec![f32::NAN; g.output_len()];
            conv2d(&g, &x, &w, None, Activation::Linear, &mut out).unwrap();
            assert_close(&out, &naive_conv2d(&g, &x, &w), 1e-4);
        }
    }

    #[test]
    fn fuses_bias_and_activation() {
        let (s, p) = cases()[1];
        let g = Conv2dGeometry::new(s, p).unwrap();
        let x = random_vec(g.input_len(), 7);
        let w = random_vec(g.filter_len(), 8);
        let bias = random_vec(g.out_c, 9);
        let mut out = vec![0.0; g.output_len()];
        conv2d(&g, &x, &w, Some(&bias), Activation::LeakyRelu(0.2), &mut out).unwrap();
        let want: Vec<f32> = naive_conv2d(&g, &x, &w)
            .iter()
            .enumerate()
            .map(|(i, v)| Activation::LeakyRelu(0.2).apply(v + bias[i % g.out_c]))
            .collect();
        assert_close(&out, &want, 1e-4);
    }

    #[test]
    fn wrong_lengths_are_errors() {
        let (s, p) = cases()[1];
        let g = Conv2dGeometry::new(s, p).unwrap();
        let mut out = vec![0.0; g.output_len()];
        let err = conv2d(&g, &[0.0; 3], &vec![0.0; g.filter_len()], None, Activation::Linear, &mut out);
        assert!(err.unwrap_err().to_string().contains("conv2d input"));
    }
}

#[cfg(test)]
pub use tests::cases as test_cases;
