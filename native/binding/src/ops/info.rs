//! `info()`: a JSON string describing the build (version, device, threads, the hash of the ops
//! manifest it was built from), so JS can check the addon without running a kernel.
use super::InfoArgs;
use crate::args::{BindResult, Ret};

pub fn run(_: InfoArgs) -> BindResult<Ret> {
    Ok(Ret::Str(format!(
        "{{\"version\":\"{}\",\"device\":\"cpu\",\"threads\":{},\"manifest\":\"{}\"}}",
        env!("CARGO_PKG_VERSION"),
        rayon::current_num_threads(),
        env!("CAT_OPS_MANIFEST_HASH")
    )))
}
