//! `mpiBroadcast`: MPI_Bcast of a Float32Array from `root`, in place, zero-copy.
use super::MpiBroadcastArgs;
use crate::args::{BindError, BindResult, Ret};
use crate::mpi_sys;

pub fn run(a: MpiBroadcastArgs) -> BindResult<Ret> {
    mpi_sys::mpi().and_then(|m| m.broadcast(a.x, a.root)).map_err(BindError::Value)?;
    Ok(Ret::Undefined)
}
