//! Finding the instant a pilot condition became true in a run of timestamped samples.
//!
//! Pure logic, time is an input: the sampler thread collects samples and `wait_for` asks
//! [`find_onset`] since when the condition has held.

use plugin_api::kinds::ev_emulator::{PilotCondition, PilotMeasurement};

/// Where, in samples ordered by time, the condition started to hold for good: the index of the
/// first sample of the trailing run of satisfying samples. `None` when the last sample does not
/// satisfy it (keep waiting). A condition that held and then stopped holding again does not
/// count: its old onset would be a stale answer.
pub fn find_onset<'a>(
    condition: &PilotCondition,
    samples: impl Iterator<Item = &'a PilotMeasurement>,
) -> Option<usize> {
    let flags: Vec<bool> = samples.map(|m| condition.holds(m)).collect();
    if !*flags.last()? {
        return None;
    }
    let trailing = flags.iter().rev().take_while(|f| **f).count();
    Some(flags.len() - trailing)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::parse_measurement;

    fn cp(high: f64) -> PilotMeasurement {
        parse_measurement(&format!("{high} -12 0 100 0 0 0 0 0 0"), 0).unwrap()
    }

    #[test]
    fn onset_is_the_start_of_the_trailing_run() {
        let c = PilotCondition::CpHigh {
            volts: 9.0,
            tolerance: 1.0,
        };
        let s = [cp(9.0), cp(6.0), cp(6.0), cp(9.0), cp(9.1)];
        assert_eq!(find_onset(&c, s.iter()), Some(3));
        assert_eq!(find_onset(&c, s[..3].iter()), None);
        assert_eq!(find_onset(&c, s[..1].iter()), Some(0));
        assert_eq!(find_onset(&c, std::iter::empty()), None);
    }
}
