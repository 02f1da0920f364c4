//! Sans-IO model of the commissioning Wi-Fi access point.
//!
//! After power-on the unit offers an access point named `HALO_<last 6 digits of the serial>M`,
//! protected with the unit's PIN, for a window (10 minutes by default). It goes off at once when
//! the Ethernet link is up (variants with LAN). Once off it stays off until the next power-on: the
//! window is a one-shot commissioning window, so unplugging the LAN cable later does not reopen
//! it. A unit without a PIN never opens it (an access point without a password is not offered).

use std::net::Ipv4Addr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::clock::Clock;

/// Address of the unit on its own access point (from the installation manual).
pub const ACCESS_POINT_ADDRESS: Ipv4Addr = Ipv4Addr::new(192, 168, 250, 1);

/// The product's window; configurable for tests and scenarios.
pub const DEFAULT_WINDOW: Duration = Duration::from_secs(10 * 60);

/// Why the access point is off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApOffReason {
    /// The window after power-on elapsed.
    WindowElapsed,
    /// The Ethernet link came up.
    EthernetLink,
    /// No PIN is provisioned, so there is no password to protect it with.
    NoPin,
}

/// What the Status tab and `GET /api/status` show about the access point.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApStatus {
    pub active: bool,
    pub ssid: String,
    /// The unit's address on the access point (while active).
    pub address: Option<Ipv4Addr>,
    /// Seconds until the window closes (while active), rounded up.
    pub remaining_s: Option<u64>,
    pub off_reason: Option<ApOffReason>,
    /// Length of the window after power-on, seconds.
    pub window_s: u64,
}

/// The SSID of a unit: `HALO_` + the last six digits of the serial (zero-padded) + `M`.
pub fn ssid_for_serial(serial: &str) -> String {
    let digits: Vec<char> = serial.chars().filter(char::is_ascii_digit).collect();
    let last: String = digits[digits.len().saturating_sub(6)..].iter().collect();
    format!("HALO_{last:0>6}M")
}

/// The access point of one power cycle.
#[derive(Debug, Clone)]
pub struct AccessPoint {
    ssid: String,
    passphrase: Option<String>,
    window: Duration,
    window_ends: Instant,
    off: Option<(Instant, ApOffReason)>,
}

impl AccessPoint {
    /// Power-on at `now`. `pin` is the provisioned PIN (the Wi-Fi password).
    pub fn power_on(
        now: Instant,
        serial: &str,
        pin: Option<&str>,
        window: Duration,
    ) -> AccessPoint {
        let passphrase = pin.filter(|p| !p.is_empty()).map(str::to_string);
        let off = if passphrase.is_none() {
            Some((now, ApOffReason::NoPin))
        } else {
            None
        };
        let mut ap = AccessPoint {
            ssid: ssid_for_serial(serial),
            passphrase,
            window,
            window_ends: now + window,
            off,
        };
        ap.settle(now);
        ap
    }

    pub fn ssid(&self) -> &str {
        &self.ssid
    }

    /// The WPA2 passphrase while the access point is on (the shell configures the radio with it).
    pub fn passphrase(&self) -> Option<&str> {
        self.passphrase.as_deref()
    }

    /// Ethernet link state changed (or was sampled). Up switches the access point off at once.
    pub fn handle_ethernet_link(&mut self, now: Instant, up: bool) {
        self.settle(now);
        if up && self.off.is_none() {
            self.off = Some((now, ApOffReason::EthernetLink));
        }
    }

    /// Time passed; call at [`AccessPoint::poll_timeout`] (every other method settles too).
    pub fn handle_timeout(&mut self, now: Instant) {
        self.settle(now);
    }

    /// When the access point goes off by itself, while it is on.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.off.is_none().then_some(self.window_ends)
    }

    pub fn is_active(&mut self, now: Instant) -> bool {
        self.settle(now);
        self.off.is_none()
    }

    /// When and why it went off.
    pub fn off_since(&mut self, now: Instant) -> Option<(Instant, ApOffReason)> {
        self.settle(now);
        self.off
    }

    pub fn status(&mut self, now: Instant) -> ApStatus {
        self.settle(now);
        let active = self.off.is_none();
        ApStatus {
            active,
            ssid: self.ssid.clone(),
            address: active.then_some(ACCESS_POINT_ADDRESS),
            remaining_s: active.then(|| {
                super::session::ceil_secs(self.window_ends.saturating_duration_since(now))
            }),
            off_reason: self.off.map(|(_, reason)| reason),
            window_s: self.window.as_secs(),
        }
    }

    fn settle(&mut self, now: Instant) {
        if self.off.is_none() && now >= self.window_ends {
            self.off = Some((self.window_ends, ApOffReason::WindowElapsed));
        }
    }
}

/// A thread-safe access point that reads a [`Clock`]: the firmware shell keeps one, feeds it
/// the Ethernet link state from the board and reads [`AccessPointHandle::status`] in
/// `Backend::status`.
#[derive(Debug, Clone)]
pub struct AccessPointHandle {
    clock: Clock,
    ap: Arc<Mutex<AccessPoint>>,
}

