//! cat-kernels: the native engine's kernels as plain Rust over `f32` slices (no N-API here).
//!
//! Conventions (also in native/README.md): one op per file; tensors are row-major `&[f32]`
//! (NHWC for images); the output is a caller-provided `&mut [f32]` that the kernel fully
//! overwrites; every public kernel validates lengths and returns [`KernelResult`]; parallelism is
//! rayon inside the kernel (callers are synchronous); tests compare against naive loops.

pub mod error;
pub mod device;
pub mod cuda;
pub mod blas;
pub mod par_gemm;
pub mod activation;

// Convolution and matrix multiply (native part A).
pub mod conv_geometry;
pub mod conv_blocks;
pub mod im2col;
pub mod small_patch;
pub mod winograd;
pub mod conv2d;
pub mod conv2d_backprop_input;
pub mod conv2d_backprop_filter;
pub mod matmul;

// Element-wise, batch norm, resize, softmax, reductions, fused attack ops (native part B):
// add one `pub mod NAME;` line per op file below.
pub mod chunked;
pub mod binary;
pub mod unary;
pub mod reduce;
pub mod batch_norm;
pub mod resize_nearest;
pub mod softmax;
pub mod kl_div;
pub mod softmax_cross_entropy;
pub mod sign_step_project;
pub mod calibrate;
pub mod slice;
pub mod tile;
pub mod relu_grad;
pub mod batch_norm_grad;

#[cfg(test)]
mod testing;

pub use activation::Activation;
pub use conv_geometry::{Conv2dGeometry, ConvShape, Padding};
pub use error::{KernelError, KernelResult};
