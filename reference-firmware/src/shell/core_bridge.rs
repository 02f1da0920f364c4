//! The two-way mapping between the charging core and the OCPP charge point, as a small
//! deterministic state machine (no I/O): core [`Event`]s become OCPP [`CoreEvent`]s, OCPP
//! [`Output`]s for the charger become core [`Input`]s.
//!
//! Who decides what: with a CSMS configured the core runs in [`AuthMode::External`]; every card
//! it reads goes to the OCPP side (local list, cache, Authorize), which starts and stops the
//! transaction; the core's session follows `StartCharging`/`StopCharging`. Only the core sees
//! the hardware, so plug state, faults, meter values and stops it decides by itself (a tripped
//! residual-current monitor, the same card presented again) flow back as OCPP events.

use ocpp_charge_point::ocpp::types::{ChargePointErrorCode, Reason};
use ocpp_charge_point::{CoreEvent, MeterReading as OcppMeter, Output, PhaseValues};

use crate::core::{
    AuthMode, ConnectorStatus, Event, Input, MeterReading, PilotState, Snapshot, StopReason,
};

/// The only connector of the wallbox.
pub const CONNECTOR: u32 = 1;

/// Below this the IEC 61851 pilot cannot offer energy.
const MIN_OFFER_A: f64 = 6.0;

/// What the bridge remembers between events.
#[derive(Debug, Clone)]
pub struct CoreBridge {
    phases: u8,
    plugged: bool,
    ev_ready: bool,
    faulted: bool,
    /// OCPP asked the core to stop (`StopCharging`) since the last `StartCharging`.
    stop_requested: bool,
    /// The cable lock's feedback as last told to OCPP (socket variants).
    locked: bool,
}

/// What an OCPP output means for the shell.
#[derive(Debug, Clone, PartialEq)]
pub enum ToCore {
    /// Send `inputs` to the charging core, then tell the charge point `back` at once (a limit
    /// below 6 A offers no energy, which the core reports only when it changes).
    Core {
        inputs: Vec<Input>,
        back: Option<CoreEvent>,
    },
    /// Not for the core.
    NotCore(Output),
}

fn inputs(inputs: Vec<Input>) -> ToCore {
    ToCore::Core { inputs, back: None }
}

impl CoreBridge {
    pub fn new(phases: u8) -> CoreBridge {
        CoreBridge {
            phases,
            plugged: false,
            ev_ready: false,
            faulted: false,
            stop_requested: false,
            locked: false,
        }
    }

    /// The core input that hands card decisions to OCPP.
    pub fn auth_mode() -> Input {
        Input::SetAuthMode(AuthMode::External)
    }

