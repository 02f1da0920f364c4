//! The emulated rig kind: per instance a fresh state folder, `harness __rig-sim` for the power
//! board, vehicle, mains and instruments, the four plugins on its pseudo-terminals (CSMS first,
//! its URL goes to the firmware), then the firmware, ready once it prints `READY`. The firmware's
//! local interface listens on a free loopback port with the rig's PIN or one made per instance
//! (`RigInstance::ui`).

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::instance::{FirmwareLaunch, RigInstance, SimPorts, StartError, FIRMWARE_CHILD};
use super::ui_access::{self, UiEndpoint};
use super::{Instrument, Rig};
use crate::plugin_host::PluginLibraries;
use crate::process;

/// Free ports tried for the firmware's local interface before giving up.
pub(super) const UI_PORT_ATTEMPTS: u32 = 3;

/// How long `rig-sim` may take to write its port file.
const SIM_START_TIMEOUT: Duration = Duration::from_secs(10);

/// Starts one emulated instance. Blocks; every wait has a timeout. On error everything started
/// so far is torn down (by `RigInstance`'s drop).
pub fn start(
    rig: &Rig,
    libraries: &PluginLibraries,
    exe: &Path,
    slot: usize,
) -> Result<RigInstance, StartError> {
    let mut instance = RigInstance::new(slot);
    let dir = tempfile::Builder::new()
        .prefix(&format!("harness-rig{slot}-"))
        .tempdir()
        .map_err(|e| format!("cannot create a state folder for rig instance {slot}: {e}"))?;
    let dir_path = dir.path().to_path_buf();
    instance.state_dir = Some(dir);

    let ports_file = dir_path.join("rig.json");
    let mut sim = Command::new(exe);
    sim.arg("__rig-sim").arg("--out").arg(&ports_file);
    // rig-sim's variant is the supply wiring, which the rig file states as a capability.
    let wiring = if rig.has_capability("three-phase") {
        "three-phase"
    } else {
        "single-phase"
    };
    sim.arg("--variant").arg(wiring);
    let sim_log = dir_path.join("rig-sim.log");
    sim.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log_file(&sim_log)?);
    let child = process::spawn("rig-sim", sim)
        .map_err(|e| format!("cannot start rig-sim ({}): {e}", exe.display()))?;
    instance.children.push(child);
    let ports = wait_for_ports(&mut instance, &ports_file, &sim_log)?;
    instance.sim = Some(ports.clone());

    for instrument in Instrument::ALL {
        instance.open_plugin(rig, libraries, instrument)?;
    }
    let csms_url = instance
        .csms_url
        .clone()
        .ok_or("the emulated rig has no CSMS URL")?;

    let fw_state = dir_path.join("firmware");
    std::fs::create_dir_all(&fw_state)
        .map_err(|e| format!("cannot create {}: {e}", fw_state.display()))?;
    instance.firmware_state_dir = Some(fw_state.clone());
    // The local interface: a free loopback port, and the PIN the factory wrote (the rig's, or
    // one made for this instance) unless the unit comes straight off the line.
    let pin = match (&rig.dut.pin, rig.dut.provisioned) {
        (_, false) => None,
        (Some(pin), true) => Some(pin.clone()),
        (None, true) => Some(ui_access::generate_pin()?),
    };
    let mut values = Placeholders {
        board: ports.board.clone(),
        csms_url,
        state_dir: fw_state.display().to_string(),
        charge_point_id: rig.dut.charge_point_id.clone(),
        product_number: rig.dut.product_number.clone().unwrap_or_default(),
        serial: rig
            .dut
            .serial
            .clone()
            .unwrap_or_else(|| format!("EMU{slot:06}")),
        authorization_key: rig.authorization_key().unwrap_or_default().to_string(),
        csms_ca: instance.csms_ca.clone().unwrap_or_default(),
        ui_listen: String::new(),
        pin: pin.clone().unwrap_or_default(),
        ap_window_s: rig
            .dut
            .ap_window_s
            .map(|s| s.to_string())
            .unwrap_or_default(),
    };
    // The port was free a moment ago; another process may take it before the firmware binds
    // it. The firmware then ends saying it cannot listen, and another free port is tried.
    let mut attempt = 1;
    loop {
        let ui_listen = ui_access::free_loopback_port()?;
        values.ui_listen = ui_listen.to_string();
        instance.ui = Some(UiEndpoint {
            addr: ui_listen,
            pin: pin.clone(),
        });
        let command = firmware_command(rig, exe, &values);
        let launch = FirmwareLaunch {
            program: command.get_program().to_os_string(),
            args: command.get_args().map(|a| a.to_os_string()).collect(),
            log: dir_path.join("firmware.log"),
            stdout_copy: dir_path.join("firmware-stdout.log"),
            ready_timeout: rig.dut.ready_timeout,
            test_hooks_state_dir: rig.dut.command.is_none().then(|| fw_state.clone()),
        };
        instance.firmware = Some(launch.clone());
        match launch_firmware(&mut instance, &launch, launch.ready_timeout) {
            Ok(true) => break,
            Ok(false) => {
                return Err(StartError::Failed(format!(
                    "the firmware did not print READY within {:.1} s{}",
                    launch.ready_timeout.as_secs_f64(),
                    last_line(&launch.log)
                )))
            }
            Err(e) if e.contains("cannot listen") && attempt < UI_PORT_ATTEMPTS => {
                instance.children.retain(|c| c.name() != FIRMWARE_CHILD);
                attempt += 1;
            }
            Err(e) => return Err(StartError::Failed(e)),
        }
    }
    Ok(instance)
}

