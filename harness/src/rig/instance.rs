//! One running rig instance: the open plugin instances, the child processes (emulated rigs) and
//! the state folder. Teardown puts every instrument in its safe state, then ends the processes.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use plugin_api::kinds::csms;
use plugin_api::Observation;

use super::ui_access::UiEndpoint;
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
    /// The CA certificate (PEM file) the charger must trust for the CSMS's TLS (profile 2).
    pub csms_ca: Option<String>,
    pub sim: Option<SimPorts>,
    /// Started in order (simulator, firmware); ended in reverse.
    pub(super) children: Vec<Supervised>,
    pub(super) state_dir: Option<tempfile::TempDir>,
    /// How the firmware was started, so a power cycle can start it again (emulated rigs).
    pub(super) firmware: Option<FirmwareLaunch>,
    /// The emulated firmware's state folder (its "flash"), where the factory channel writes.
    pub(super) firmware_state_dir: Option<std::path::PathBuf>,
    /// The charger's local management interface, if the harness can reach it.
    pub ui: Option<UiEndpoint>,
}

/// The emulated firmware's command line and log files, kept for restarts.
#[derive(Debug, Clone)]
pub struct FirmwareLaunch {
    pub program: std::ffi::OsString,
    pub args: Vec<std::ffi::OsString>,
    /// Its stderr (appended to on every start).
    pub log: std::path::PathBuf,
    /// A copy of its stdout after `READY`.
    pub stdout_copy: std::path::PathBuf,
    pub ready_timeout: Duration,
    /// The bundled reference firmware's state directory (it runs with `--test-hooks`); `None`
    /// for another firmware (`[dut] command`), which has no test hooks the harness knows.
    pub test_hooks_state_dir: Option<std::path::PathBuf>,
}

/// How long switching the emulated charger on waits for its `READY`.
pub const RESTART_PATIENCE: Duration = Duration::from_secs(5);

/// The name of the firmware's child process (also used in messages).
pub const FIRMWARE_CHILD: &str = "firmware";

/// How the charger loses power.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PowerLoss {
    /// Mains gone: the processor stops at once (SIGKILL), nothing is saved.
    Abrupt,
    /// An orderly shutdown: the firmware gets SIGTERM and a moment to finish.
    Orderly,
}

