//! `mpiAbort`: MPI_Abort on MPI_COMM_WORLD, which ends every rank of the job with `code`.
use super::MpiAbortArgs;
use crate::args::{BindError, BindResult, Ret};
use crate::mpi_sys;

pub fn run(a: MpiAbortArgs) -> BindResult<Ret> {
    let code = i32::try_from(a.code).map_err(|_| BindError::Value(format!("mpiAbort: exit code {} is too large", a.code)))?;
    mpi_sys::mpi().and_then(|m| m.abort(code)).map_err(BindError::Value)?;
    Ok(Ret::Undefined)
}