impl AccessPointHandle {
    /// Powers on now (by `clock`).
    pub fn power_on(clock: Clock, serial: &str, pin: Option<&str>, window: Duration) -> Self {
        let ap = AccessPoint::power_on(clock.now(), serial, pin, window);
        AccessPointHandle {
            clock,
            ap: Arc::new(Mutex::new(ap)),
        }
    }

    pub fn set_ethernet_link(&self, up: bool) {
        let now = self.clock.now();
        self.lock().handle_ethernet_link(now, up);
    }

    pub fn status(&self) -> ApStatus {
        let now = self.clock.now();
        self.lock().status(now)
    }

    /// When the shell should look again (the radio goes off then), while on.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.lock().poll_timeout()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, AccessPoint> {
        // The model has no invariants a panic half-way could break; keep serving.
        self.ap
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ssid_uses_the_last_six_digits_of_the_serial() {
        assert_eq!(ssid_for_serial("2207001234567"), "HALO_234567M");
        assert_eq!(ssid_for_serial("SN-123456"), "HALO_123456M");
        assert_eq!(ssid_for_serial("42"), "HALO_000042M");
    }

    #[test]
    fn default_window_is_ten_minutes_with_a_fake_clock() {
        let t0 = Instant::now();
        let mut ap = AccessPoint::power_on(t0, "2207001234567", Some("4711"), DEFAULT_WINDOW);
        assert_eq!(DEFAULT_WINDOW, Duration::from_secs(600));
        assert_eq!(ap.poll_timeout(), Some(t0 + Duration::from_secs(600)));
        let status = ap.status(t0);
        assert!(status.active);
        assert_eq!(status.ssid, "HALO_234567M");
        assert_eq!(status.address, Some(ACCESS_POINT_ADDRESS));
        assert_eq!(status.remaining_s, Some(600));
        assert_eq!(ap.passphrase(), Some("4711"));

        let almost = t0 + Duration::from_secs(600) - Duration::from_millis(1);
        assert!(ap.is_active(almost));
        assert_eq!(ap.status(almost).remaining_s, Some(1));
        let end = t0 + Duration::from_secs(600);
        ap.handle_timeout(end);
        assert!(!ap.is_active(end));
        assert_eq!(ap.off_since(end), Some((end, ApOffReason::WindowElapsed)));
        assert_eq!(ap.poll_timeout(), None);
        let status = ap.status(end + Duration::from_secs(3600));
        assert!(!status.active);
        assert_eq!(status.address, None);
        assert_eq!(status.off_reason, Some(ApOffReason::WindowElapsed));
    }

    #[test]
    fn ethernet_link_switches_it_off_at_once_and_for_good() {
        let t0 = Instant::now();
        let mut ap = AccessPoint::power_on(t0, "123456", Some("4711"), DEFAULT_WINDOW);
        let t1 = t0 + Duration::from_secs(30);
        ap.handle_ethernet_link(t1, false);
        assert!(ap.is_active(t1), "link down changes nothing");
        ap.handle_ethernet_link(t1, true);
        assert!(!ap.is_active(t1));
        assert_eq!(ap.off_since(t1), Some((t1, ApOffReason::EthernetLink)));
        ap.handle_ethernet_link(t1 + Duration::from_secs(1), false);
        assert!(
            !ap.is_active(t1 + Duration::from_secs(1)),
            "unplugging the LAN later does not reopen the window"
        );
    }

    #[test]
    fn link_up_after_the_window_keeps_the_first_reason() {
        let t0 = Instant::now();
        let window = Duration::from_secs(2);
        let mut ap = AccessPoint::power_on(t0, "123456", Some("4711"), window);
        ap.handle_ethernet_link(t0 + Duration::from_secs(5), true);
        assert_eq!(
            ap.status(t0 + Duration::from_secs(5)).off_reason,
            Some(ApOffReason::WindowElapsed)
        );
    }

    #[test]
    fn no_pin_no_access_point() {
        let t0 = Instant::now();
        let mut ap = AccessPoint::power_on(t0, "123456", None, DEFAULT_WINDOW);
        assert!(!ap.is_active(t0));
        assert_eq!(ap.status(t0).off_reason, Some(ApOffReason::NoPin));
        assert_eq!(ap.poll_timeout(), None);
    }

    #[test]
    fn handle_follows_its_clock() {
        let clock = Clock::manual();
        let ap = AccessPointHandle::power_on(clock.clone(), "123456", Some("4711"), DEFAULT_WINDOW);
        assert!(ap.status().active);
        clock.advance(Duration::from_secs(601));
        assert_eq!(ap.status().off_reason, Some(ApOffReason::WindowElapsed));
        let ap = AccessPointHandle::power_on(clock, "123456", Some("4711"), DEFAULT_WINDOW);
        ap.set_ethernet_link(true);
        assert_eq!(ap.status().off_reason, Some(ApOffReason::EthernetLink));
    }
}
