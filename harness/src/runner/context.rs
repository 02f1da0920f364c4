//! What every scenario of a run shares: the rig, its pool, the report folder. cucumber creates
//! Worlds with `World::new()` (no arguments), so this reaches them through a process-wide handle
//! set once before the run.

use std::sync::{Arc, OnceLock};

use super::report::RunReport;
use crate::rig::pool::RigPool;
use crate::rig::Rig;

#[derive(Debug)]
pub struct RunContext {
    pub rig: Arc<Rig>,
    pub pool: Arc<RigPool>,
    /// The run's reports (`<report_dir>/<run id>/`).
    pub report: Arc<RunReport>,
    /// The end-of-line run of one unit (`--unit-serial`), if this is one.
    pub eol: Option<Arc<eol_station::Station>>,
}

static CURRENT: OnceLock<Arc<RunContext>> = OnceLock::new();

/// Sets the run's context; a process runs one harness run, so a second call is refused.
pub fn install(context: Arc<RunContext>) -> Result<(), String> {
    CURRENT
        .set(context)
        .map_err(|_| "the run context was already set".to_string())
}

/// The run's context, if a run is in progress.
pub fn current() -> Option<Arc<RunContext>> {
    CURRENT.get().cloned()
}
