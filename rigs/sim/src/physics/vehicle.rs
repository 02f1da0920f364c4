//! The vehicle: its connection and cable coding, the pilot state it asks for, its on-board
//! charger's limits, how it follows the offered current, and its battery.

use super::cp::EvNetwork;
use super::pp::CableCoding;
use crate::SimTime;
use std::time::Duration;

/// The least current an on-board charger draws when it charges at all (IEC 61851-1 minimum).
pub const MIN_CHARGE_CURRENT_A: f64 = 6.0;
/// The longest reaction time the standard allows the vehicle (and the simulator accepts).
pub const MAX_REACTION: Duration = Duration::from_secs(5);

/// What the on-board charger can take.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ObcLimits {
    /// Per-phase current limit in amperes.
    pub max_current_a: f64,
    /// 1 (draws on L1 only) or 3.
    pub phases: u8,
    /// Displacement power factor of the load (current lags voltage), 0 < pf ≤ 1.
    pub power_factor: f64,
}

impl Default for ObcLimits {
    fn default() -> Self {
        ObcLimits {
            max_current_a: 32.0,
            phases: 3,
            power_factor: 0.99,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Battery {
    pub capacity_wh: f64,
    pub energy_wh: f64,
}

impl Default for Battery {
    fn default() -> Self {
        Battery {
            capacity_wh: 60_000.0,
            energy_wh: 30_000.0,
        }
    }
}

impl Battery {
    pub fn is_full(&self) -> bool {
        self.energy_wh >= self.capacity_wh
    }
}

/// What the vehicle perceives of the charger at one instant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VehicleInputs {
    /// The current the pilot's duty cycle offers, `None` when it offers nothing usable.
    pub offered_a: Option<f64>,
    /// RMS voltage per phase at the vehicle inlet.
    pub inlet_v: [f64; 3],
}

/// A linear change of the drawn current from `from` to `to`, starting at `start`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Ramp {
    from: f64,
    to: f64,
    start: SimTime,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Vehicle {
    connection: Option<CableCoding>,
    requested: EvNetwork,
    obc: ObcLimits,
    battery: Battery,
    reaction: Duration,
    ramp: Ramp,
    /// A faulty on-board charger that does not follow the pilot down: once drawing, it keeps
    /// its current when the offer falls or the PWM stops (the charger must then switch off
    /// under load).
    ignores_pilot: bool,
}

impl Default for Vehicle {
    fn default() -> Self {
        Vehicle {
            connection: None,
            requested: EvNetwork::B,
            obc: ObcLimits::default(),
            battery: Battery::default(),
            reaction: Duration::from_secs(2),
            ramp: Ramp {
                from: 0.0,
                to: 0.0,
                start: SimTime::ZERO,
            },
            ignores_pilot: false,
        }
    }
}

impl Vehicle {
    pub fn plug(&mut self, coding: CableCoding) {
        if self.connection.is_none() {
            self.requested = EvNetwork::B;
        }
        self.connection = Some(coding);
    }

    pub fn unplug(&mut self, now: SimTime) {
        self.connection = None;
        self.requested = EvNetwork::B;
        self.stop_drawing(now);
    }

    pub fn connection(&self) -> Option<CableCoding> {
        self.connection
    }

    /// Asks for a pilot state; the vehicle stops drawing at once when it leaves C or D.
    pub fn request(&mut self, state: EvNetwork, now: SimTime) {
        self.requested = state;
        if state == EvNetwork::B {
            self.stop_drawing(now);
        }
    }

    pub fn requested(&self) -> EvNetwork {
        self.requested
    }

    /// The resistor network on the pilot now, `None` when unplugged.
    pub fn network(&self) -> Option<EvNetwork> {
        self.connection.map(|_| self.requested)
    }

    pub fn obc(&self) -> ObcLimits {
        self.obc
    }

    pub fn set_obc(&mut self, obc: ObcLimits) {
        self.obc = obc;
    }

    pub fn battery(&self) -> Battery {
        self.battery
    }

    pub fn set_battery(&mut self, battery: Battery) {
        self.battery = battery;
    }

    pub fn reaction(&self) -> Duration {
        self.reaction
    }

    /// Sets how long the vehicle takes to follow a new offered current (at most 5 s).
    pub fn set_reaction(&mut self, reaction: Duration) -> Result<(), String> {
        if reaction > MAX_REACTION {
            return Err(format!(
                "reaction time {:.3} s is above the 5 s the standard allows",
                reaction.as_secs_f64()
            ));
        }
        self.reaction = reaction;
        Ok(())
    }

    pub fn ignores_pilot(&self) -> bool {
        self.ignores_pilot
    }

    pub fn set_ignores_pilot(&mut self, ignores: bool) {
        self.ignores_pilot = ignores;
    }

    fn stop_drawing(&mut self, now: SimTime) {
        self.ramp = Ramp {
            from: 0.0,
            to: 0.0,
            start: now,
        };
    }

    /// The per-phase current the on-board charger aims at, given what it sees.
    fn target(&self, inputs: &VehicleInputs) -> f64 {
        let charging_state = matches!(self.requested, EvNetwork::C | EvNetwork::D);
        let energised = inputs.inlet_v.iter().any(|v| *v > 100.0);
        let follows = self.follow_pilot(inputs, charging_state, energised);
        if self.ignores_pilot && charging_state && energised && !self.battery.is_full() {
            // Never below what it aims at already: a lower offer or no PWM is ignored.
            return follows.max(self.ramp.to.min(self.obc.max_current_a));
        }
        follows
    }

    /// The target of a vehicle that follows the pilot's offer.
    fn follow_pilot(&self, inputs: &VehicleInputs, charging_state: bool, energised: bool) -> f64 {
        match inputs.offered_a {
            Some(offered)
                if self.connection.is_some()
                    && charging_state
                    && energised
                    && !self.battery.is_full()
                    && offered >= MIN_CHARGE_CURRENT_A =>
            {
                offered.min(self.obc.max_current_a).max(0.0)
            }
            _ => 0.0,
        }
    }

    /// The per-phase current the charger draws at `now` along its ramp.
    fn ramp_value(&self, now: SimTime) -> f64 {
        let r = self.ramp;
        let elapsed = now.saturating_sub(r.start);
        if self.reaction.is_zero() || elapsed >= self.reaction {
            return r.to;
        }
        let fraction = elapsed.as_secs_f64() / self.reaction.as_secs_f64();
        r.from + (r.to - r.from) * fraction
    }

    /// Re-aims the on-board charger at `now`: a new target starts a new ramp from where the
    /// current is, reaching the target one reaction time later; no voltage means no current.
    pub fn update(&mut self, inputs: &VehicleInputs, now: SimTime) {
        if self.battery.is_full() && self.requested != EvNetwork::B {
            // Full: the vehicle stops and opens its S2 switch.
            self.request(EvNetwork::B, now);
            return;
        }
        if inputs.inlet_v.iter().all(|v| *v <= 100.0) {
            self.stop_drawing(now);
            return;
        }
        let target = self.target(inputs);
        if (target - self.ramp.to).abs() > 1e-9 {
            self.ramp = Ramp {
                from: self.ramp_value(now),
                to: target,
                start: now,
            };
        }
    }

    /// Per-phase RMS current drawn at `now`.
    pub fn currents(&self, inputs: &VehicleInputs, now: SimTime) -> [f64; 3] {
        let i = self.ramp_value(now);
        let mut out = [0.0; 3];
        for (phase, slot) in out.iter_mut().enumerate() {
            let wired = phase == 0 || self.obc.phases == 3;
            if wired && inputs.inlet_v[phase] > 100.0 {
                *slot = i;
            }
        }
        out
    }

    /// Stores energy taken from the supply into the battery.
    pub fn absorb(&mut self, wh: f64) {
        self.battery.energy_wh = (self.battery.energy_wh + wh).min(self.battery.capacity_wh);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: f64) -> SimTime {
        Duration::from_secs_f64(v)
    }

    fn live(offered: f64) -> VehicleInputs {
        VehicleInputs {
            offered_a: Some(offered),
            inlet_v: [230.0; 3],
        }
    }

    fn charging_vehicle() -> Vehicle {
        let mut v = Vehicle::default();
        v.plug(CableCoding::Tethered);
        v.request(EvNetwork::C, s(0.0));
        v
    }

    #[test]
    fn follows_a_new_offer_within_its_reaction_time_along_a_ramp() {
        let mut v = charging_vehicle();
        v.update(&live(16.0), s(0.0));
        assert_eq!(v.currents(&live(16.0), s(2.0))[0], 16.0);
        v.update(&live(10.0), s(10.0));
        let halfway = v.currents(&live(10.0), s(11.0))[0];
        assert!((halfway - 13.0).abs() < 1e-6, "halfway {halfway}");
        assert_eq!(v.currents(&live(10.0), s(12.0)), [10.0; 3]);
    }

    #[test]
    fn reaction_time_is_settable_up_to_five_seconds() {
        let mut v = charging_vehicle();
        v.set_reaction(s(5.0)).unwrap();
        assert!(v.set_reaction(s(5.1)).is_err());
        v.update(&live(20.0), s(0.0));
        assert!(v.currents(&live(20.0), s(4.9))[0] < 20.0);
        assert_eq!(v.currents(&live(20.0), s(5.0))[0], 20.0);
    }

    #[test]
    fn draws_at_most_the_obc_limit_and_only_on_its_phases() {
        let mut v = charging_vehicle();
        v.set_obc(ObcLimits {
            max_current_a: 13.0,
            phases: 1,
            power_factor: 0.9,
        });
        v.update(&live(32.0), s(0.0));
        assert_eq!(v.currents(&live(32.0), s(3.0)), [13.0, 0.0, 0.0]);
    }

    #[test]
    fn stops_at_once_without_voltage_or_in_state_b() {
        let mut v = charging_vehicle();
        v.update(&live(16.0), s(0.0));
        let dead = VehicleInputs {
            offered_a: Some(16.0),
            inlet_v: [0.0; 3],
        };
        v.update(&dead, s(3.0));
        assert_eq!(v.currents(&dead, s(3.0)), [0.0; 3]);
        v.update(&live(16.0), s(4.0));
        v.request(EvNetwork::B, s(7.0));
        assert_eq!(v.currents(&live(16.0), s(7.0)), [0.0; 3]);
    }

    #[test]
    fn no_pwm_or_below_six_amps_means_no_charging() {
        let mut v = charging_vehicle();
        let none = VehicleInputs {
            offered_a: None,
            inlet_v: [230.0; 3],
        };
        v.update(&none, s(0.0));
        assert_eq!(v.currents(&none, s(5.0)), [0.0; 3]);
    }

    #[test]
    fn a_vehicle_that_ignores_the_pilot_keeps_drawing_without_pwm() {
        let mut v = charging_vehicle();
        v.set_ignores_pilot(true);
        v.update(&live(16.0), s(0.0));
        let no_pwm = VehicleInputs {
            offered_a: None,
            inlet_v: [230.0; 3],
        };
        v.update(&no_pwm, s(3.0));
        assert_eq!(v.currents(&no_pwm, s(9.0)), [16.0; 3], "keeps drawing");
        let dead = VehicleInputs {
            offered_a: None,
            inlet_v: [0.0; 3],
        };
        v.update(&dead, s(9.0));
        assert_eq!(v.currents(&dead, s(9.0)), [0.0; 3], "stops without voltage");
        v.set_ignores_pilot(false);
        v.update(&live(16.0), s(10.0));
        v.update(&no_pwm, s(13.0));
        assert_eq!(v.currents(&no_pwm, s(16.0)), [0.0; 3], "follows again");
    }

    #[test]
    fn a_full_battery_returns_to_state_b() {
        let mut v = charging_vehicle();
        v.set_battery(Battery {
            capacity_wh: 100.0,
            energy_wh: 99.0,
        });
        v.update(&live(16.0), s(0.0));
        v.absorb(5.0);
        assert!(v.battery().is_full());
        v.update(&live(16.0), s(1.0));
        assert_eq!(v.requested(), EvNetwork::B);
        assert_eq!(v.currents(&live(16.0), s(1.0)), [0.0; 3]);
    }
}
