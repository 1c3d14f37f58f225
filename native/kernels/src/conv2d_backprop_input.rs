//! Gradient of Conv2D with respect to its input (tfjs `Conv2DBackpropInput`): what every
//! attack step needs. `dcol = dy x filter^T`, then col2im scatters `dcol` back onto the image.
use crate::blas::Gemm;
use crate::conv_geometry::Conv2dGeometry;
use crate::error::{check_len, KernelResult};
use crate::im2col::col2im_image;
use crate::par_gemm::par_sgemm;
use crate::small_patch::{small_patch_backprop_input, SMALL_PATCH};
use crate::winograd;
use crate::chunked::for_each_chunk;
use crate::relu_grad::relu_mask_in_place;
use rayon::prelude::*;

/// Column-matrix rows below which OpenBLAS runs far under its peak.
const MIN_GEMM_ROWS: usize = 128;

/// `dx[n,iy,ix,ci] = sum dy[n,oy,ox,co] * w[ky,kx,ci,co]` over the taps that read `(iy, ix)`.
/// `dy` is `[batch, out_h, out_w, out_c]`, `w` `[filter_h, filter_w, in_c, out_c]`,
/// `dx` `[batch, in_h, in_w, in_c]` (fully overwritten).
pub fn conv2d_backprop_input(g: &Conv2dGeometry, dy: &[f32], w: &[f32], dx: &mut [f32]) -> KernelResult {
    conv2d_backprop_input_relu(g, dy, w, None, dx)
}

