//! Provisioning: the station writes the unit's serial number and a fresh PIN, then reads back
//! what the unit reports on its local interface (`GET /api/status` after logging in with the
//! PIN). The PIN itself is never stored nor printed by the station: the database keeps only
//! "PIN provisioned: yes/no"; the PIN goes to the label printer for the sheet in the box.

use serde_json::Value;

use crate::measurement::Measurement;
use crate::station::STAGE_UNIT;

/// What the unit must report after provisioning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    pub serial: String,
    pub product_number: String,
    /// The released firmware for this product line (`[eol] firmware_version`), if the station
    /// checks it.
    pub firmware_version: Option<String>,
}

/// One read-back comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadBack {
    pub name: String,
    pub expected: String,
    pub seen: String,
}

impl ReadBack {
    pub fn ok(&self) -> bool {
        self.expected == self.seen
    }

    /// As a pass/fail row for the database and the certificate.
    pub fn to_measurement(&self) -> Measurement {
        Measurement::judged(
            self.name.clone(),
            if self.ok() { 1.0 } else { 0.0 },
            STAGE_UNIT,
            Some(1.0),
            None,
        )
    }

    /// The failure message a step gives.
    pub fn failure(&self) -> Option<String> {
        (!self.ok()).then(|| {
            format!(
                "{}: expected \"{}\", the unit reports \"{}\"",
                self.name, self.expected, self.seen
            )
        })
    }
}

fn field(status: &Value, key: &str) -> String {
    match status.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Null) | None => "(none)".to_string(),
        Some(other) => other.to_string(),
    }
}

/// Compares the unit's `/api/status` answer with what was provisioned. Returns every
/// comparison (passing ones too, they go on the certificate) and the firmware version seen.
pub fn read_back(status: &Value, expected: &Expected) -> (Vec<ReadBack>, Option<String>) {
    let firmware = status
        .get("firmware_version")
        .and_then(Value::as_str)
        .map(str::to_string);
    let mut checks = vec![
        ReadBack {
            name: "serial number read back".into(),
            expected: expected.serial.clone(),
            seen: field(status, "serial"),
        },
        ReadBack {
            name: "product number read back".into(),
            expected: expected.product_number.clone(),
            seen: field(status, "product_number"),
        },
    ];
    if let Some(version) = &expected.firmware_version {
        checks.push(ReadBack {
            name: "firmware version is the released one".into(),
            expected: version.clone(),
            seen: field(status, "firmware_version"),
        });
    }
    (checks, firmware)
}

/// A fresh 8-digit PIN from the operating system's random source. Digits are drawn by
/// rejection so every PIN is equally likely.
pub fn generate_pin() -> Result<String, String> {
    use std::io::Read;
    let mut file = std::fs::File::open("/dev/urandom")
        .map_err(|e| format!("cannot read /dev/urandom for a PIN: {e}"))?;
    let mut pin = String::with_capacity(8);
    let mut buf = [0u8; 32];
    while pin.len() < 8 {
        file.read_exact(&mut buf)
            .map_err(|e| format!("cannot read /dev/urandom for a PIN: {e}"))?;
        for b in buf {
            // 250 = 25 × 10: bytes above it would favour the low digits.
            if b < 250 && pin.len() < 8 {
                pin.push(char::from(b'0' + b % 10));
            }
        }
    }
    Ok(pin)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn expected() -> Expected {
        Expected {
            serial: "130577-000123".into(),
            product_number: "130577".into(),
            firmware_version: Some("1.2.3".into()),
        }
    }

    #[test]
    fn matching_status_passes_every_read_back() {
        let status = json!({"serial": "130577-000123", "product_number": 130577,
                            "firmware_version": "1.2.3"});
        let (checks, fw) = read_back(&status, &expected());
        assert_eq!(checks.len(), 3);
        assert!(checks.iter().all(ReadBack::ok), "{checks:?}");
        assert_eq!(fw.as_deref(), Some("1.2.3"));
    }

    #[test]
    fn wrong_serial_and_old_firmware_are_named() {
        let status = json!({"serial": "130577-000124", "product_number": 130577,
                            "firmware_version": "1.2.2"});
        let (checks, _) = read_back(&status, &expected());
        let failures: Vec<String> = checks.iter().filter_map(ReadBack::failure).collect();
        assert_eq!(failures.len(), 2);
        assert!(failures[0].contains("\"130577-000123\"") && failures[0].contains("000124"));
        assert!(failures[1].contains("firmware"));
        assert!(!checks[0].to_measurement().passed());
    }

    #[test]
    fn pins_are_eight_digits_and_differ() {
        let a = generate_pin().unwrap();
        let b = generate_pin().unwrap();
        assert_eq!(a.len(), 8);
        assert!(a.chars().all(|c| c.is_ascii_digit()));
        assert_ne!(a, b, "two PINs in a row should differ (1 in 10^8 chance)");
    }
}
