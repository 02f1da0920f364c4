//! Control pilot state detection: voltage bands (IEC 61851-1, ±1 V around the nominal levels)
//! and a time-based debouncer.

use super::time::Millis;

/// The vehicle-side state read from the pilot voltage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PilotState {
    /// +12 V: no vehicle.
    A,
    /// +9 V: vehicle connected, not ready.
    B,
    /// +6 V: vehicle ready to charge.
    C,
    /// +3 V: vehicle ready, ventilation required.
    D,
    /// 0 V: CP shorted to PE.
    E,
    /// −12 V: only seen while the EVSE itself drives state F.
    F,
}

/// Half-width of every band in mV.
pub const BAND_TOLERANCE_MV: i32 = 1000;

/// Classifies the positive plateau. `None` for a level between bands.
pub fn classify_high(high_mv: i32) -> Option<PilotState> {
    const NOMINAL: [(i32, PilotState); 6] = [
        (12_000, PilotState::A),
        (9_000, PilotState::B),
        (6_000, PilotState::C),
        (3_000, PilotState::D),
        (0, PilotState::E),
        (-12_000, PilotState::F),
    ];
    NOMINAL
        .iter()
        .find(|(nominal, _)| (high_mv - nominal).abs() <= BAND_TOLERANCE_MV)
        .map(|&(_, s)| s)
}

/// True when the negative plateau of a PWM pilot shows the −12 V half-wave; false means the
/// EV's diode is shorted (or CP is loaded abnormally).
pub fn negative_half_wave_present(low_mv: i32) -> bool {
    (low_mv + 12_000).abs() <= BAND_TOLERANCE_MV
}

/// Accepts a new pilot state only after it was seen continuously for `debounce_ms`.
#[derive(Debug, Clone)]
pub struct PilotDebouncer {
    stable: PilotState,
    candidate: Option<(PilotState, Millis)>,
    debounce_ms: u64,
}

impl PilotDebouncer {
    pub fn new(initial: PilotState, debounce_ms: u64) -> Self {
        PilotDebouncer {
            stable: initial,
            candidate: None,
            debounce_ms,
        }
    }

    pub fn stable(&self) -> PilotState {
        self.stable
    }

    /// Feeds one classified sample (`None` = between bands: it breaks a candidate run).
    /// Returns the new stable state when it changed.
    pub fn sample(&mut self, now: Millis, seen: Option<PilotState>) -> Option<PilotState> {
        match seen {
            None => {
                self.candidate = None;
                None
            }
            Some(s) if s == self.stable => {
                self.candidate = None;
                None
            }
            Some(s) => {
                match self.candidate {
                    Some((c, _)) if c == s => {}
                    _ => self.candidate = Some((s, now)),
                }
                self.confirm(now)
            }
        }
    }

    /// Confirms a candidate whose time has come (call on timeouts too).
    pub fn confirm(&mut self, now: Millis) -> Option<PilotState> {
        let (s, since) = self.candidate?;
        if now.since(since) >= self.debounce_ms {
            self.stable = s;
            self.candidate = None;
            return Some(s);
        }
        None
    }

    /// When a pending candidate will be confirmed if nothing else arrives.
    pub fn deadline(&self) -> Option<Millis> {
        self.candidate.map(|(_, since)| since + self.debounce_ms)
    }

    /// Drops a pending candidate (e.g. while the EVSE drives −12 V itself).
    pub fn forget_candidate(&mut self) {
        self.candidate = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glitches_shorter_than_the_debounce_are_ignored() {
        let mut d = PilotDebouncer::new(PilotState::A, 20);
        assert_eq!(d.sample(Millis(0), Some(PilotState::B)), None);
        assert_eq!(d.sample(Millis(10), Some(PilotState::A)), None);
        assert_eq!(d.sample(Millis(20), Some(PilotState::B)), None);
        assert_eq!(d.sample(Millis(30), Some(PilotState::B)), None);
        assert_eq!(d.deadline(), Some(Millis(40)));
        assert_eq!(d.confirm(Millis(40)), Some(PilotState::B));
        assert_eq!(d.stable(), PilotState::B);
    }
}
