//! The connector lock actuator: moves after its travel time, or not at all when it has failed.

use crate::SimTime;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq)]
pub struct Lock {
    travel: Duration,
    commanded_locked: bool,
    commanded_at: SimTime,
    locked: bool,
    failed: bool,
}

impl Lock {
    pub fn new(travel: Duration) -> Self {
        Lock {
            travel,
            commanded_locked: false,
            commanded_at: SimTime::ZERO,
            locked: false,
            failed: false,
        }
    }

    pub fn command(&mut self, lock: bool, now: SimTime) {
        if lock != self.commanded_locked {
            self.commanded_locked = lock;
            self.commanded_at = now;
        }
    }

    /// A failed actuator does not move; clearing the failure lets it finish a pending move.
    pub fn set_failed(&mut self, failed: bool, now: SimTime) {
        if self.failed && !failed {
            self.commanded_at = now;
        }
        self.failed = failed;
    }

    pub fn is_failed(&self) -> bool {
        self.failed
    }

    pub fn commanded_locked(&self) -> bool {
        self.commanded_locked
    }

    /// The position the lock's feedback switch reports.
    pub fn is_locked(&self) -> bool {
        self.locked
    }

    pub fn next_transition(&self) -> Option<SimTime> {
        if self.failed || self.locked == self.commanded_locked {
            None
        } else {
            Some(self.commanded_at + self.travel)
        }
    }

    pub fn step(&mut self, now: SimTime) {
        if let Some(at) = self.next_transition() {
            if at <= now {
                self.locked = self.commanded_locked;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_after_its_travel_time() {
        let mut l = Lock::new(Duration::from_millis(200));
        l.command(true, Duration::from_millis(10));
        l.step(Duration::from_millis(209));
        assert!(!l.is_locked());
        l.step(Duration::from_millis(210));
        assert!(l.is_locked());
    }

    #[test]
    fn a_failed_lock_does_not_move() {
        let mut l = Lock::new(Duration::from_millis(200));
        l.set_failed(true, Duration::ZERO);
        l.command(true, Duration::ZERO);
        l.step(Duration::from_secs(10));
        assert!(!l.is_locked());
        l.set_failed(false, Duration::from_secs(10));
        l.step(Duration::from_millis(10_200));
        assert!(l.is_locked());
    }
}
