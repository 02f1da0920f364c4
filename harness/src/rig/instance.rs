//! One running rig instance: the open plugin instances, the child processes (emulated rigs) and
//! the state folder. Teardown puts every instrument in its safe state, then ends the processes.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use plugin_api::kinds::csms;
use plugin_api::Observation;

use super::{Instrument, Rig};
use crate::plugin_host::{CallError, PluginInstance, PluginLibraries};
use crate::process::Supervised;

/// Why an instance did not start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartError {
    /// A plugin could not be loaded or refused its configuration: the rig file is wrong, and no
    /// other instance will do better, so the run stops with the configuration exit status.
    Config(String),
    /// Anything else: a process that did not start or did not answer in time.
    Failed(String),
}

impl StartError {
    pub fn message(&self) -> &str {
        match self {
            StartError::Config(m) | StartError::Failed(m) => m,
        }
    }
}

impl From<String> for StartError {
    fn from(message: String) -> Self {
        StartError::Failed(message)
    }
}

impl From<&str> for StartError {
    fn from(message: &str) -> Self {
        StartError::Failed(message.to_string())
    }
}

/// How long teardown waits for a plugin call still in progress before giving up on `close`.
const CLOSE_PATIENCE: Duration = Duration::from_secs(5);

/// The pseudo-terminals of an emulated rig, as `rig-sim --out FILE` writes them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct SimPorts {
    pub board: String,
    pub ev: String,
    pub analyser: String,
    pub rfid: String,
    #[serde(default)]
    pub control: Option<String>,
    #[serde(default)]
    pub pid: Option<u32>,
}

impl SimPorts {
    /// The pseudo-terminal that replaces `transport = "sim"` for an instrument.
    pub fn port_for(&self, instrument: Instrument) -> Option<&str> {
        match instrument {
            Instrument::Csms => None,
            Instrument::Ev => Some(&self.ev),
            Instrument::Analyser => Some(&self.analyser),
            Instrument::Rfid => Some(&self.rfid),
        }
    }
}

/// A running rig instance, held by one scenario at a time.
#[derive(Debug)]
pub struct RigInstance {
    pub slot: usize,
    pub plugins: BTreeMap<Instrument, Arc<PluginInstance>>,
    /// Where the charger connects (`ws://…`, the charger appends `/<charge_point_id>`).
    pub csms_url: Option<String>,
    pub sim: Option<SimPorts>,
    /// Started in order (simulator, firmware); ended in reverse.
    pub(super) children: Vec<Supervised>,
    pub(super) state_dir: Option<tempfile::TempDir>,
}

impl RigInstance {
    pub(super) fn new(slot: usize) -> Self {
        RigInstance {
            slot,
            plugins: BTreeMap::new(),
            csms_url: None,
            sim: None,
            children: Vec::new(),
            state_dir: None,
        }
    }

    /// Opens the plugin of one instrument section; the CSMS's endpoint URL is remembered.
    pub(super) fn open_plugin(
        &mut self,
        rig: &Rig,
        libraries: &PluginLibraries,
        instrument: Instrument,
    ) -> Result<(), StartError> {
        let Some(section) = rig.instruments.get(&instrument) else {
            return Ok(());
        };
        let library = libraries
            .get(&section.plugin, instrument.kind())
            .map_err(|e| StartError::Config(e.to_string()))?;
        let port = self.sim.as_ref().and_then(|s| s.port_for(instrument));
        let config = rig.plugin_config(instrument, port);
        let plugin = Arc::new(library.open(&config).map_err(|e| {
            StartError::Config(format!(
                "{e} (rig file {}, section [{}])",
                rig.path.display(),
                instrument.section()
            ))
        })?);
        if instrument == Instrument::Csms {
            let endpoint = plugin
                .call_blocking(&csms::Endpoint {})
                .map_err(|e| e.to_string())?;
            self.csms_url = Some(endpoint.url);
        }
        self.plugins.insert(instrument, plugin);
        Ok(())
    }

    /// The plugin serving `instrument`, or a message saying the rig has none.
    pub fn plugin(&self, instrument: Instrument) -> Result<Arc<PluginInstance>, String> {
        self.plugins.get(&instrument).cloned().ok_or_else(|| {
            format!(
                "the rig has no [{}] section, so no {} plugin",
                instrument.section(),
                instrument.kind()
            )
        })
    }

    /// Every instrument's observations since the last drain.
    pub fn drain_records(&self) -> BTreeMap<Instrument, Result<Vec<Observation>, CallError>> {
        self.plugins
            .iter()
            .map(|(i, p)| (*i, p.drain_record()))
            .collect()
    }

    /// Whether the emulated rig's processes still run; names the first that ended.
    pub fn check_children(&mut self) -> Result<(), String> {
        for child in &mut self.children {
            if let Some(status) = child.try_wait() {
                return Err(format!(
                    "{} (pid {}) ended: {status}",
                    child.name(),
                    child.pid()
                ));
            }
        }
        Ok(())
    }

    /// Copies the children's logs (`*.log` in the state folder) to `dest`.
    pub fn keep_logs(&self, dest: &Path) {
        let Some(dir) = &self.state_dir else { return };
        let Ok(entries) = std::fs::read_dir(dir.path()) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            // Logs are a diagnosis aid; a failed copy must not fail the run.
            if path.extension().is_some_and(|e| e == "log") && std::fs::create_dir_all(dest).is_ok()
            {
                let _ = std::fs::copy(&path, dest.join(entry.file_name()));
            }
        }
    }

    /// Safe state first (EV unplugged, card removed, integration stopped, CSMS closed), then the
    /// processes, newest first. Idempotent.
    pub fn teardown(&mut self) {
        for instrument in [
            Instrument::Ev,
            Instrument::Rfid,
            Instrument::Analyser,
            Instrument::Csms,
        ] {
            if let Some(plugin) = self.plugins.remove(&instrument) {
                if !plugin.close_within(CLOSE_PATIENCE) {
                    eprintln!(
                        "warning: plugin `{}` stayed busy for {} s and was not closed",
                        plugin.library().name(),
                        CLOSE_PATIENCE.as_secs()
                    );
                }
            }
        }
        while let Some(mut child) = self.children.pop() {
            child.terminate(Duration::from_secs(2));
        }
        self.state_dir.take();
    }
}

impl Drop for RigInstance {
    fn drop(&mut self) {
        self.teardown();
    }
}
