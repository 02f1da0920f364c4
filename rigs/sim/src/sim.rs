//! The whole bench as one deterministic model: mains, power board hardware, pilot circuit,
//! vehicle, and what the instruments measure. Commands change it at `now()`; [`Sim::step`]
//! advances it to a later instant.

use crate::physics::contactor::{Contactor, ContactorTiming};
use crate::physics::cp::{self, CpDrive, CpMeasurement, EvNetwork, PilotFault, PilotLoad};
use crate::physics::integrator::Integrator;
use crate::physics::lock::Lock;
use crate::physics::mains::Mains;
use crate::physics::meter::MeteringChip;
use crate::physics::power::PhaseQuantities;
use crate::physics::pp::CableCoding;
use crate::physics::rcm::ResidualCurrentSensor;
use crate::physics::vehicle::{Vehicle, VehicleInputs};
use crate::SimTime;
use std::time::Duration;

/// Longest interval integrated in one piece, so ramps and energy stay accurate.
const MAX_SUBSTEP: Duration = Duration::from_millis(10);

/// The rig's fixed properties at start-up.
#[derive(Debug, Clone, PartialEq)]
pub struct SimConfig {
    pub mains: Mains,
    pub contactor: ContactorTiming,
    pub lock_travel: Duration,
    pub vehicle_reaction: Duration,
    pub temperature_c: f64,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            mains: Mains::default(),
            contactor: ContactorTiming::default(),
            lock_travel: Duration::from_millis(300),
            vehicle_reaction: Duration::from_secs(2),
            temperature_c: 25.0,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Sim {
    now: SimTime,
    pub mains: Mains,
    cp_drive: CpDrive,
    pilot_fault: PilotFault,
    pub vehicle: Vehicle,
    pub contactor: Contactor,
    pub lock: Lock,
    pub rcm: ResidualCurrentSensor,
    pub meter: MeteringChip,
    pub integrator: Integrator,
    pub temperature_c: f64,
    /// UID of the card in the RFID reader's field, if any.
    pub rfid_card: Option<Vec<u8>>,
    /// False while the simulator cuts the power-board link.
    pub board_link_up: bool,
    pub ethernet_up: bool,
    /// When the board last changed its pilot output (mode or duty cycle).
    pilot_changed_at: Option<SimTime>,
    /// When the vehicle was last plugged, unplugged or switched its pilot state.
    vehicle_changed_at: Option<SimTime>,
}

impl Sim {
    pub fn new(config: SimConfig) -> Self {
        let mut vehicle = Vehicle::default();
        // The config was validated by its builder; an out-of-range value keeps the default.
        let _ = vehicle.set_reaction(config.vehicle_reaction);
        Sim {
            now: SimTime::ZERO,
            mains: config.mains,
            // Until the controller speaks, the board keeps the pilot at −12 V: not available.
            cp_drive: CpDrive::DcNegative,
            pilot_fault: PilotFault::None,
            vehicle,
            contactor: Contactor::new(config.contactor),
            lock: Lock::new(config.lock_travel),
            rcm: ResidualCurrentSensor::default(),
            meter: MeteringChip::default(),
            integrator: Integrator::default(),
            temperature_c: config.temperature_c,
            rfid_card: None,
            board_link_up: true,
            ethernet_up: true,
            pilot_changed_at: None,
            vehicle_changed_at: None,
        }
    }

    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Advances the model to `now` (earlier instants are ignored). Mechanical transitions
    /// happen at their exact instants; energy is integrated in pieces of at most 10 ms.
    pub fn step(&mut self, now: SimTime) {
        while self.now < now {
            let mut target = now.min(self.now + MAX_SUBSTEP);
            if let Some(t) = self.next_transition() {
                if t > self.now {
                    target = target.min(t);
                }
            }
            let seconds = (target - self.now).as_secs_f64();
            let truth = self.phase_quantities();
            self.meter.accumulate(&self.meter_truth(), seconds);
            self.integrator.accumulate(&truth, seconds);
            let wh: f64 = truth.iter().map(|q| q.p).sum::<f64>() * seconds / 3600.0;
            self.vehicle.absorb(wh);
            self.now = target;
            self.contactor.step(target);
            self.lock.step(target);
            self.settle();
        }
    }

