//! CUDA device stub. Without the `cuda` feature it says how to get one; with it, it says the
//! kernels are not written yet. Either way it fails at open time, never inside a kernel.
use crate::blas::Gemm;
use crate::device::Device;
use crate::error::{KernelError, KernelResult};

/// A CUDA device (placeholder: cuBLAS/cuDNN kernels slot in here).
pub struct Cuda;

impl Device for Cuda {
    fn name(&self) -> &'static str {
        "cuda"
    }

    fn parallelism(&self) -> usize {
        1
    }

    fn gemm(&self, _g: &Gemm, _a: &[f32], _b: &[f32], _c: &mut [f32]) -> KernelResult {
        Err(unavailable())
    }
}

#[cfg(feature = "cuda")]
fn unavailable() -> KernelError {
    KernelError::DeviceUnavailable(
        "CUDA device: compiled with the `cuda` feature, but its cuBLAS/cuDNN kernels are not implemented yet".into(),
    )
}

#[cfg(not(feature = "cuda"))]
fn unavailable() -> KernelError {
    KernelError::DeviceUnavailable(
        "CUDA device: not compiled in (rebuild cat-kernels with `--features cuda`; only a stub exists today)".into(),
    )
}

/// Opens the CUDA device; always an error today (see the module comment).
pub fn open() -> KernelResult<Cuda> {
    Err(unavailable())
}
