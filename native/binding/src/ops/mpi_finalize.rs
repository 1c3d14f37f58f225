//! `mpiFinalize`: MPI_Finalize, if MPI was started and not yet finalized.
use super::MpiFinalizeArgs;
use crate::args::{BindError, BindResult, Ret};
use crate::mpi_sys;

pub fn run(_: MpiFinalizeArgs) -> BindResult<Ret> {
    mpi_sys::mpi().and_then(|m| m.finalize()).map_err(BindError::Value)?;
    Ok(Ret::Undefined)
}
