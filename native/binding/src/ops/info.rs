//! `info()`: a JSON string describing the build (version, device, threads), so JS can check
//! that the addon loads without running a kernel.
use crate::args::{Args, BindResult, Ret};

pub fn run(_args: &Args) -> BindResult<Ret> {
    Ok(Ret::Str(format!(
        "{{\"version\":\"{}\",\"device\":\"cpu\",\"threads\":{},\"cuda\":{}}}",
        env!("CARGO_PKG_VERSION"),
        rayon::current_num_threads(),
        cfg!(feature = "cuda")
    )))
}