/// [`conv2d_backprop_input`] followed, when `relu_of` is given, by ReLU's gradient at the conv's
/// input: `dx = relu_of > 0 ? dx : 0 * dx`, where `relu_of` is the conv's input `x` (the output
/// of a ReLU). Applied block by block while `dx` is in cache, it saves the separate pass over
/// the activation that the ReLU's own gradient would make.
pub fn conv2d_backprop_input_relu(g: &Conv2dGeometry, dy: &[f32], w: &[f32], relu_of: Option<&[f32]>, dx: &mut [f32]) -> KernelResult {
    g.validate()?;
    check_len("conv2d_backprop_input dy", g.output_len(), dy.len())?;
    check_len("conv2d_backprop_input filter", g.filter_len(), w.len())?;
    check_len("conv2d_backprop_input dx", g.input_len(), dx.len())?;
    if let Some(x) = relu_of {
        check_len("conv2d_backprop_input relu_of", g.input_len(), x.len())?;
    }
    let mask = |offset: usize, block: &mut [f32]| {
        if let Some(x) = relu_of {
            relu_mask_in_place(block, &x[offset..offset + block.len()]);
        }
    };
    if let Some(plan) = winograd::backprop_input_plan(g) {
        let u = winograd::transform_filter(w, g.in_c, g.out_c, true);
        winograd::run(&plan, dy, &u, dx, &mask);
        return Ok(());
    }
    let (k, cout) = (g.patch_len(), g.out_c);
    if g.is_pointwise() || k <= SMALL_PATCH {
        if g.is_pointwise() {
            // dx [M, cin] = dy [M, cout] x w[cin, cout]^T.
            par_sgemm(&Gemm::dense(g.out_rows(), k, cout, false, true), dy, w, dx);
        } else {
            small_patch_backprop_input(g, dy, w, dx);
        }
        if relu_of.is_some() {
            for_each_chunk(dx, mask);
        }
        return Ok(());
    }
    let pixels = g.out_h * g.out_w;
    let image_len = g.in_h * g.in_w * g.in_c;
    // Images are processed in groups whose column matrix has enough rows for an efficient
    // GEMM (ResNet's 4x4 layer4 has only 16 rows an image).
    let group = (MIN_GEMM_ROWS.div_ceil(pixels)).clamp(1, g.batch);
    let one_group = |first: usize, dx_group: &mut [f32], col: &mut Vec<f32>, parallel_gemm: bool| {
        let images = dx_group.len() / image_len;
        let rows = images * pixels;
        col.resize(rows * k, 0.0);
        let dy_group = &dy[first * pixels * cout..(first + images) * pixels * cout];
        let gemm = Gemm::dense(rows, k, cout, false, true);
        if parallel_gemm {
            par_sgemm(&gemm, dy_group, w, col);
        } else {
            crate::blas::sgemm(&gemm, dy_group, w, col);
        }
        dx_group.fill(0.0);
        for (i, dx_image) in dx_group.chunks_mut(image_len).enumerate() {
            col2im_image(g, &col[i * pixels * k..(i + 1) * pixels * k], dx_image);
        }
        mask(first * image_len, dx_group);
    };
    let groups = g.batch.div_ceil(group);
    if groups < rayon::current_num_threads() {
        // Too few groups to go around: parallelise inside each group's GEMM instead.
        let mut col = Vec::new();
        for (i, dx_group) in dx.chunks_mut(group * image_len).enumerate() {
            one_group(i * group, dx_group, &mut col, true);
        }
    } else {
        dx.par_chunks_mut(group * image_len)
            .enumerate()
            .for_each_init(Vec::new, |col, (i, dx_group)| one_group(i * group, dx_group, col, false));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conv2d::{conv2d, test_cases};
    use crate::activation::Activation;
    use crate::testing::{assert_close, naive_conv2d_dx, random_vec};

    #[test]
    fn matches_naive_loop_on_odd_shapes() {
        for (i, (s, p)) in test_cases().into_iter().enumerate() {
            let g = Conv2dGeometry::new(s, p).unwrap();
            let dy = random_vec(g.output_len(), 20 + i as u64);
            let w = random_vec(g.filter_len(), 40 + i as u64);
            let mut dx = vec![f32::NAN; g.input_len()];
            conv2d_backprop_input(&g, &dy, &w, &mut dx).unwrap();
            assert_close(&dx, &naive_conv2d_dx(&g, &dy, &w), 1e-4);
        }
    }

    #[test]
    fn relu_variant_equals_the_input_gradient_then_relus_gradient() {
        // Every path: im2col groups, pointwise, small patch (test_cases), and Winograd (48+ channels).
        let mut cases = test_cases();
        cases.push((crate::conv_geometry::ConvShape { in_c: 48, out_c: 50, ..test_cases()[7].0 }, test_cases()[7].1));
        for (i, (s, p)) in cases.into_iter().enumerate() {
            let g = Conv2dGeometry::new(s, p).unwrap();
            let dy = random_vec(g.output_len(), 70 + i as u64);
            let w = random_vec(g.filter_len(), 80 + i as u64);
            // A ReLU output: about half zeros.
            let x: Vec<f32> = random_vec(g.input_len(), 90 + i as u64).into_iter().map(|v| v.max(0.0)).collect();
            let mut plain = vec![f32::NAN; g.input_len()];
            conv2d_backprop_input(&g, &dy, &w, &mut plain).unwrap();
            let mut want = vec![f32::NAN; g.input_len()];
            crate::relu_grad::relu_grad(&plain, &x, 0.0, &mut want).unwrap();
            let mut got = vec![f32::NAN; g.input_len()];
            conv2d_backprop_input_relu(&g, &dy, &w, Some(&x), &mut got).unwrap();
            assert_eq!(got, want, "case {i}");
        }
    }

    #[test]
    fn is_the_adjoint_of_the_forward_conv() {
        // <conv(x), dy> == <x, conv_backprop_input(dy)> for any x, dy: independent of the naive loop.
        let (s, p) = test_cases()[2];
        let g = Conv2dGeometry::new(s, p).unwrap();
        let x = random_vec(g.input_len(), 1);
        let w = random_vec(g.filter_len(), 2);
        let dy = random_vec(g.output_len(), 3);
        let mut y = vec![0.0; g.output_len()];
        conv2d(&g, &x, &w, None, Activation::Linear, &mut y).unwrap();
        let mut dx = vec![0.0; g.input_len()];
        conv2d_backprop_input(&g, &dy, &w, &mut dx).unwrap();
        let lhs: f64 = y.iter().zip(&dy).map(|(a, b)| *a as f64 * *b as f64).sum();
        let rhs: f64 = x.iter().zip(&dx).map(|(a, b)| *a as f64 * *b as f64).sum();
        assert!((lhs - rhs).abs() < 1e-3 * lhs.abs().max(1.0), "{lhs} vs {rhs}");
    }
}
