//! Rig descriptions (`rigs/*.toml`): parsing, validation, and the running instances a scenario uses.

pub mod capabilities;
pub mod emulated;

pub mod factory_channel;
pub mod file;
pub mod instance;
pub mod pool;
pub mod ui_access;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

pub use file::{DutKind, PluginSection, Tolerances};

/// A configuration error in a rig file: always one line naming the file, and the line and key
/// where known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RigError(String);

impl RigError {
    pub fn new(path: &Path, key: Option<&str>, message: impl fmt::Display) -> Self {
        match key {
            Some(key) => RigError(format!(
                "rig file {}: key `{key}`: {message}",
                path.display()
            )),
            None => RigError(format!("rig file {}: {message}", path.display())),
        }
    }

    pub fn at(path: &Path, line: usize, key: Option<String>, message: impl fmt::Display) -> Self {
        match key {
            Some(key) => RigError(format!(
                "rig file {}:{line}: key `{key}`: {message}",
                path.display()
            )),
            None => RigError(format!("rig file {}:{line}: {message}", path.display())),
        }
    }
}

impl fmt::Display for RigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RigError {}

/// The four instrument roles a rig file can fill, each served by a plugin of one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Instrument {
    Csms,
    Ev,
    Analyser,
    Rfid,
}

impl Instrument {
    pub const ALL: [Instrument; 4] = [
        Instrument::Csms,
        Instrument::Ev,
        Instrument::Analyser,
        Instrument::Rfid,
    ];

    /// The rig file section that configures it.
    pub fn section(self) -> &'static str {
        match self {
            Instrument::Csms => "csms",
            Instrument::Ev => "ev",
            Instrument::Analyser => "analyser",
            Instrument::Rfid => "rfid",
        }
    }

    /// The plugin kind (`HarnessPluginV1::kind`) the section must load.
    pub fn kind(self) -> &'static str {
        match self {
            Instrument::Csms => "csms",
            Instrument::Ev => "ev-emulator",
            Instrument::Analyser => "power-analyser",
            Instrument::Rfid => "rfid-emulator",
        }
    }
}

/// The charger under test, as the rig file describes it.
#[derive(Debug, Clone)]
pub struct Dut {
    pub kind: DutKind,
    pub variant: Option<String>,
    pub product_number: Option<String>,
    pub serial: Option<String>,
    pub charge_point_id: String,
    pub command: Option<Vec<String>>,
    pub ui_url: Option<String>,
    /// `ui_url` as an address (external rigs).
    pub ui_addr: Option<std::net::SocketAddr>,
    /// `[dut] pin`, checked.
    pub pin: Option<String>,
    /// Emulated: the unit starts with a PIN (`[dut] provisioned`, default true).
    pub provisioned: bool,
    /// Emulated: the access point window, seconds (`[dut] ap_window_s`).
    pub ap_window_s: Option<u64>,
    /// External: the factory channel's command (`[dut] factory_command`).
    pub factory_command: Option<Vec<String>>,
    pub ready_timeout: std::time::Duration,
    /// The optional features it declares (`[dut] features`).
    pub features: BTreeSet<String>,
    /// Scenario tags (without `@`) this DUT is known to fail, with the reason
    /// (`[dut] known_failures`).
    pub known_failures: BTreeMap<String, String>,
    /// Seeded firmware defects from the command line (`--seed-defect`), passed to the emulated
    /// firmware; never from the rig file.
    pub seeded_defects: Vec<String>,
}

impl Dut {
    pub fn declares(&self, feature: &str) -> bool {
        self.features.contains(feature)
    }

    /// The charger's rated current per phase, A, from its product number (`[dut]
    /// product_number`): scenarios that offer "the rated current" run on every product line.
    pub fn rated_current_a(&self) -> Result<u32, String> {
        let product = self
            .product_number
            .as_deref()
            .ok_or("the rig states no product number ([dut] product_number), so the rated current is unknown")?;
        product_variant(product)
            .map(|v| v.rated_current_a)
            .ok_or_else(|| {
                format!("product number `{product}` ([dut] product_number) is not a known Halo product, so its rated current is unknown")
            })
    }
}

