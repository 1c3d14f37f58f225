//! The device boundary. Kernels today run on [`Cpu`] (OpenBLAS + rayon). A CUDA device
//! (cuBLAS/cuDNN) plugs in behind the `cuda` cargo feature by implementing [`Device`] and its own
//! kernel modules; the binding asks [`select`] for a device by name, so `@cat/core` and the JS
//! side never change.
use crate::error::{KernelError, KernelResult};

/// What every device provides. Deliberately small: the GEMM primitive all conv and matmul
/// kernels reduce to, and a name for messages.
pub trait Device: Send + Sync {
    /// Short name used in errors and by `select` (`"cpu"`, `"cuda"`).
    fn name(&self) -> &'static str;
    /// Number of parallel workers the device uses.
    fn parallelism(&self) -> usize;
    /// `C = alpha * op(A) op(B) + beta * C` (row-major; see [`crate::blas::Gemm`]).
    fn gemm(&self, g: &crate::blas::Gemm, a: &[f32], b: &[f32], c: &mut [f32]) -> KernelResult;
}

/// The CPU: OpenBLAS single-threaded GEMM blocks scheduled by rayon.
pub struct Cpu;

impl Device for Cpu {
    fn name(&self) -> &'static str {
        "cpu"
    }

    fn parallelism(&self) -> usize {
        rayon::current_num_threads()
    }

    fn gemm(&self, g: &crate::blas::Gemm, a: &[f32], b: &[f32], c: &mut [f32]) -> KernelResult {
        crate::par_gemm::par_sgemm(g, a, b, c);
        Ok(())
    }
}

/// The device called `name`: `"cpu"` always; `"cuda"` only when compiled with the `cuda` feature
/// (and even then a stub today). Anything else is an error naming the choices.
pub fn select(name: &str) -> KernelResult<Box<dyn Device>> {
    match name {
        "cpu" => Ok(Box::new(Cpu)),
        "cuda" => crate::cuda::open().map(|d| Box::new(d) as Box<dyn Device>),
        other => Err(KernelError::DeviceUnavailable(format!(
            "unknown device '{other}': expected 'cpu' or 'cuda'"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blas::Gemm;

    #[test]
    fn cpu_gemm_runs_through_the_trait() {
        let dev = select("cpu").unwrap();
        let mut c = vec![0.0; 1];
        dev.gemm(&Gemm::dense(1, 1, 2, false, false), &[1.0, 2.0], &[3.0, 4.0], &mut c).unwrap();
        assert_eq!(c, vec![11.0]);
        assert_eq!(dev.name(), "cpu");
    }

    #[test]
    fn cuda_and_unknown_devices_error_clearly() {
        let err = select("cuda").err().unwrap().to_string();
        assert!(err.contains("CUDA"), "{err}");
        assert!(select("tpu").err().unwrap().to_string().contains("unknown device 'tpu'"));
    }
}
