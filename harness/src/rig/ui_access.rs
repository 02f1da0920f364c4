//! How the harness reaches the charger's local management interface: the address and the PIN.
//! A real unit's come from the rig file (`[dut] ui_url`, `[dut] pin`); an emulated unit gets a
//! free loopback port and a PIN made for its instance.

use std::io::Read;
use std::net::{IpAddr, SocketAddr, TcpListener};

/// Where a unit's local interface listens and the PIN that logs in (`None`: the unit has none
/// yet, e.g. before the end-of-line station provisions it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UiEndpoint {
    pub addr: SocketAddr,
    pub pin: Option<String>,
}

/// A PIN is 4 to 12 digits (the firmware's rule, and the label's).
pub fn check_pin(pin: &str) -> Result<(), String> {
    if (4..=12).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(format!("PIN `{pin}` must be 4 to 12 digits"))
    }
}

/// `http://<IP address>[:port][/]` as a socket address (port 80 when none is given). The unit
/// serves only requests addressed to an IP address, so host names are refused here already.
pub fn parse_ui_url(url: &str) -> Result<SocketAddr, String> {
    let rest = url.strip_prefix("http://").ok_or_else(|| {
        format!("`{url}` must start with http:// (the interface is plain HTTP on the unit's LAN)")
    })?;
    let authority = rest.strip_suffix('/').unwrap_or(rest);
    if authority.contains('/') {
        return Err(format!("`{url}` must not have a path"));
    }
    if let Ok(addr) = authority.parse::<SocketAddr>() {
        return Ok(addr);
    }
    let host = authority.trim_start_matches('[').trim_end_matches(']');
    host.parse::<IpAddr>()
        .map(|ip| SocketAddr::new(ip, 80))
        .map_err(|_| format!("`{url}` must name the unit by IP address, e.g. http://192.0.2.20:80"))
}

/// A six-digit PIN from the system's random source, for one emulated unit or one provisioning.
pub fn generate_pin() -> Result<String, String> {
    let mut bytes = [0u8; 8];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| format!("cannot read /dev/urandom to make a PIN: {e}"))?;
    Ok(format!("{:06}", u64::from_le_bytes(bytes) % 1_000_000))
}

/// A loopback port free right now. The firmware binds it a moment later and keeps it across its
/// restarts (it re-executes itself with the same arguments), which a port 0 would not.
pub fn free_loopback_port() -> Result<SocketAddr, String> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| format!("cannot find a free loopback port for the local interface: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ui_urls_with_and_without_port() {
        assert_eq!(
            parse_ui_url("http://192.168.77.20").unwrap(),
            "192.168.77.20:80".parse().unwrap()
        );
        assert_eq!(
            parse_ui_url("http://127.0.0.1:8080/").unwrap(),
            "127.0.0.1:8080".parse().unwrap()
        );
        assert_eq!(
            parse_ui_url("http://[::1]:81").unwrap(),
            "[::1]:81".parse().unwrap()
        );
    }

    #[test]
    fn bad_ui_urls_say_why() {
        assert!(parse_ui_url("https://10.0.0.1")
            .unwrap_err()
            .contains("must start with http://"));
        assert!(parse_ui_url("http://halo.local")
            .unwrap_err()
            .contains("by IP address"));
        assert!(parse_ui_url("http://10.0.0.1/ui")
            .unwrap_err()
            .contains("path"));
    }

    #[test]
    fn pins_are_four_to_twelve_digits() {
        assert!(check_pin("1234").is_ok());
        assert!(check_pin("123456789012").is_ok());
        assert!(check_pin("123").is_err());
        assert!(check_pin("12a4").is_err());
        let pin = generate_pin().unwrap();
        assert_eq!(pin.len(), 6);
        assert!(check_pin(&pin).is_ok());
    }
}
