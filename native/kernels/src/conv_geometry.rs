//! Shape of a 2-D convolution in NHWC with filters `[kh, kw, cin, cout]`, shared by the forward
//! and both backward kernels. Padding follows TensorFlow's rules (SAME, VALID, explicit).
use crate::error::{ensure, KernelResult};

/// How the input is padded, as in TensorFlow.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Padding {
    /// Output `ceil(in / stride)`; padding split evenly, the extra pixel at the bottom/right.
    Same,
    /// No padding; output `ceil((in - effective_k + 1) / stride)`.
    Valid,
    Explicit { top: usize, bottom: usize, left: usize, right: usize },
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Conv2dGeometry {
    pub batch: usize,
    pub in_h: usize,
    pub in_w: usize,
    pub in_c: usize,
    pub filter_h: usize,
    pub filter_w: usize,
    pub out_c: usize,
    pub stride_h: usize,
    pub stride_w: usize,
    pub dilation_h: usize,
    pub dilation_w: usize,
    pub pad_top: usize,
    pub pad_left: usize,
    pub out_h: usize,
    pub out_w: usize,
}

/// Input, filter and stride sizes of a convolution, before padding is resolved.
#[derive(Clone, Copy, Debug)]
pub struct ConvShape {
    pub batch: usize,
    pub in_h: usize,
    pub in_w: usize,
    pub in_c: usize,
    pub filter_h: usize,
    pub filter_w: usize,
    pub out_c: usize,
    pub stride_h: usize,
    pub stride_w: usize,
    pub dilation_h: usize,
    pub dilation_w: usize,
}

fn out_and_pad(input: usize, k: usize, stride: usize, dilation: usize, pad: (Option<(usize, usize)>, bool)) -> (usize, usize) {
    let eff = (k - 1) * dilation + 1;
    match pad {
        (Some((before, after)), _) => {
            let padded = input + before + after;
            (if padded >= eff { (padded - eff) / stride + 1 } else { 0 }, before)
        }
        (None, true) => {
            let out = input.div_ceil(stride);
            let total = ((out - 1) * stride + eff).saturating_sub(input);
            (out, total / 2)
        }
        (None, false) => (if input >= eff { (input - eff + 1).div_ceil(stride) } else { 0 }, 0),
    }
}

impl Conv2dGeometry {
    /// Resolves `padding` into offsets and output sizes the way TensorFlow does.
    pub fn new(s: ConvShape, padding: Padding) -> KernelResult<Conv2dGeometry> {
        let sizes = [s.batch, s.in_h, s.in_w, s.in_c, s.filter_h, s.filter_w, s.out_c];
        ensure(sizes.iter().all(|&v| v > 0), || format!("conv2d: every size must be positive, got {s:?}"))?;
        ensure(s.stride_h > 0 && s.stride_w > 0 && s.dilation_h > 0 && s.dilation_w > 0, || {
            format!("conv2d: strides and dilations must be positive, got {s:?}")
        })?;
        let (ph, pw) = match padding {
            Padding::Same => ((None, true), (None, true)),
            Padding::Valid => ((None, false), (None, false)),
            Padding::Explicit { top, bottom, left, right } => ((Some((top, bottom)), false), (Some((left, right)), false)),
        };
        let (out_h, pad_top) = out_and_pad(s.in_h, s.filter_h, s.stride_h, s.dilation_h, ph);
        let (out_w, pad_left) = out_and_pad(s.in_w, s.filter_w, s.stride_w, s.dilation_w, pw);
        let g = Conv2dGeometry {
            batch: s.batch,
            in_h: s.in_h,
            in_w: s.in_w,
            in_c: s.in_c,
            filter_h: s.filter_h,
            filter_w: s.filter_w,
            out_c: s.out_c,
            stride_h: s.stride_h,
            stride_w: s.stride_w,
            dilation_h: s.dilation_h,
            dilation_w: s.dilation_w,
            pad_top,
            pad_left,
            out_h,
            out_w,
        };
        g.validate()?;
        Ok(g)
    }

