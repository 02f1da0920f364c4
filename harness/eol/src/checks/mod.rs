//! The logic of the end-of-line steps the harness does not have yet (see `harness/EOL.md`,
//! "Steps"): pure functions the step bodies call with what the instruments returned, so the
//! rules are tested here without a rig.

pub mod lights;
pub mod load_points;
pub mod pilot_levels;
pub mod provisioning;
pub mod shipping_state;
pub mod welded;
