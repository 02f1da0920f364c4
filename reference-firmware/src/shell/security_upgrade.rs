//! Fallback of a security profile upgrade (security whitepaper: the profile is only raised,
//! and a charge point that cannot connect with the new one goes back to the previous).
//!
//! Sans-IO: the link reports the transport's events; after `MAX_FAILED_ATTEMPTS` connection
//! attempts with the new settings fail before one succeeds, it returns the settings to go
//! back to.

/// Failed connection attempts with new security settings before falling back.
pub const MAX_FAILED_ATTEMPTS: u32 = 3;

/// The connection settings in force before an upgrade.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviousSettings {
    pub profile: u8,
    pub csms_url: String,
    pub authorization_key: Option<String>,
}

/// Watches the first connection after an upgrade.
#[derive(Debug, Default)]
pub struct UpgradeWatch {
    pending: Option<(PreviousSettings, u32)>,
}

impl UpgradeWatch {
    /// New settings were applied; `previous` is what to go back to.
    pub fn started(&mut self, previous: PreviousSettings) {
        self.pending = Some((previous, 0));
    }

    /// A connection with the new settings is up: the upgrade holds.
    pub fn connected(&mut self) {
        self.pending = None;
    }

    /// A connection attempt failed (not the close of an established connection). Returns the
    /// settings to restore once the attempts are used up.
    pub fn attempt_failed(&mut self) -> Option<PreviousSettings> {
        let (_, failures) = self.pending.as_mut()?;
        *failures += 1;
        if *failures < MAX_FAILED_ATTEMPTS {
            return None;
        }
        self.pending.take().map(|(previous, _)| previous)
    }

    pub fn is_pending(&self) -> bool {
        self.pending.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn previous() -> PreviousSettings {
        PreviousSettings {
            profile: 1,
            csms_url: "ws://h:1/ocpp".into(),
            authorization_key: Some("key".into()),
        }
    }

    #[test]
    fn falls_back_after_the_failed_attempts() {
        let mut w = UpgradeWatch::default();
        assert_eq!(w.attempt_failed(), None, "nothing to watch");
        w.started(previous());
        for _ in 1..MAX_FAILED_ATTEMPTS {
            assert_eq!(w.attempt_failed(), None);
        }
        assert_eq!(w.attempt_failed(), Some(previous()));
        assert!(!w.is_pending());
    }

    #[test]
    fn a_connection_confirms_the_upgrade() {
        let mut w = UpgradeWatch::default();
        w.started(previous());
        assert_eq!(w.attempt_failed(), None);
        w.connected();
        assert!(!w.is_pending());
        for _ in 0..MAX_FAILED_ATTEMPTS {
            assert_eq!(w.attempt_failed(), None);
        }
    }
}