impl RigInstance {
    pub(super) fn new(slot: usize) -> Self {
        RigInstance {
            slot,
            plugins: BTreeMap::new(),
            csms_url: None,
            csms_ca: None,
            sim: None,
            children: Vec::new(),
            state_dir: None,
            firmware: None,
            firmware_state_dir: None,
            ui: None,
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
            self.csms_ca = endpoint.ca_cert_path;
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

    /// Whether the firmware process runs.
    pub fn firmware_running(&mut self) -> bool {
        self.children
            .iter_mut()
            .any(|c| c.name() == FIRMWARE_CHILD && c.try_wait().is_none())
    }

    /// Ends the firmware process as a power loss would. Its state folder stays, so the next
    /// [`RigInstance::power_on`] starts it with what it had stored.
    pub fn power_off(&mut self, how: PowerLoss) -> Result<(), String> {
        if self.firmware.is_none() {
            return Err(format!(
                "rig instance {} does not run the charger's firmware itself, so it cannot switch it off",
                self.slot
            ));
        }
        if let Some(at) = self
            .children
            .iter()
            .position(|c| c.name() == FIRMWARE_CHILD)
        {
            let mut child = self.children.remove(at);
            match how {
                PowerLoss::Abrupt => child.kill_now(),
                PowerLoss::Orderly => child.terminate(Duration::from_secs(5)),
            }
        }
        Ok(())
    }

    /// Starts the firmware again after [`RigInstance::power_off`] (same state folder, same
    /// command line) and waits for its `READY`, at most [`RESTART_PATIENCE`]: a charger whose
    /// start-up self-test fails never says READY, and the following steps judge what it does.
    /// True if it said READY (or was running). Nothing to do if it runs.
    pub fn power_on(&mut self) -> Result<bool, String> {
        if self.firmware_running() {
            return Ok(true);
        }
        let launch = self.firmware.clone().ok_or_else(|| {
            format!(
                "rig instance {} does not run the charger's firmware itself, so it cannot switch it on",
                self.slot
            )
        })?;
        // A firmware that ended on its own is replaced too: mains on means a fresh start.
        self.children.retain(|c| c.name() != FIRMWARE_CHILD);
        let patience = launch.ready_timeout.min(RESTART_PATIENCE);
        let mut launch = launch;
        let mut attempt = 1;
        loop {
            match super::emulated::launch_firmware(self, &launch, patience) {
                // While the unit was off, another process (another instance, an outgoing
                // connection's ephemeral port) may have taken its local interface's port: the
                // unit comes back on another one, as at the first start.
                Err(e)
                    if e.contains("cannot listen")
                        && self.ui.is_some()
                        && self.has_firmware_option("--ui-listen")
                        && attempt < super::emulated::UI_PORT_ATTEMPTS =>
                {
                    self.children.retain(|c| c.name() != FIRMWARE_CHILD);
                    let addr = super::ui_access::free_loopback_port()?;
                    self.set_firmware_option("--ui-listen", &addr.to_string())?;
                    if let Some(ui) = &mut self.ui {
                        ui.addr = addr;
                    }
                    launch = self
                        .firmware
                        .clone()
                        .ok_or("the firmware's launch went away")?;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    /// The emulated firmware's state folder (`None` on an external rig).
    pub fn firmware_state_dir(&self) -> Option<&Path> {
        self.firmware_state_dir.as_deref()
    }

    /// Sets `--name value` on the emulated firmware's command line for its next start (replaces
    /// the value if the option is there, appends it otherwise). Takes effect at the next
    /// [`RigInstance::power_on`]; a firmware restarting by itself re-executes the old one.
    pub fn set_firmware_option(&mut self, name: &str, value: &str) -> Result<(), String> {
        let launch = self.firmware.as_mut().ok_or_else(|| {
            format!(
                "rig instance {} does not run the charger's firmware itself, so it cannot change its command line",
                self.slot
            )
        })?;
        match launch.args.iter().position(|a| a == name) {
            Some(at) if at + 1 < launch.args.len() => launch.args[at + 1] = value.into(),
            _ => {
                launch.args.push(name.into());
                launch.args.push(value.into());
            }
        }
        Ok(())
    }

    /// The serial number the emulated firmware was started with (`--serial`).
    pub fn firmware_serial(&self) -> Option<String> {
        let args = &self.firmware.as_ref()?.args;
        let at = args.iter().position(|a| a == "--serial")?;
        args.get(at + 1).map(|s| s.to_string_lossy().into_owned())
    }

    /// Whether the emulated firmware's command line has `name`.
    pub fn has_firmware_option(&self, name: &str) -> bool {
        self.firmware
            .as_ref()
            .is_some_and(|l| l.args.iter().any(|a| a == name))
    }

    /// Makes the emulated firmware's storage of `keys` fail (its storage fault test hook;
    /// an empty list clears it). Effective from the next CSMS message the firmware receives.
    pub fn set_storage_faults(&self, keys: &[&str]) -> Result<(), String> {
        let dir = self
            .firmware
            .as_ref()
            .and_then(|f| f.test_hooks_state_dir.clone())
            .ok_or("this rig's charger has no storage fault test hook (only the bundled emulated firmware has one)")?;
        let file = dir.join(reference_firmware::shell::ocpp_store::STORAGE_FAULT_HOOK);
        if let Some(parent) = file.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        let text: String = keys.iter().map(|k| format!("{k}\n")).collect();
        std::fs::write(&file, text).map_err(|e| format!("cannot write {}: {e}", file.display()))
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