fn log_file(path: &Path) -> Result<std::fs::File, String> {
    std::fs::File::create(path).map_err(|e| format!("cannot create {}: {e}", path.display()))
}

/// Logs of a process that is started again (power cycle) keep what the earlier run wrote.
fn appending_log_file(path: &Path) -> Result<std::fs::File, String> {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| format!("cannot open {}: {e}", path.display()))
}

/// Starts the firmware as `launch` says and waits up to `patience` for its `READY` line: true if
/// it came, false if the firmware still runs without it. Used at instance start and to switch
/// the charger on again after a power cycle (same state folder).
pub(super) fn launch_firmware(
    instance: &mut RigInstance,
    launch: &FirmwareLaunch,
    patience: Duration,
) -> Result<bool, String> {
    let mut firmware = Command::new(&launch.program);
    firmware
        .args(&launch.args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(appending_log_file(&launch.log)?);
    let mut child = process::spawn(FIRMWARE_CHILD, firmware)
        .map_err(|e| format!("cannot start the firmware: {e}"))?;
    let stdout = child
        .take_stdout()
        .ok_or("the firmware's stdout was not captured")?;
    instance.children.push(child);
    wait_for_ready(instance, stdout, &launch.stdout_copy, &launch.log, patience)
}

/// The values of the firmware command's placeholders.
#[derive(Debug, Clone)]
pub struct Placeholders {
    pub board: String,
    pub csms_url: String,
    pub state_dir: String,
    pub charge_point_id: String,
    pub product_number: String,
    pub serial: String,
    /// `[csms] authorization_key`; empty when the rig has none (security profile 0).
    pub authorization_key: String,
    /// The CSMS's CA certificate file (security profile 2); empty without TLS.
    pub csms_ca: String,
    /// Where the local interface listens (`127.0.0.1:<free port>`).
    pub ui_listen: String,
    /// The unit's PIN; empty for a unit not provisioned yet.
    pub pin: String,
    /// `[dut] ap_window_s`; empty for the firmware's default.
    pub ap_window_s: String,
}

impl Placeholders {
    fn fill(&self, word: &str) -> String {
        word.replace("{board}", &self.board)
            .replace("{csms_url}", &self.csms_url)
            .replace("{state_dir}", &self.state_dir)
            .replace("{charge_point_id}", &self.charge_point_id)
            .replace("{product_number}", &self.product_number)
            .replace("{serial}", &self.serial)
            .replace("{authorization_key}", &self.authorization_key)
            .replace("{csms_ca}", &self.csms_ca)
            .replace("{ui_listen}", &self.ui_listen)
            .replace("{pin}", &self.pin)
            .replace("{ap_window_s}", &self.ap_window_s)
    }
}

/// The rig file's `dut.command` with placeholders filled, or the bundled reference firmware.
pub fn firmware_command(rig: &Rig, exe: &Path, values: &Placeholders) -> Command {
    match &rig.dut.command {
        Some(words) => {
            let mut command = Command::new(values.fill(&words[0]));
            command.args(words[1..].iter().map(|w| values.fill(w)));
            command
        }
        None => {
            let mut command = Command::new(exe);
            command
                .arg("__firmware")
                .args(["--board", &values.board])
                .args(["--state-dir", &values.state_dir])
                .args(["--product-number", &values.product_number])
                .args(["--serial", &values.serial])
                .args(["--csms-url", &values.csms_url])
                .args(["--charge-point-id", &values.charge_point_id])
                // The emulated bench's test hooks (a storage fault for TC_043_3).
                .arg("--test-hooks");
            // Security profiles 1 and 2: the charger's AuthorizationKey, as installed at the
            // factory (the CSMS plugin checks it in HTTP Basic authentication).
            if !values.authorization_key.is_empty() {
                command.args(["--authorization-key", &values.authorization_key]);
            }
            // Security profile 2: the CA that signed the CSMS's server certificate.
            if !values.csms_ca.is_empty() {
                command.args(["--csms-ca", &values.csms_ca]);
            }
            // The installer's interface, with the PIN written at the factory.
            command.args(["--ui-listen", &values.ui_listen]);
            if !values.pin.is_empty() {
                command.args(["--pin", &values.pin]);
            }
            if !values.ap_window_s.is_empty() {
                command.args(["--ap-window-s", &values.ap_window_s]);
            }
            for defect in &rig.dut.seeded_defects {
                command.args(["--seed-defect", defect]);
            }
            command
        }
    }
}

fn wait_for_ports(instance: &mut RigInstance, file: &Path, log: &Path) -> Result<SimPorts, String> {
    let deadline = Instant::now() + SIM_START_TIMEOUT;
    loop {
        if let Ok(text) = std::fs::read_to_string(file) {
            return serde_json::from_str(&text)
                .map_err(|e| format!("rig-sim's port file {} is not valid: {e}", file.display()));
        }
        if let Err(ended) = instance.check_children() {
            return Err(format!(
                "{ended} before writing its port file{}",
                last_line(log)
            ));
        }
        if Instant::now() >= deadline {
            return Err(format!(
                "rig-sim did not write {} within {} s{}",
                file.display(),
                SIM_START_TIMEOUT.as_secs(),
                last_line(log)
            ));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Reads the firmware's stdout on a thread until `READY`; the thread keeps copying whatever
/// follows to `copy_to`, so the firmware never blocks on a full pipe. False when `timeout`
/// passed with the firmware still running.
fn wait_for_ready(
    instance: &mut RigInstance,
    stdout: std::process::ChildStdout,
    copy_to: &Path,
    log: &Path,
    timeout: Duration,
) -> Result<bool, String> {
    let (tx, rx) = mpsc::channel();
    let mut copy = appending_log_file(copy_to)?;
    std::thread::Builder::new()
        .name("firmware-stdout".into())
        .spawn(move || {
            let mut ready_sent = false;
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if !ready_sent && line.trim() == "READY" {
                    ready_sent = true;
                    let _ = tx.send(());
                }
                let _ = writeln!(copy, "{line}");
            }
        })
        .map_err(|e| format!("cannot start the firmware stdout reader: {e}"))?;
    let deadline = Instant::now() + timeout;
    loop {
        match rx.recv_timeout(Duration::from_millis(50)) {
            Ok(()) => return Ok(true),
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                return Err(format!(
                    "the firmware closed its stdout without printing READY{}",
                    last_line(log)
                ));
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
        if let Err(ended) = instance.check_children() {
            return Err(format!("{ended} before printing READY{}", last_line(log)));
        }
        if Instant::now() >= deadline {
            return Ok(false);
        }
    }
}

/// `; last log line: …` from a child's log, for error messages.
fn last_line(log: &Path) -> String {
    std::fs::read_to_string(log)
        .ok()
        .and_then(|t| {
            t.lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .map(|l| format!("; its last log line ({}): {}", log.display(), l.trim()))
        })
        .unwrap_or_default()
}

/// The executable started for `__rig-sim` and `__firmware`: this very harness binary.
pub fn current_exe() -> Result<PathBuf, String> {
    std::env::current_exe().map_err(|e| format!("cannot find the harness executable: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_command_placeholders_are_filled() {
        let mut rig = crate::rig::tests_support::rig_with_capabilities(&[]);
        rig.dut.command = Some(vec![
            "fw".into(),
            "--board={board}".into(),
            "{csms_url}/{charge_point_id}".into(),
        ]);
        let values = Placeholders {
            board: "/dev/pts/7".into(),
            csms_url: "ws://127.0.0.1:1/ocpp".into(),
            state_dir: "/tmp/s".into(),
            charge_point_id: "CP".into(),
            product_number: "1".into(),
            serial: "S".into(),
            authorization_key: String::new(),
            csms_ca: String::new(),
            ui_listen: "127.0.0.1:8080".into(),
            pin: String::new(),
            ap_window_s: String::new(),
        };
        let command = firmware_command(&rig, Path::new("/bin/harness"), &values);
        let args = args_of(&command);
        assert_eq!(command.get_program(), "fw");
        assert_eq!(args, ["--board=/dev/pts/7", "ws://127.0.0.1:1/ocpp/CP"]);
    }

    /// Placeholder values of an emulated unit with no key, CA or PIN.
    fn sample_placeholders() -> Placeholders {
        Placeholders {
            board: "/dev/pts/7".into(),
            csms_url: "ws://x".into(),
            state_dir: "/tmp/s".into(),
            charge_point_id: "CP".into(),
            product_number: "1".into(),
            serial: "S".into(),
            authorization_key: String::new(),
            csms_ca: String::new(),
            ui_listen: "127.0.0.1:8080".into(),
            pin: String::new(),
            ap_window_s: String::new(),
        }
    }

    fn args_of(command: &Command) -> Vec<String> {
        command
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn default_command_is_the_multicall_firmware() {
        let rig = crate::rig::tests_support::rig_with_capabilities(&[]);
        let values = sample_placeholders();
        let command = firmware_command(&rig, Path::new("/bin/harness"), &values);
        let args = args_of(&command);
        assert_eq!(args[0], "__firmware");
        assert!(args.windows(2).any(|w| w == ["--csms-url", "ws://x"]));
        assert!(!args.iter().any(|a| a == "--authorization-key"));
        // A unit not provisioned yet gets no PIN; the firmware's window stays its default.
        assert!(!args.iter().any(|a| a == "--pin" || a == "--ap-window-s"));
    }

    #[test]
    fn seeded_defects_go_to_the_bundled_firmware() {
        let mut rig = crate::rig::tests_support::rig_with_capabilities(&[]);
        rig.dut.seeded_defects = vec!["slow-contactor-open".into(), "rfid-reader-dead".into()];
        let values = sample_placeholders();
        let command = firmware_command(&rig, Path::new("/bin/harness"), &values);
        let args = args_of(&command);
        let seeded: Vec<_> = args
            .windows(2)
            .filter(|w| w[0] == "--seed-defect")
            .map(|w| w[1].as_str())
            .collect();
        assert_eq!(seeded, ["slow-contactor-open", "rfid-reader-dead"]);
    }

    #[test]
    fn the_authorization_key_goes_to_the_firmware() {
        let rig = crate::rig::tests_support::rig_with_capabilities(&[]);
        let values = Placeholders {
            board: "/dev/pts/7".into(),
            csms_url: "ws://x".into(),
            state_dir: "/tmp/s".into(),
            charge_point_id: "CP".into(),
            product_number: "1".into(),
            serial: "S".into(),
            authorization_key: "0123456789abcdef".into(),
            csms_ca: "/tmp/ca.pem".into(),
            ui_listen: "127.0.0.1:8080".into(),
            pin: "4711".into(),
            ap_window_s: "5".into(),
        };
        let command = firmware_command(&rig, Path::new("/bin/harness"), &values);
        let args = args_of(&command);
        assert!(args
            .windows(2)
            .any(|w| w == ["--authorization-key", "0123456789abcdef"]));
        assert!(args.windows(2).any(|w| w == ["--pin", "4711"]));
        assert!(args.windows(2).any(|w| w == ["--ap-window-s", "5"]));
        assert!(args
            .windows(2)
            .any(|w| w == ["--ui-listen", "127.0.0.1:8080"]));
        assert_eq!(
            values.fill("key={authorization_key}"),
            "key=0123456789abcdef"
        );
    }
}
