//! The end-of-line station's factory channel: how the serial number and the PIN get into a unit.
//! On a real station a programming fixture does it (`[dut] factory_command`, a program the
//! harness runs). On the emulated station the harness is the fixture: with the unit switched off
//! it writes the unit's provisioning file into the firmware's state folder (its flash), then
//! switches the unit on again, the way a fixture programs the flash of a unit on the line.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::instance::{PowerLoss, RigInstance};
use super::{DutKind, Rig};

/// How long a fixture's program may take.
const FACTORY_COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

/// The emulated firmware's provisioning file in its state folder (`{"serial", "pin"}`).
pub const PROVISIONING_FILE: &str = "provisioning.json";

/// Writes `serial` and `pin` into the unit of `instance`; afterwards the unit runs with them and
/// `instance.ui.pin` is the new PIN. Blocks (power cycle or the fixture's program).
pub fn provision(
    rig: &Rig,
    instance: &mut RigInstance,
    serial: &str,
    pin: &str,
) -> Result<(), String> {
    super::ui_access::check_pin(pin)?;
    match rig.dut.kind {
        DutKind::Emulated => provision_emulated(instance, serial, pin)?,
        DutKind::External => {
            let command = rig.dut.factory_command.as_ref().ok_or_else(|| {
                format!(
                    "rig file {}: the station has no factory channel: set [dut] factory_command \
                     (the program that writes the serial number and PIN, see harness/EOL.md)",
                    rig.path.display()
                )
            })?;
            let product = rig.dut.product_number.clone().unwrap_or_default();
            run_factory_command(command, serial, pin, &product)?;
        }
    }
    if let Some(ui) = &mut instance.ui {
        ui.pin = Some(pin.to_string());
    }
    Ok(())
}

fn provision_emulated(instance: &mut RigInstance, serial: &str, pin: &str) -> Result<(), String> {
    let dir = instance
        .firmware_state_dir()
        .ok_or("the emulated unit has no state folder")?
        .to_path_buf();
    instance.power_off(PowerLoss::Orderly)?;
    write_provisioning(&dir, serial, pin)?;
    // The emulated unit's identity is its command line: a PIN given there would be written
    // again at every start, so it becomes the new one too.
    instance.set_firmware_option("--serial", serial)?;
    if instance.has_firmware_option("--pin") {
        instance.set_firmware_option("--pin", pin)?;
    }
    if instance.power_on()? {
        Ok(())
    } else {
        Err("the unit did not say READY after its provisioning was written".into())
    }
}

/// The provisioning file as the firmware reads it.
pub fn write_provisioning(dir: &Path, serial: &str, pin: &str) -> Result<(), String> {
    let path = dir.join(PROVISIONING_FILE);
    let tmp = dir.join(format!(".{PROVISIONING_FILE}.harness"));
    let text = serde_json::json!({ "serial": serial, "pin": pin }).to_string();
    std::fs::write(&tmp, text)
        .and_then(|()| std::fs::rename(&tmp, &path))
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn run_factory_command(
    words: &[String],
    serial: &str,
    pin: &str,
    product: &str,
) -> Result<(), String> {
    let fill = |w: &str| {
        w.replace("{serial}", serial)
            .replace("{pin}", pin)
            .replace("{product_number}", product)
    };
    let mut child = Command::new(fill(&words[0]))
        .args(words[1..].iter().map(|w| fill(w)))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("factory channel: cannot start `{}`: {e}", words[0]))?;
    let deadline = Instant::now() + FACTORY_COMMAND_TIMEOUT;
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Ok(()),
            Ok(Some(status)) => {
                let mut err = String::new();
                if let Some(mut e) = child.stderr.take() {
                    let _ = std::io::Read::read_to_string(&mut e, &mut err);
                }
                let last = err.lines().rev().find(|l| !l.trim().is_empty());
                return Err(format!(
                    "factory channel `{}` failed ({status}){}",
                    words[0],
                    last.map(|l| format!(": {}", l.trim())).unwrap_or_default()
                ));
            }
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "factory channel `{}` did not finish within {} s",
                    words[0],
                    FACTORY_COMMAND_TIMEOUT.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => return Err(format!("factory channel `{}`: {e}", words[0])),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_provisioning_file_is_what_the_firmware_reads() {
        let dir = tempfile::tempdir().unwrap();
        write_provisioning(dir.path(), "130577-000123", "482913").unwrap();
        let text = std::fs::read_to_string(dir.path().join(PROVISIONING_FILE)).unwrap();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["serial"], "130577-000123");
        assert_eq!(value["pin"], "482913");
    }

    #[test]
    fn a_failing_fixture_program_is_reported_with_its_last_line() {
        let words: Vec<String> = [
            "sh",
            "-c",
            "echo writing {serial} >&2; echo no fixture >&2; exit 3",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let err = run_factory_command(&words, "S1", "1234", "130577").unwrap_err();
        assert!(err.contains("no fixture"), "{err}");
        assert!(run_factory_command(
            &["sh".into(), "-c".into(), "test {pin} = 1234".into()],
            "S1",
            "1234",
            "1"
        )
        .is_ok());
    }
}
