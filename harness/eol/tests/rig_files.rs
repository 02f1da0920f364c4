//! The station's rig files carry a valid `[eol]` section.

use std::path::{Path, PathBuf};

use eol_station::EolConfig;

fn rig(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../rigs")
        .join(name)
}

#[test]
fn the_emulated_station_rig_is_valid() {
    let c = EolConfig::load(&rig("eol-station.toml")).unwrap();
    assert_eq!(c.station, "eol-ci");
    assert_eq!(c.rated_current_a, 16.0);
    assert!(
        c.database.starts_with("reports"),
        "CI writes under the ignored reports/ folder"
    );
    let text = std::fs::read_to_string(rig("eol-station.toml")).unwrap();
    assert!(text.contains("parallel = 1"));
}

#[test]
fn the_example_station_rig_is_valid() {
    let c = EolConfig::load(&rig("eol-station.example.toml")).unwrap();
    assert_eq!(c.station, "line-1");
    assert_eq!(c.firmware_version.as_deref(), Some("1.2.3"));
    assert_eq!(c.meter.class, "IEC 62053-21 class 1");
}