    /// Translates one core event; `snapshot` is the core's latest view (for the offered current
    /// and the temperature that go with a meter reading), `ocpp_tx_tag` the id tag of the OCPP
    /// transaction running on the connector.
    pub fn from_core(
        &mut self,
        event: &Event,
        snapshot: Option<&Snapshot>,
        ocpp_tx_tag: Option<&str>,
    ) -> Vec<CoreEvent> {
        let c = CONNECTOR;
        let mut out = Vec::new();
        match event {
            Event::PilotChanged { state } => match state {
                PilotState::A => {
                    if self.plugged {
                        out.push(CoreEvent::CableUnplugged { connector: c });
                    }
                    self.plugged = false;
                    self.ev_ready = false;
                }
                PilotState::B | PilotState::C | PilotState::D => {
                    if !self.plugged {
                        self.plugged = true;
                        out.push(CoreEvent::CablePlugged { connector: c });
                    }
                    let ready = *state != PilotState::B;
                    if ready != self.ev_ready {
                        self.ev_ready = ready;
                        out.push(CoreEvent::EvReady {
                            connector: c,
                            ready,
                        });
                    }
                }
                // E and F come with a fault (StatusChanged).
                PilotState::E | PilotState::F => {}
            },
            Event::StatusChanged { status, fault } => {
                match (status, fault) {
                    (ConnectorStatus::Faulted, Some(f)) => {
                        self.faulted = true;
                        out.push(CoreEvent::Faulted {
                            connector: c,
                            error_code: error_code(f.ocpp_error_code()),
                            info: Some(format!("{f:?}")),
                            vendor_error_code: None,
                        });
                    }
                    _ if self.faulted => {
                        self.faulted = false;
                        out.push(CoreEvent::FaultCleared { connector: c });
                    }
                    _ => {}
                }
                // The core ends a session by itself with Finishing (vehicle still connected)
                // only when its own card is presented again: OCPP stops with reason Local. It
                // does so at once, not when the contactor has opened.
                if *status == ConnectorStatus::Finishing && !self.stop_requested {
                    if let Some(tag) = ocpp_tx_tag {
                        self.stop_requested = true;
                        out.push(CoreEvent::IdTagPresented {
                            connector: Some(c),
                            id_tag: tag.to_string(),
                        });
                    }
                }
            }
            // Another card while a session runs: the core refuses it, but OCPP may know it
            // shares the transaction's parent id tag (and then stops the transaction).
            Event::AuthorizationRejected {
                id_tag: Some(tag), ..
            } if ocpp_tx_tag.is_some_and(|t| !t.eq_ignore_ascii_case(tag)) => {
                out.push(CoreEvent::IdTagPresented {
                    connector: Some(c),
                    id_tag: tag.clone(),
                })
            }
            Event::AuthorizationRequested { id_tag } => out.push(CoreEvent::IdTagPresented {
                connector: Some(c),
                id_tag: id_tag.clone(),
            }),
            Event::SessionStopped { reason, .. } => match reason {
                StopReason::EmergencyStop => out.push(CoreEvent::StopRequested {
                    connector: c,
                    reason: Reason::EmergencyStop,
                }),
                StopReason::Other => out.push(CoreEvent::StopRequested {
                    connector: c,
                    reason: Reason::Other,
                }),
                // Unplugging is reported as CableUnplugged, a card stop (Local) at Finishing;
                // Remote and DeAuthorized stops came from OCPP itself.
                StopReason::EvDisconnected
                | StopReason::Local
                | StopReason::Remote
                | StopReason::DeAuthorized => {}
            },
            Event::OfferedCurrent { deciamps } => out.push(CoreEvent::EnergyOffered {
                connector: c,
                offered: *deciamps > 0,
            }),
            Event::Meter(m) => out.push(CoreEvent::Meter {
                connector: c,
                reading: self.meter(m, snapshot),
            }),
            _ => {}
        }
        out.extend(snapshot.and_then(|s| self.lock_of(s)));
        out
    }

    /// A change of the cable lock's feedback in `snapshot`, as an OCPP event (a socket's
    /// transaction begins once its cable is locked).
    pub fn lock_of(&mut self, snapshot: &Snapshot) -> Option<CoreEvent> {
        if snapshot.lock_engaged == self.locked {
            return None;
        }
        self.locked = snapshot.lock_engaged;
        Some(CoreEvent::CableLocked {
            connector: CONNECTOR,
            locked: self.locked,
        })
    }

    /// The latest meter reading of the core's snapshot, as an OCPP event (the board samples
    /// only every 10 s while the contactor is open; OCPP wants a fresh reading about once a
    /// second, e.g. for a triggered MeterValues).
    pub fn meter_of(&self, snapshot: &Snapshot) -> CoreEvent {
        CoreEvent::Meter {
            connector: CONNECTOR,
            reading: self.meter(&snapshot.meter, Some(snapshot)),
        }
    }

    fn meter(&self, m: &MeterReading, snapshot: Option<&Snapshot>) -> OcppMeter {
        let n = usize::from(self.phases.clamp(1, 3));
        let per_phase = |f: &dyn Fn(usize) -> f64| {
            let v = |i: usize| (i < n).then(|| f(i));
            PhaseValues {
                l1: v(0),
                l2: v(1),
                l3: v(2),
            }
        };
        let offered = snapshot.map(|s| match s.pilot_output {
            crate::core::PilotOutput::Pwm { .. } => f64::from(s.limit_deciamps) / 10.0,
            _ => 0.0,
        });
        OcppMeter {
            // The register at its own resolution (mWh), not the display's whole Wh.
            energy_wh: m.energy_mwh as f64 / 1000.0,
            power_w: per_phase(&|i| m.phases[i].power_w),
            current_a: per_phase(&|i| m.phases[i].current_a),
            voltage_v: per_phase(&|i| m.phases[i].voltage_v),
            current_offered_a: offered,
            frequency_hz: None,
            temperature_c: snapshot.map(|s| s.temperature_c),
        }
    }

