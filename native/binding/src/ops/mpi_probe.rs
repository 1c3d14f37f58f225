//! `mpiProbe`: whether the MPI library opens (without starting MPI), as JSON.
use super::MpiProbeArgs;
use crate::args::{BindResult, Ret};
use crate::mpi_sys;

/// `s` as a JSON string literal.
fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

pub fn run(_: MpiProbeArgs) -> BindResult<Ret> {
    Ok(Ret::Str(match mpi_sys::mpi() {
        Ok(m) => format!("{{\"available\":true,\"library\":{}}}", json_string(&m.library)),
        Err(e) => format!("{{\"available\":false,\"error\":{}}}", json_string(&e)),
    }))
}