impl Dut {
    /// Makes this DUT the product `product` (the end-of-line station's `--product-number`): the
    /// product number, and the `rated-32a` declaration that follows from it, so the 32 A cases
    /// run exactly on 32 A products.
    pub fn set_product_number(&mut self, product: &str) {
        self.product_number = Some(product.to_string());
        if let Some(variant) = product_variant(product) {
            if variant.rated_current_a == 32 {
                self.features.insert("rated-32a".to_string());
            } else {
                self.features.remove("rated-32a");
            }
        }
    }
}

/// The variant a product number names, `None` for a number the firmware does not know.
fn product_variant(product: &str) -> Option<reference_firmware::core::Variant> {
    product
        .parse()
        .ok()
        .and_then(reference_firmware::core::Variant::from_product_number)
}

/// A validated rig file.
#[derive(Debug, Clone)]
pub struct Rig {
    pub path: PathBuf,
    pub name: String,
    pub parallel: usize,
    pub capabilities: BTreeSet<String>,
    pub dut: Dut,
    pub instruments: BTreeMap<Instrument, PluginSection>,
    pub tolerances: Tolerances,
    pub test_data: BTreeMap<String, String>,
}

impl Rig {
    pub fn has_capability(&self, name: &str) -> bool {
        self.capabilities.contains(name)
    }

    /// The `[csms] authorization_key` the charger must present (security profiles 1 and 2).
    pub fn authorization_key(&self) -> Option<&str> {
        self.instruments
            .get(&Instrument::Csms)?
            .config
            .get("authorization_key")?
            .as_str()
    }

    /// The JSON configuration passed to the instrument plugin's `open`: the section without its
    /// `plugin` key, with `transport = "sim"` replaced by the simulator's pseudo-terminal.
    pub fn plugin_config(
        &self,
        instrument: Instrument,
        sim_port: Option<&str>,
    ) -> serde_json::Value {
        let mut config = self
            .instruments
            .get(&instrument)
            .map(|s| s.config.clone())
            .unwrap_or_default();
        if let (Some(port), Some(toml::Value::String(t))) = (sim_port, config.get("transport")) {
            if t == SIM_TRANSPORT {
                let mut serial = toml::Table::new();
                serial.insert("serial".into(), toml::Value::String(port.to_string()));
                config.insert("transport".into(), toml::Value::Table(serial));
            }
        }
        serde_json::to_value(&config).unwrap_or(serde_json::Value::Null)
    }
}

/// The `transport` value that asks for the emulated rig's pseudo-terminal.
pub const SIM_TRANSPORT: &str = "sim";

/// The placeholders a custom firmware command may use.
pub const COMMAND_PLACEHOLDERS: &[&str] = &[
    "board",
    "ui_listen",
    "pin",
    "ap_window_s",
    "csms_url",
    "state_dir",
    "charge_point_id",
    "product_number",
    "serial",
    "authorization_key",
    "csms_ca",
];

/// Reads and validates a rig file.
pub fn load(path: &Path) -> Result<Rig, RigError> {
    let raw = file::read(path)?;
    validate(path, raw)
}

