//! Energy integration of the reference power analyser (WT300 `:INTEGrate`).

use super::power::PhaseQuantities;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IntegratorState {
    /// Zeroed, not running.
    #[default]
    Reset,
    Running,
    /// Held at the values reached when stopped.
    Stopped,
}

/// Per-element integrated values.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Integrated {
    /// Net active energy, Wh.
    pub wh: f64,
    /// Positive (consumed) active energy, Wh.
    pub wh_plus: f64,
    /// Negative (returned) active energy, Wh.
    pub wh_minus: f64,
    /// Charge, Ah.
    pub ah: f64,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Integrator {
    state: IntegratorState,
    elapsed_s: f64,
    elements: [Integrated; 3],
}

impl Integrator {
    pub fn state(&self) -> IntegratorState {
        self.state
    }

    /// Starts (or resumes after a stop). Returns false when already running.
    pub fn start(&mut self) -> bool {
        if self.state == IntegratorState::Running {
            return false;
        }
        self.state = IntegratorState::Running;
        true
    }

    /// Stops. Returns false when not running.
    pub fn stop(&mut self) -> bool {
        if self.state != IntegratorState::Running {
            return false;
        }
        self.state = IntegratorState::Stopped;
        true
    }

    /// Zeroes the values. Returns false while running (the instrument refuses then).
    pub fn reset(&mut self) -> bool {
        if self.state == IntegratorState::Running {
            return false;
        }
        *self = Integrator::default();
        true
    }

    pub fn accumulate(&mut self, truth: &[PhaseQuantities; 3], seconds: f64) {
        if self.state != IntegratorState::Running {
            return;
        }
        self.elapsed_s += seconds;
        for (acc, q) in self.elements.iter_mut().zip(truth.iter()) {
            let wh = q.p * seconds / 3600.0;
            acc.wh += wh;
            if wh >= 0.0 {
                acc.wh_plus += wh;
            } else {
                acc.wh_minus += -wh;
            }
            acc.ah += q.i * seconds / 3600.0;
        }
    }

    pub fn elapsed_s(&self) -> f64 {
        self.elapsed_s
    }

    /// Element 0..3 (0-based).
    pub fn element(&self, i: usize) -> Integrated {
        self.elements[i]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integrates_only_while_running_and_resets_only_when_stopped() {
        let mut it = Integrator::default();
        let truth = [PhaseQuantities::new(230.0, 10.0, 1.0, 50.0); 3];
        it.accumulate(&truth, 3600.0);
        assert_eq!(it.element(0).wh, 0.0);
        assert!(it.start());
        it.accumulate(&truth, 1800.0);
        assert!(!it.reset());
        assert!(it.stop());
        it.accumulate(&truth, 1800.0);
        assert!((it.element(0).wh - 1150.0).abs() < 1e-9);
        assert!((it.element(2).ah - 5.0).abs() < 1e-9);
        assert!((it.elapsed_s() - 1800.0).abs() < 1e-9);
        assert!(it.reset());
        assert_eq!(it.element(0).wh, 0.0);
    }
}
