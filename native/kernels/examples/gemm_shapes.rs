//! Measures single-call GEMM and conv throughput on the shapes of the MNIST CNN (batch 100), for
//! tuning: `cargo run --release -p cat-kernels --example gemm_shapes`.
use cat_kernels::blas::{sgemm, Gemm};
use cat_kernels::conv2d::conv2d;
use cat_kernels::conv2d_backprop_input::conv2d_backprop_input;
use cat_kernels::conv2d_backprop_filter::conv2d_backprop_filter;
use cat_kernels::par_gemm::par_sgemm;
use cat_kernels::{Activation, Conv2dGeometry, ConvShape, Padding};
use std::time::Instant;

extern "C" {
    fn openblas_get_corename() -> *const std::os::raw::c_char;
}

fn cpu_seconds() -> f64 {
    // SAFETY: getrusage fills the struct it is given.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 * 1e-6;
    tv(u.ru_utime) + tv(u.ru_stime)
}

/// CPU seconds per call (all threads), not wall time: the machine is shared, so CPU time is
/// the stable measure of work; divide by the thread count for the unloaded wall time.
fn time<F: FnMut()>(reps: usize, mut f: F) -> f64 {
    f();
    let t = cpu_seconds();
    let w = Instant::now();
    for _ in 0..reps {
        f();
    }
    let _ = w;
    (cpu_seconds() - t) / reps as f64
}

fn main() {
    if std::env::args().nth(1).is_none() {
        parts();
    }
    // SAFETY: returns a static C string.
    let core = unsafe { std::ffi::CStr::from_ptr(openblas_get_corename()) };
    let which = std::env::args().nth(1).unwrap_or_default();
    println!("openblas core: {:?}, rayon threads {}", core, rayon::current_num_threads());
    for &(m, n, k) in if which.is_empty() { &[(2048usize, 2048usize, 2048usize), (19600, 32, 288), (19600, 64, 288), (4900, 64, 576), (78400, 32, 9)][..] } else { &[][..] } {
        let a = vec![0.5f32; m * k];
        let b = vec![0.25f32; k * n];
        let mut c = vec![0.0f32; m * n];
        let g = Gemm::dense(m, n, k, false, false);
        let flops = 2.0 * (m * n * k) as f64;
        let t1 = time(3, || sgemm(&g, &a, &b, &mut c));
        let t2 = time(3, || par_sgemm(&g, &a, &b, &mut c));
        println!("gemm {m}x{n}x{k} (GFLOP per CPU-second): 1 thread {:.1}, par {:.1}", flops / t1 / 1e9, flops / t2 / 1e9);
    }
    let mnist = [(100, 28, 1, 32, 1), (100, 28, 32, 32, 2), (100, 14, 32, 64, 1), (100, 14, 64, 64, 2)];
    let resnet = [(128, 32, 3, 64, 1), (128, 32, 64, 64, 1), (128, 16, 128, 128, 1), (128, 8, 256, 256, 1), (128, 4, 512, 512, 1)];
    let first = [(100, 28, 1, 32, 1)];
    let mask = [(100, 28, 1, 64, 2), (100, 14, 64, 128, 1), (100, 14, 128, 128, 1), (100, 28, 128, 1, 1), (128, 32, 512, 3, 1)];
    let layers: &[(usize, usize, usize, usize, usize)] = match which.as_str() {
        "resnet" => &resnet,
        "mask" => &mask,
        "first" => &first,
        _ => &mnist,
    };
    for &(batch, hw, cin, cout, stride) in layers {
        let s = ConvShape {
            batch, in_h: hw, in_w: hw, in_c: cin, filter_h: 3, filter_w: 3, out_c: cout,
            stride_h: stride, stride_w: stride, dilation_h: 1, dilation_w: 1,
        };
        let g = Conv2dGeometry::new(s, Padding::Same).unwrap();
        let x = vec![0.5f32; g.input_len()];
        let w = vec![0.1f32; g.filter_len()];
        let mut y = vec![0.0f32; g.output_len()];
        let mut dx = vec![0.0f32; g.input_len()];
        let flops = 2.0 * (g.out_rows() * g.patch_len() * cout) as f64;
        let tf = time(5, || conv2d(&g, &x, &w, None, Activation::Linear, &mut y).unwrap());
        let tb = time(5, || conv2d_backprop_input(&g, &y, &w, &mut dx).unwrap());
        let mut dw = vec![0.0f32; g.filter_len()];
        let tw = time(3, || conv2d_backprop_filter(&g, &x, &y, &mut dw).unwrap());
        let dw_line = format!("   dw {:.2} ms ({:.1} GFLOP/cpu-s)", tw * 1e3, flops / tw / 1e9);
        println!(
            "conv {hw}x{hw}x{cin}->{cout} s{stride} (CPU ms): fwd {:.2} ms ({:.1} GFLOP/cpu-s), dx {:.2} ms ({:.1} GFLOP/cpu-s)",
            tf * 1e3, flops / tf / 1e9, tb * 1e3, flops / tb / 1e9
        );
        println!("{dw_line}");
    }
}

#[allow(dead_code)]
fn parts() {
    use cat_kernels::im2col::im2col_rows;
    use cat_kernels::small_patch::small_k_gemm;
    let s = ConvShape {
        batch: 100, in_h: 28, in_w: 28, in_c: 1, filter_h: 3, filter_w: 3, out_c: 32,
        stride_h: 1, stride_w: 1, dilation_h: 1, dilation_w: 1,
    };
    let g = Conv2dGeometry::new(s, Padding::Same).unwrap();
    let x = vec![0.5f32; g.input_len()];
    let w = vec![0.1f32; g.filter_len()];
    let rows = g.out_rows();
    let mut col = vec![0.0f32; rows * 9];
    let mut out = vec![0.0f32; rows * 32];
    let t_im = time(5, || im2col_rows(&g, &x, 0, rows, &mut col));
    let t_mm = time(5, || small_k_gemm(&col, &w, 9, 32, &mut out));
    println!("first layer parts (1 thread, CPU ms): im2col {:.2}, small_k_gemm {:.2}", t_im * 1e3, t_mm * 1e3);
}