fn validate(path: &Path, raw: file::RigFile) -> Result<Rig, RigError> {
    let err = |key: &str, msg: String| RigError::new(path, Some(key), msg);
    if raw.rig.name.trim().is_empty() {
        return Err(err("rig.name", "must not be empty".into()));
    }
    if !(1..=32).contains(&raw.rig.parallel) {
        return Err(err(
            "rig.parallel",
            format!("must be between 1 and 32, got {}", raw.rig.parallel),
        ));
    }
    let mut capabilities = BTreeSet::new();
    for (i, cap) in raw.rig.capabilities.iter().enumerate() {
        if !capabilities::is_known(cap) {
            return Err(err(
                &format!("rig.capabilities[{i}]"),
                format!(
                    "unknown capability `{cap}` (known: {})",
                    capabilities::known_list()
                ),
            ));
        }
        capabilities.insert(cap.clone());
    }

    let d = raw.dut;
    let mut dut_features = BTreeSet::new();
    for (i, feature) in d.features.iter().enumerate() {
        if !capabilities::is_known_dut_feature(feature) {
            return Err(err(
                &format!("dut.features[{i}]"),
                format!(
                    "unknown DUT feature `{feature}` (known: {})",
                    capabilities::known_dut_feature_list()
                ),
            ));
        }
        dut_features.insert(feature.clone());
    }
    // The 32 A cases run only where the product is rated 32 A: a declaration that contradicts
    // the product number would run them on a 16 A unit (or never run them on a 32 A one).
    if let Some(variant) = d.product_number.as_deref().and_then(product_variant) {
        let declared = dut_features.contains("rated-32a");
        if declared != (variant.rated_current_a == 32) {
            return Err(err(
                "dut.features",
                format!(
                    "product {} is rated {} A: {} `rated-32a`",
                    variant.product_number,
                    variant.rated_current_a,
                    if declared { "remove" } else { "add" }
                ),
            ));
        }
    }
    if d.charge_point_id.trim().is_empty() || d.charge_point_id.contains(['/', ' ', '?', '#']) {
        return Err(err(
            "dut.charge_point_id",
            format!("`{}` is not usable in a URL path", d.charge_point_id),
        ));
    }
    if !(d.ready_timeout_s > 0.0 && d.ready_timeout_s <= 600.0) {
        return Err(err(
            "dut.ready_timeout_s",
            format!("must be in (0, 600], got {}", d.ready_timeout_s),
        ));
    }
    match d.kind {
        DutKind::Emulated => {
            if d.product_number.is_none() {
                return Err(err(
                    "dut.product_number",
                    "is required when dut.kind = \"emulated\"".into(),
                ));
            }
            for (key, set) in [
                ("dut.ui_url", d.ui_url.is_some()),
                ("dut.factory_command", d.factory_command.is_some()),
            ] {
                if set {
                    return Err(err(
                        key,
                        "only applies when dut.kind = \"external\" (the emulated unit's interface and factory channel are the harness's own)".into(),
                    ));
                }
            }
            if !d.provisioned && d.pin.is_some() {
                return Err(err(
                    "dut.pin",
                    "a unit with provisioned = false has no PIN yet: remove one of the two".into(),
                ));
            }
        }
        DutKind::External => {
            for (key, set) in [
                ("dut.command", d.command.is_some()),
                ("dut.ap_window_s", d.ap_window_s.is_some()),
                ("dut.provisioned", !d.provisioned),
            ] {
                if set {
                    return Err(err(key, "only applies when dut.kind = \"emulated\"".into()));
                }
            }
        }
    }
    let ui_addr = match &d.ui_url {
        Some(url) => Some(ui_access::parse_ui_url(url).map_err(|e| err("dut.ui_url", e))?),
        None => None,
    };
    if let Some(pin) = &d.pin {
        ui_access::check_pin(pin).map_err(|e| err("dut.pin", e))?;
    }
    if let Some(window) = d.ap_window_s {
        if !(1..=3600).contains(&window) {
            return Err(err(
                "dut.ap_window_s",
                format!("must be between 1 and 3600 seconds, got {window}"),
            ));
        }
    }
    if let Some(command) = &d.factory_command {
        if command.is_empty() {
            return Err(err("dut.factory_command", "must name a program".into()));
        }
        for word in command {
            if let Some(bad) = unknown_placeholder_of(word, FACTORY_PLACEHOLDERS) {
                return Err(err(
                    "dut.factory_command",
                    format!(
                        "unknown placeholder `{{{bad}}}` (known: {})",
                        FACTORY_PLACEHOLDERS.join(", ")
                    ),
                ));
            }
        }
    }
    if let Some(command) = &d.command {
        if command.is_empty() {
            return Err(err("dut.command", "must name a program".into()));
        }
        for word in command {
            if let Some(bad) = unknown_placeholder(word) {
                return Err(err(
                    "dut.command",
                    format!(
                        "unknown placeholder `{{{bad}}}` (known: {})",
                        COMMAND_PLACEHOLDERS.join(", ")
                    ),
                ));
            }
        }
    }

    let mut instruments = BTreeMap::new();
    for (instrument, section) in [
        (Instrument::Csms, raw.csms),
        (Instrument::Ev, raw.ev),
        (Instrument::Analyser, raw.analyser),
        (Instrument::Rfid, raw.rfid),
    ] {
        let Some(section) = section else { continue };
        let name = instrument.section();
        if section.plugin.is_empty()
            || !section
                .plugin
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(err(
                &format!("{name}.plugin"),
                format!("`{}` is not a plugin name", section.plugin),
            ));
        }
        match section.config.get("transport") {
            Some(toml::Value::String(t)) if t == SIM_TRANSPORT && d.kind == DutKind::Emulated => {}
            Some(toml::Value::String(t)) if t == SIM_TRANSPORT => {
                return Err(err(
                    &format!("{name}.transport"),
                    "\"sim\" only works when dut.kind = \"emulated\"".into(),
                ));
            }
            Some(toml::Value::String(t)) => {
                return Err(err(
                    &format!("{name}.transport"),
                    format!(
                        "`{t}` is neither \"sim\" nor a table like {{ serial = \"/dev/ttyUSB0\" }}"
                    ),
                ));
            }
            _ => {}
        }
        instruments.insert(instrument, section);
    }
    if d.kind == DutKind::Emulated && !instruments.contains_key(&Instrument::Csms) {
        return Err(RigError::new(
            path,
            Some("csms"),
            "an emulated rig needs a [csms] section (the firmware connects to it)",
        ));
    }

    Ok(Rig {
        path: path.to_path_buf(),
        name: raw.rig.name,
        parallel: raw.rig.parallel as usize,
        capabilities,
        dut: Dut {
            kind: d.kind,
            variant: d.variant,
            product_number: d.product_number,
            serial: d.serial,
            charge_point_id: d.charge_point_id,
            command: d.command,
            ui_url: d.ui_url,
            ui_addr,
            pin: d.pin,
            provisioned: d.provisioned,
            ap_window_s: d.ap_window_s,
            factory_command: d.factory_command,
            ready_timeout: std::time::Duration::from_secs_f64(d.ready_timeout_s),
            features: dut_features,
            known_failures: d.known_failures,
            seeded_defects: Vec::new(),
        },
        instruments,
        tolerances: raw.tolerances,
        test_data: raw.test_data,
    })
}