    /// Translates one OCPP output. `tx_id_tag` is the id tag of the connector's running
    /// transaction (for `StartCharging`).
    pub fn to_core(&mut self, output: Output, tx_id_tag: Option<String>) -> ToCore {
        match output {
            Output::StartCharging { .. } => {
                self.stop_requested = false;
                match tx_id_tag {
                    Some(id_tag) => inputs(vec![Input::RemoteStart { id_tag }]),
                    None => inputs(Vec::new()),
                }
            }
            Output::StopCharging { .. } => {
                self.stop_requested = true;
                inputs(vec![Input::StopSession {
                    reason: StopReason::Remote,
                }])
            }
            Output::AuthorizeResult {
                id_tag, accepted, ..
            } if !accepted => inputs(vec![Input::AuthorizationDecision {
                id_tag,
                accepted: false,
            }]),
            // An accepted card starts nothing yet: the transaction's StartCharging does.
            Output::AuthorizeResult { .. } => inputs(Vec::new()),
            Output::SetCurrentLimit { connector, amps } => {
                let deciamps = amps.map(|a| (a.max(0.0) * 10.0).floor() as u32);
                let back = amps
                    .filter(|a| *a < MIN_OFFER_A)
                    .map(|_| CoreEvent::EnergyOffered {
                        connector,
                        offered: false,
                    });
                ToCore::Core {
                    inputs: vec![Input::ExternalLimit { deciamps }],
                    back,
                }
            }
            Output::SetAvailability { operative, .. } => inputs(vec![Input::SetAvailability {
                available: operative,
            }]),
            other => ToCore::NotCore(other),
        }
    }
}

