//! Shared by the integration tests: a station on a temporary database with its operator output
//! captured.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use eol_station::{EolConfig, Station, TestRequest};

/// Operator output captured in memory.
#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    pub fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub fn config(dir: &Path) -> EolConfig {
    let text = format!(
        "[rig]\nname = \"t\"\n[eol]\ndatabase = \"{}\"\nstation = \"line-1\"\nrated_current_a = 16\nbusy_timeout_ms = 100\n",
        dir.join("eol.sqlite").display()
    );
    EolConfig::parse(Path::new("rigs/test.toml"), &text).unwrap()
}

pub fn request(serial: &str, retest: bool) -> TestRequest {
    TestRequest {
        serial: serial.to_string(),
        product_number: "130577".into(),
        retest,
        operator: Some("Ana".into()),
    }
}

pub fn report_dir(dir: &Path) -> PathBuf {
    dir.join("reports")
}

pub fn start(
    dir: &Path,
    serial: &str,
    retest: bool,
) -> (Result<Station, eol_station::EolError>, Captured) {
    let out = Captured::default();
    let station = Station::start(
        config(dir),
        request(serial, retest),
        report_dir(dir),
        Box::new(out.clone()),
        false,
    );
    (station, out)
}

/// A run where every check passes.
pub fn passing_run(station: &Station) {
    station.set_stage_count(2);
    station.check(
        "CP positive level, vehicle 2.74 kΩ",
        9.02,
        "V",
        Some(8.0),
        Some(10.0),
    );
    station.check("contactor opening after C→B", 31.0, "ms", None, Some(100.0));
    station.stage_finished("CP levels", None);
    station.check(
        "meter Current.Import L1 error at 50 % In",
        0.2,
        "%",
        Some(-1.0),
        Some(1.0),
    );
    station.stage_finished("Meter accuracy", None);
}
