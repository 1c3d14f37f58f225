//! The addon's functions: one binding file per `fn` of native/ops.manifest, `<name>.rs` with
//! `pub fn run(a: <Name>Args) -> BindResult<Ret>`. build.rs generates the rest from the manifest:
//! the module declarations, each `<Name>Args` (one typed field per argument, read and checked in
//! manifest order) and `ALL`, the table lib.rs registers.

// Argument helpers shared by several ops (not ops themselves).
pub mod conv_args;

include!(concat!(env!("OUT_DIR"), "/ops.rs"));
