//! The main contactor: it follows its coil command after its own mechanical delay, and can weld.

use crate::SimTime;
use std::time::Duration;

/// Mechanical delays from a coil change to the contacts' change.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ContactorTiming {
    pub close_delay: Duration,
    pub open_delay: Duration,
}

impl Default for ContactorTiming {
    fn default() -> Self {
        ContactorTiming {
            close_delay: Duration::from_millis(25),
            open_delay: Duration::from_millis(20),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Contactor {
    timing: ContactorTiming,
    coil_on: bool,
    coil_changed_at: SimTime,
    closed: bool,
    last_transition: Option<SimTime>,
    welded: bool,
}

impl Contactor {
    pub fn new(timing: ContactorTiming) -> Self {
        Contactor {
            timing,
            coil_on: false,
            coil_changed_at: SimTime::ZERO,
            closed: false,
            last_transition: None,
            welded: false,
        }
    }

    pub fn timing(&self) -> ContactorTiming {
        self.timing
    }

    pub fn set_timing(&mut self, timing: ContactorTiming) {
        self.timing = timing;
    }

    /// Energises (`true`) or releases the coil at `now`.
    pub fn command(&mut self, close: bool, now: SimTime) {
        if close != self.coil_on {
            self.coil_on = close;
            self.coil_changed_at = now;
        }
    }

    /// Welds the contacts (they stay closed once closed) or frees them.
    pub fn set_welded(&mut self, welded: bool, now: SimTime) {
        if self.welded && !welded && self.closed && !self.coil_on {
            // Freed contacts start moving now, not when the coil was released long ago.
            self.coil_changed_at = now;
        }
        self.welded = welded;
    }

    pub fn is_welded(&self) -> bool {
        self.welded
    }

    pub fn coil_on(&self) -> bool {
        self.coil_on
    }

    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// The exact instant the contacts last changed position.
    pub fn last_transition(&self) -> Option<SimTime> {
        self.last_transition
    }

    /// When the contacts will next move, if they are on their way.
    pub fn next_transition(&self) -> Option<SimTime> {
        if self.closed == self.coil_on || (self.closed && self.welded) {
            return None;
        }
        let delay = if self.coil_on {
            self.timing.close_delay
        } else {
            self.timing.open_delay
        };
        Some(self.coil_changed_at + delay)
    }

    /// Moves the contacts if their delay has run out by `now`; the transition is stamped at the
    /// exact instant it happened, not at `now`.
    pub fn step(&mut self, now: SimTime) {
        if let Some(at) = self.next_transition() {
            if at <= now {
                self.closed = self.coil_on;
                self.last_transition = Some(at);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(v: u64) -> SimTime {
        Duration::from_millis(v)
    }

    #[test]
    fn closes_and_opens_after_its_own_delays() {
        let mut c = Contactor::new(ContactorTiming::default());
        c.command(true, ms(100));
        c.step(ms(124));
        assert!(!c.is_closed());
        c.step(ms(130));
        assert!(c.is_closed());
        assert_eq!(c.last_transition(), Some(ms(125)));
        c.command(false, ms(200));
        c.step(ms(219));
        assert!(c.is_closed());
        c.step(ms(221));
        assert!(!c.is_closed());
        assert_eq!(c.last_transition(), Some(ms(220)));
    }

    #[test]
    fn a_welded_contactor_stays_closed_until_freed() {
        let mut c = Contactor::new(ContactorTiming::default());
        c.command(true, ms(0));
        c.step(ms(50));
        c.set_welded(true, ms(60));
        c.command(false, ms(100));
        c.step(ms(1000));
        assert!(c.is_closed());
        assert_eq!(c.next_transition(), None);
        c.set_welded(false, ms(2000));
        c.step(ms(2019));
        assert!(c.is_closed());
        c.step(ms(2020));
        assert!(!c.is_closed());
        assert_eq!(c.last_transition(), Some(ms(2020)));
    }

    #[test]
    fn a_command_withdrawn_before_the_delay_does_nothing() {
        let mut c = Contactor::new(ContactorTiming::default());
        c.command(true, ms(0));
        c.command(false, ms(10));
        c.step(ms(100));
        assert!(!c.is_closed());
        assert_eq!(c.last_transition(), None);
    }
}