/// The OCPP error code of a core fault (`Fault::ocpp_error_code`).
fn error_code(code: &str) -> ChargePointErrorCode {
    serde_json::from_value(serde_json::Value::String(code.to_string()))
        .unwrap_or(ChargePointErrorCode::OtherError)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pilot(b: &mut CoreBridge, state: PilotState) -> Vec<CoreEvent> {
        b.from_core(&Event::PilotChanged { state }, None, None)
    }

    #[test]
    fn pilot_states_become_plug_and_ready_events_once() {
        let mut b = CoreBridge::new(3);
        assert_eq!(
            pilot(&mut b, PilotState::B),
            vec![CoreEvent::CablePlugged { connector: 1 }]
        );
        assert_eq!(
            pilot(&mut b, PilotState::C),
            vec![CoreEvent::EvReady {
                connector: 1,
                ready: true
            }]
        );
        assert!(pilot(&mut b, PilotState::C).is_empty());
        assert_eq!(
            pilot(&mut b, PilotState::A),
            vec![CoreEvent::CableUnplugged { connector: 1 }]
        );
        // A → C directly (the vehicle was ready when plugged).
        assert_eq!(pilot(&mut b, PilotState::C).len(), 2);
    }

    #[test]
    fn faults_map_to_ocpp_error_codes_and_clear() {
        let mut b = CoreBridge::new(3);
        let faulted = Event::StatusChanged {
            status: ConnectorStatus::Faulted,
            fault: Some(crate::core::Fault::ResidualCurrentTrip),
        };
        match b.from_core(&faulted, None, None).as_slice() {
            [CoreEvent::Faulted { error_code, .. }] => {
                assert_eq!(*error_code, ChargePointErrorCode::GroundFailure)
            }
            other => panic!("{other:?}"),
        }
        let ok = Event::StatusChanged {
            status: ConnectorStatus::Available,
            fault: None,
        };
        assert_eq!(
            b.from_core(&ok, None, None),
            vec![CoreEvent::FaultCleared { connector: 1 }]
        );
        assert!(b.from_core(&ok, None, None).is_empty());
    }

    #[test]
    fn a_card_stop_in_the_core_is_a_local_stop_in_ocpp_but_an_ocpp_stop_is_not() {
        let mut b = CoreBridge::new(3);
        let start = b.to_core(
            Output::StartCharging { connector: 1 },
            Some("AA11BB22".into()),
        );
        assert_eq!(
            start,
            ToCore::Core {
                inputs: vec![Input::RemoteStart {
                    id_tag: "AA11BB22".into()
                }],
                back: None
            }
        );
        let finishing = Event::StatusChanged {
            status: ConnectorStatus::Finishing,
            fault: None,
        };
        assert_eq!(
            b.from_core(&finishing, None, Some("AA11BB22")),
            vec![CoreEvent::IdTagPresented {
                connector: Some(1),
                id_tag: "AA11BB22".into()
            }]
        );
        b.to_core(
            Output::StartCharging { connector: 1 },
            Some("AA11BB22".into()),
        );
        b.to_core(Output::StopCharging { connector: 1 }, None);
        assert!(b.from_core(&finishing, None, Some("AA11BB22")).is_empty());
        // Another card during the transaction goes to OCPP (parent id tags).
        let other = Event::AuthorizationRejected {
            id_tag: Some("CC33DD44".into()),
            reason: "a session of another card is running".into(),
        };
        assert_eq!(b.from_core(&other, None, Some("AA11BB22")).len(), 1);
        assert!(b.from_core(&other, None, None).is_empty());
    }

    #[test]
    fn a_limit_below_6_a_offers_no_energy_at_once() {
        let mut b = CoreBridge::new(3);
        match b.to_core(
            Output::SetCurrentLimit {
                connector: 1,
                amps: Some(0.0),
            },
            None,
        ) {
            ToCore::Core { inputs, back } => {
                assert_eq!(inputs, vec![Input::ExternalLimit { deciamps: Some(0) }]);
                assert_eq!(
                    back,
                    Some(CoreEvent::EnergyOffered {
                        connector: 1,
                        offered: false
                    })
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            b.to_core(
                Output::SetCurrentLimit {
                    connector: 1,
                    amps: Some(10.5)
                },
                None
            ),
            ToCore::Core {
                inputs: vec![Input::ExternalLimit {
                    deciamps: Some(105)
                }],
                back: None
            }
        );
    }

    #[test]
    fn lock_feedback_changes_become_cable_locked_events() {
        use crate::core::{Charger, ChargerConfig, Millis, Stored, Variant};
        let variant = Variant::from_product_number(130577).unwrap();
        let mut snap =
            Charger::new(Millis(0), ChargerConfig::new(variant), Stored::default()).snapshot();
        let mut b = CoreBridge::new(3);
        assert_eq!(b.lock_of(&snap), None, "starts unlocked");
        snap.lock_engaged = true;
        assert_eq!(
            b.lock_of(&snap),
            Some(CoreEvent::CableLocked {
                connector: 1,
                locked: true
            })
        );
        assert_eq!(b.lock_of(&snap), None, "only changes are reported");
        snap.lock_engaged = false;
        // Any core event carries the change too.
        assert_eq!(
            b.from_core(&Event::Ready, Some(&snap), None),
            vec![CoreEvent::CableLocked {
                connector: 1,
                locked: false
            }]
        );
    }

    #[test]
    fn meter_readings_carry_only_the_variants_phases() {
        let mut b = CoreBridge::new(1);
        let mut m = MeterReading {
            energy_wh: 1234,
            energy_mwh: 1_234_567,
            ..Default::default()
        };
        m.phases[0].current_a = 15.9;
        m.phases[0].voltage_v = 230.1;
        m.phases[0].power_w = 3658.6;
        match b.from_core(&Event::Meter(m), None, None).as_slice() {
            [CoreEvent::Meter { reading, .. }] => {
                assert_eq!(
                    reading.energy_wh, 1234.567,
                    "the register at its mWh resolution"
                );
                assert_eq!(reading.current_a.l1, Some(15.9));
                assert_eq!(reading.current_a.l2, None);
                assert_eq!(reading.voltage_v.l1, Some(230.1));
            }
            other => panic!("{other:?}"),
        }
    }
}