/// The placeholders of `[dut] factory_command`.
pub const FACTORY_PLACEHOLDERS: &[&str] = &["serial", "pin", "product_number"];

/// The first `{name}` in `word` that is not a known placeholder.
fn unknown_placeholder(word: &str) -> Option<String> {
    unknown_placeholder_of(word, COMMAND_PLACEHOLDERS)
}

fn unknown_placeholder_of(word: &str, known: &[&str]) -> Option<String> {
    let mut rest = word;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let close = after.find('}')?;
        let name = &after[..close];
        if !known.contains(&name) {
            return Some(name.to_string());
        }
        rest = &after[close + 1..];
    }
    None
}

#[cfg(test)]
mod tests;

#[cfg(test)]
pub(crate) mod tests_support {
    use std::path::Path;

    /// A valid emulated rig with the given capabilities, for other modules' tests.
    pub fn rig_with_capabilities(capabilities: &[&str]) -> super::Rig {
        let caps: Vec<String> = capabilities.iter().map(|c| format!("\"{c}\"")).collect();
        let text = format!(
            "[rig]\nname = \"test\"\ncapabilities = [{}]\n[dut]\nkind = \"emulated\"\nproduct_number = \"1\"\ncharge_point_id = \"CP\"\n[csms]\nplugin = \"test-plugin\"\n",
            caps.join(", ")
        );
        let path = Path::new("test.toml");
        super::validate(path, super::file::parse(path, &text).unwrap()).unwrap()
    }
}