    /// The next instant something moves by itself (contactor, lock, RCM self-test).
    pub fn next_transition(&self) -> Option<SimTime> {
        [
            self.contactor.next_transition(),
            self.lock.next_transition(),
            self.rcm.next_event(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Lets the vehicle react to what it sees after any change.
    fn settle(&mut self) {
        let before = self.vehicle.network();
        let inputs = self.vehicle_inputs();
        self.vehicle.update(&inputs, self.now);
        if self.vehicle.network() != before {
            self.vehicle_changed_at = Some(self.now);
        }
    }

    // ---- what is measured -------------------------------------------------------------------

    pub fn pilot_load(&self) -> PilotLoad {
        PilotLoad {
            network: self.vehicle.network(),
            fault: self.pilot_fault,
        }
    }

    pub fn cp_measurement(&self) -> CpMeasurement {
        cp::measure(self.cp_drive, self.pilot_load())
    }

    pub fn cp_drive(&self) -> CpDrive {
        self.cp_drive
    }

    pub fn pilot_fault(&self) -> PilotFault {
        self.pilot_fault
    }

    /// PP–PE resistance at the charger's input, `None` when open.
    pub fn pp_ohms(&self) -> Option<f64> {
        self.vehicle.connection().and_then(CableCoding::pp_ohms)
    }

    /// Whether the contacts connect the supply to the outlet.
    pub fn energised(&self) -> bool {
        self.contactor.is_closed() && self.mains.present
    }

    /// RMS voltage per phase at the vehicle inlet (after the contactor).
    pub fn inlet_voltages(&self) -> [f64; 3] {
        if !self.contactor.is_closed() {
            return [0.0; 3];
        }
        [0, 1, 2].map(|i| self.mains.voltage(i))
    }

    fn vehicle_inputs(&self) -> VehicleInputs {
        let m = self.cp_measurement();
        // The vehicle sees the same line; with no edges it sees no offer.
        let offered_a = if m.freq_hz > 0.0 && self.pilot_fault != PilotFault::PeOpen {
            cp::duty_to_current(m.duty_percent)
        } else {
            None
        };
        VehicleInputs {
            offered_a,
            inlet_v: if self.vehicle.connection().is_some() {
                self.inlet_voltages()
            } else {
                [0.0; 3]
            },
        }
    }

    /// True per-phase quantities at the outlet (what the reference analyser measures).
    pub fn phase_quantities(&self) -> [PhaseQuantities; 3] {
        let inputs = self.vehicle_inputs();
        let currents = self.vehicle.currents(&inputs, self.now);
        let u = self.inlet_voltages();
        let pf = self.vehicle.obc().power_factor;
        let f = self.mains.frequency();
        [0, 1, 2].map(|i| PhaseQuantities::new(u[i], currents[i], pf, f))
    }

    /// True per-phase quantities at the metering chip, which sits on the supply side of the
    /// contactor: it sees the mains voltage even while the contacts are open.
    pub fn meter_truth(&self) -> [PhaseQuantities; 3] {
        let currents = self.currents();
        let pf = self.vehicle.obc().power_factor;
        let f = self.mains.frequency();
        [0, 1, 2].map(|i| PhaseQuantities::new(self.mains.voltage(i), currents[i], pf, f))
    }

    /// Per-phase current the vehicle draws now.
    pub fn currents(&self) -> [f64; 3] {
        self.phase_quantities().map(|q| q.i)
    }

    /// The residual current the board's sensor reads now, mA DC.
    pub fn residual_current_ma(&self) -> f64 {
        let drawing = self.vehicle.connection().is_some() && self.energised();
        self.rcm.measured_dc_ma(drawing)
    }

    // ---- commands ---------------------------------------------------------------------------

    pub fn set_cp_drive(&mut self, drive: CpDrive) {
        if drive != self.cp_drive {
            self.pilot_changed_at = Some(self.now);
        }
        self.cp_drive = drive;
        self.settle();
    }

    /// When the board last changed the pilot output.
    pub fn pilot_changed_at(&self) -> Option<SimTime> {
        self.pilot_changed_at
    }

    /// When the vehicle last changed its connection or pilot state (including by itself, when
    /// its battery became full).
    pub fn vehicle_changed_at(&self) -> Option<SimTime> {
        self.vehicle_changed_at
    }

    pub fn command_contactor(&mut self, close: bool) {
        self.contactor.command(close, self.now);
    }

    pub fn command_lock(&mut self, lock: bool) {
        self.lock.command(lock, self.now);
    }

    pub fn plug(&mut self, coding: CableCoding) {
        if self.vehicle.connection().is_none() {
            self.vehicle_changed_at = Some(self.now);
        }
        self.vehicle.plug(coding);
        self.settle();
    }

    pub fn unplug(&mut self) {
        if self.vehicle.connection().is_some() {
            self.vehicle_changed_at = Some(self.now);
        }
        self.vehicle.unplug(self.now);
        self.settle();
    }

    /// Asks for state B, C or D; refused (`Err`) while unplugged.
    pub fn request_state(&mut self, state: EvNetwork) -> Result<(), &'static str> {
        if self.vehicle.connection().is_none() {
            return Err("vehicle is not plugged in");
        }
        if self.vehicle.requested() != state {
            self.vehicle_changed_at = Some(self.now);
        }
        self.vehicle.request(state, self.now);
        self.settle();
        Ok(())
    }

    pub fn set_pilot_fault(&mut self, fault: PilotFault) {
        self.pilot_fault = fault;
        self.settle();
    }

    pub fn set_mains_present(&mut self, present: bool) {
        self.mains.present = present;
        self.settle();
    }

    pub fn set_contactor_welded(&mut self, welded: bool) {
        self.contactor.set_welded(welded, self.now);
    }

    pub fn set_lock_failed(&mut self, failed: bool) {
        self.lock.set_failed(failed, self.now);
    }

    /// Re-aims the vehicle after a change made directly on `vehicle`.
    pub fn vehicle_changed(&mut self) {
        self.settle();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(v: u64) -> SimTime {
        Duration::from_millis(v)
    }

    fn charging_sim() -> Sim {
        let mut sim = Sim::new(SimConfig::default());
        sim.plug(CableCoding::Tethered);
        sim.request_state(EvNetwork::C).unwrap();
        sim.set_cp_drive(CpDrive::Pwm {
            freq_hz: 1000.0,
            duty_percent: 26.67,
        });
        sim.command_contactor(true);
        sim
    }

    #[test]
    fn charging_draws_the_offered_current_after_the_reaction_time() {
        let mut sim = charging_sim();
        sim.step(ms(10));
        assert_eq!(sim.inlet_voltages(), [0.0; 3], "contacts still moving");
        sim.step(ms(25));
        assert_eq!(sim.contactor.last_transition(), Some(ms(25)));
        assert_eq!(sim.inlet_voltages(), [230.0; 3]);
        sim.step(ms(2025));
        let i = sim.currents();
        assert!((i[0] - 16.0).abs() < 0.01, "{i:?}");
    }

    #[test]
    fn energy_reaches_meter_analyser_and_battery() {
        let mut sim = charging_sim();
        sim.integrator.start();
        sim.step(ms(3_000));
        let before = sim.vehicle.battery().energy_wh;
        let meter_before = sim.meter.total_energy_wh();
        sim.step(ms(3_600_000 + 3_000));
        let expected = 3.0 * 230.0 * 16.0 * 0.99; // one hour at full current
        let meter = sim.meter.total_energy_wh() - meter_before;
        assert!(
            (meter - expected).abs() < 5.0,
            "meter {meter} vs {expected}"
        );
        let analyser: f64 = (0..3).map(|i| sim.integrator.element(i).wh).sum();
        // Started together and without a gain error, the chip and the reference agree.
        let total = sim.meter.total_energy_wh();
        assert!(
            (analyser - total).abs() < 1e-6,
            "analyser {analyser} vs meter {total}"
        );
        assert!((sim.vehicle.battery().energy_wh - before - expected).abs() < 5.0);
    }

    #[test]
    fn mains_loss_stops_the_current_at_once() {
        let mut sim = charging_sim();
        sim.step(ms(3_000));
        sim.set_mains_present(false);
        assert_eq!(sim.currents(), [0.0; 3]);
    }

    #[test]
    fn stepping_is_deterministic() {
        let run = || {
            let mut sim = charging_sim();
            for k in 1..500 {
                sim.step(ms(k * 7));
            }
            (sim.currents(), sim.meter.total_energy_wh())
        };
        assert_eq!(run(), run());
    }

    #[test]
    fn pilot_and_vehicle_changes_are_stamped() {
        let mut sim = Sim::new(SimConfig::default());
        assert_eq!(
            (sim.pilot_changed_at(), sim.vehicle_changed_at()),
            (None, None)
        );
        sim.step(ms(100));
        sim.plug(CableCoding::Tethered);
        sim.step(ms(200));
        sim.set_cp_drive(CpDrive::DcPositive);
        sim.step(ms(300));
        sim.set_cp_drive(CpDrive::DcPositive);
        sim.request_state(EvNetwork::C).unwrap();
        assert_eq!(
            sim.pilot_changed_at(),
            Some(ms(200)),
            "same output again is no change"
        );
        assert_eq!(sim.vehicle_changed_at(), Some(ms(300)));
    }

    #[test]
    fn residual_current_flows_only_while_supplied() {
        let mut sim = charging_sim();
        sim.rcm.inject(6.0);
        assert_eq!(sim.residual_current_ma(), 0.0);
        sim.step(ms(100));
        assert_eq!(sim.residual_current_ma(), 6.0);
    }
}
