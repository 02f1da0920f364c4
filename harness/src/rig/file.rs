//! The TOML shape of a rig file (`rigs/*.toml`) and its parsing. Unknown keys are rejected by serde;
//! errors are turned into one line naming the file, the line and the key.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use serde::Deserialize;

use super::RigError;

/// The whole file as written. Validation into a [`super::Rig`] happens in `super::validate`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RigFile {
    pub rig: RigSection,
    pub dut: DutSection,
    pub csms: Option<PluginSection>,
    pub ev: Option<PluginSection>,
    pub analyser: Option<PluginSection>,
    pub rfid: Option<PluginSection>,
    #[serde(default)]
    pub tolerances: Tolerances,
    /// The OCTT "Configured ..." parameters: free-form names, string values.
    #[serde(default)]
    pub test_data: BTreeMap<String, String>,
    /// The end-of-line station's settings; read and checked by `eol_station::EolConfig::load`.
    #[serde(default)]
    pub eol: Option<toml::Table>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RigSection {
    pub name: String,
    #[serde(default = "one")]
    pub parallel: u32,
    #[serde(default)]
    pub capabilities: Vec<String>,
}

fn one() -> u32 {
    1
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DutKind {
    /// The harness starts the simulator and a firmware for every rig instance.
    Emulated,
    /// A real charger on a bench; the harness only talks to it.
    External,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DutSection {
    pub kind: DutKind,
    pub variant: Option<String>,
    pub product_number: Option<String>,
    /// The unit's serial number; for emulated rigs each instance appends its index.
    pub serial: Option<String>,
    pub charge_point_id: String,
    /// A custom firmware command for emulated rigs; `{board}`, `{csms_url}`, `{state_dir}`,
    /// `{charge_point_id}`, `{product_number}`, `{serial}`, `{authorization_key}` (from
    /// `[csms] authorization_key`, empty without one) and `{csms_ca}` (the CSMS's CA certificate
    /// file at security profile 2, empty otherwise), `{ui_listen}` (the local interface's
    /// address), `{pin}` and `{ap_window_s}` are replaced per instance.
    pub command: Option<Vec<String>>,
    /// Base URL of the charger's local management interface (external rigs):
    /// `http://<IP address>[:port]`. Emulated rigs pick a free loopback port themselves.
    pub ui_url: Option<String>,
    /// The unit's PIN for its local interface (4 to 12 digits). External rigs: the PIN printed
    /// on the unit's label. Emulated rigs: given to the firmware; unset, each instance makes a
    /// random one.
    pub pin: Option<String>,
    /// Emulated rigs: whether the unit starts with a PIN written at the factory (default true).
    /// `false` is a unit straight off the line, before the end-of-line station provisions it.
    #[serde(default = "yes")]
    pub provisioned: bool,
    /// Emulated rigs: how long the commissioning access point stays on after power-on, seconds
    /// (the firmware's default is 600).
    pub ap_window_s: Option<u64>,
    /// External rigs: the station's factory channel, the program that writes the serial number
    /// and PIN into the unit (a programming fixture); `{serial}`, `{pin}`, `{product_number}` are
    /// replaced. Emulated rigs write the unit's provisioning file and power-cycle it instead.
    pub factory_command: Option<Vec<String>>,
    /// Optional features the charger implements (`@requires.dut.<feature>` scenarios run only
    /// when declared here).
    #[serde(default)]
    pub features: Vec<String>,
    /// Known failures of this DUT: a scenario tag (without `@`, e.g. `TC_056_CS`) and why it
    /// fails. Such a scenario still runs and is still reported as failed, with the reason; it
    /// only does not fail the run's exit status. One that passes is reported so the entry can
    /// be removed.
    #[serde(default)]
    pub known_failures: std::collections::BTreeMap<String, String>,
    /// How long to wait for the emulated firmware's `READY` line.
    #[serde(default = "default_ready_timeout_s")]
    pub ready_timeout_s: f64,
}

fn yes() -> bool {
    true
}

fn default_ready_timeout_s() -> f64 {
    20.0
}

/// One instrument section: the plugin to load and its configuration, passed to the plugin's
/// `open` as JSON (everything but `plugin`). The plugin checks its own keys.
#[derive(Debug, Clone, Deserialize)]
pub struct PluginSection {
    pub plugin: String,
    #[serde(flatten)]
    pub config: toml::Table,
}

/// Tolerances the steps apply when comparing measurements with requirements.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Tolerances {
    pub contactor_open_ms: f64,
    pub contactor_close_ms: f64,
    pub duty_cycle_percent: f64,
    pub pwm_frequency_hz: f64,
    pub cp_voltage_v: f64,
    pub current_a: f64,
    pub voltage_percent: f64,
    pub energy_percent: f64,
    pub reaction_s: f64,
}

impl Default for Tolerances {
    fn default() -> Self {
        Tolerances {
            contactor_open_ms: 100.0,
            contactor_close_ms: 3000.0,
            duty_cycle_percent: 0.5,
            pwm_frequency_hz: 20.0,
            cp_voltage_v: 0.3,
            current_a: 0.5,
            voltage_percent: 2.0,
            energy_percent: 1.0,
            reaction_s: 5.0,
        }
    }
}

/// Reads and deserializes a rig file; every error is one line naming the file.
pub fn read(path: &Path) -> Result<RigFile, RigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| RigError::new(path, None, format!("cannot read: {e}")))?;
    parse(path, &text)
}

/// Deserializes rig file text; `path` is only used in messages.
pub fn parse(path: &Path, text: &str) -> Result<RigFile, RigError> {
    toml::from_str::<RigFile>(text).map_err(|e| {
        let message = one_line(e.message());
        match e.span() {
            Some(span) => {
                let (line, key) = locate(text, span);
                RigError::at(path, line, key, message)
            }
            None => RigError::new(path, None, message),
        }
    })
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The 1-based line of `span` and the dotted key written there (section header + key).
fn locate(text: &str, span: Range<usize>) -> (usize, Option<String>) {
    let start = span.start.min(text.len());
    let line_no = text[..start].matches('\n').count() + 1;
    let line_text = text.lines().nth(line_no - 1).unwrap_or("");
    let section = text
        .lines()
        .take(line_no)
        .filter_map(|l| {
            let l = l.trim();
            (l.starts_with('[') && !l.starts_with("[["))
                .then(|| l.trim_matches(|c| c == '[' || c == ']').trim().to_string())
        })
        .last();
    let trimmed = line_text.trim();
    let key = if trimmed.starts_with('[') {
        None
    } else {
        trimmed
            .split_once('=')
            .map(|(k, _)| k.trim().trim_matches('"').to_string())
    };
    let dotted = match (section, key) {
        (Some(s), Some(k)) => Some(format!("{s}.{k}")),
        (None, Some(k)) => Some(k),
        (Some(s), None) => Some(s),
        (None, None) => None,
    };
    (line_no, dotted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locate_names_section_and_key() {
        let text = "[rig]\nname = \"x\"\nparallel = \"four\"\n";
        let at = text.find("\"four\"").unwrap();
        assert_eq!(
            locate(text, at..at + 6),
            (3, Some("rig.parallel".to_string()))
        );
    }

    #[test]
    fn locate_on_header_names_section() {
        let text = "[rig]\nname = \"x\"\n[dut]\n";
        let at = text.find("[dut]").unwrap();
        assert_eq!(locate(text, at..at + 5), (3, Some("dut".to_string())));
    }
}