    /// Checks a geometry built field by field (the binding takes tfjs's resolved conv info).
    pub fn validate(&self) -> KernelResult {
        let g = self;
        let sizes = [g.batch, g.in_h, g.in_w, g.in_c, g.filter_h, g.filter_w, g.out_c, g.out_h, g.out_w];
        ensure(sizes.iter().all(|&v| v > 0), || format!("conv2d: every size must be positive, got {g:?}"))?;
        ensure(g.stride_h > 0 && g.stride_w > 0 && g.dilation_h > 0 && g.dilation_w > 0, || {
            format!("conv2d: strides and dilations must be positive, got {g:?}")
        })?;
        ensure(g.pad_top < g.eff_filter_h() + g.in_h && g.pad_left < g.eff_filter_w() + g.in_w, || {
            format!("conv2d: padding larger than the input plus the filter, got {g:?}")
        })
    }

    pub fn eff_filter_h(&self) -> usize {
        (self.filter_h - 1) * self.dilation_h + 1
    }

    pub fn eff_filter_w(&self) -> usize {
        (self.filter_w - 1) * self.dilation_w + 1
    }

    /// Values in one im2col row: `kh * kw * cin`, ordered like the filter's first three axes.
    pub fn patch_len(&self) -> usize {
        self.filter_h * self.filter_w * self.in_c
    }

    /// Output pixels over the whole batch: the GEMM's M.
    pub fn out_rows(&self) -> usize {
        self.batch * self.out_h * self.out_w
    }

    pub fn input_len(&self) -> usize {
        self.batch * self.in_h * self.in_w * self.in_c
    }

    pub fn filter_len(&self) -> usize {
        self.patch_len() * self.out_c
    }

    pub fn output_len(&self) -> usize {
        self.out_rows() * self.out_c
    }

    /// A 1x1 stride-1 unpadded convolution is a plain GEMM on the input: no im2col needed.
    pub fn is_pointwise(&self) -> bool {
        self.filter_h == 1
            && self.filter_w == 1
            && self.stride_h == 1
            && self.stride_w == 1
            && self.pad_top == 0
            && self.pad_left == 0
            && self.out_h == self.in_h
            && self.out_w == self.in_w
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(in_h: usize, in_w: usize, k: usize, stride: usize) -> ConvShape {
        ConvShape {
            batch: 1,
            in_h,
            in_w,
            in_c: 1,
            filter_h: k,
            filter_w: k,
            out_c: 1,
            stride_h: stride,
            stride_w: stride,
            dilation_h: 1,
            dilation_w: 1,
        }
    }

    #[test]
    fn same_padding_matches_tensorflow() {
        // 28x28, 3x3, stride 2: out 14, total pad (13*2+3-28)=1 -> top 0 (extra at the bottom).
        let g = Conv2dGeometry::new(shape(28, 28, 3, 2), Padding::Same).unwrap();
        assert_eq!((g.out_h, g.pad_top), (14, 0));
        let g = Conv2dGeometry::new(shape(7, 5, 3, 1), Padding::Same).unwrap();
        assert_eq!((g.out_h, g.out_w, g.pad_top, g.pad_left), (7, 5, 1, 1));
    }

    #[test]
    fn valid_and_explicit_padding() {
        let g = Conv2dGeometry::new(shape(28, 28, 3, 2), Padding::Valid).unwrap();
        assert_eq!((g.out_h, g.pad_top), (13, 0));
        let p = Padding::Explicit { top: 1, bottom: 1, left: 2, right: 0 };
        let g = Conv2dGeometry::new(shape(28, 28, 3, 2), p).unwrap();
        assert_eq!((g.out_h, g.out_w, g.pad_top, g.pad_left), (14, 14, 1, 2));
    }

    #[test]
    fn rejects_zero_sizes_and_empty_outputs() {
        assert!(Conv2dGeometry::new(shape(0, 4, 3, 1), Padding::Same).is_err());
        assert!(Conv2dGeometry::new(shape(2, 2, 3, 1), Padding::Valid).is_err());
        assert!(Conv2dGeometry::new(shape(4, 4, 3, 0), Padding::Same).is_err());
    }
}
