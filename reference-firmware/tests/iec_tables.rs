//! Every row of the IEC 61851-1 tables the firmware implements (control pilot states and
//! timing, duty cycle ↔ current, proximity pilot ranges, residual current), driven through
//! the core with a fake board and a fake clock.

mod common;

use board_link::{BoardFaultCode, BoardMessage, PilotOutput};
use common::{Rig, SelfTestAnswer, Vehicle, STEP_MS};
use reference_firmware::core::proximity::PpTable;
use reference_firmware::core::residual::TripPoint;
use reference_firmware::core::*;

// ----- control pilot state bands (±1 V around the nominal levels) -----------------------------

#[test]
fn pilot_state_bands() {
    // (positive plateau mV, expected debounced state; None = between bands: no change from B)
    let rows: [(i16, Option<PilotState>); 17] = [
        (12_000, Some(PilotState::A)),
        (11_000, Some(PilotState::A)),
        (13_000, Some(PilotState::A)),
        (9_000, Some(PilotState::B)),
        (8_000, Some(PilotState::B)),
        (10_000, Some(PilotState::B)),
        (6_000, Some(PilotState::C)),
        (5_000, Some(PilotState::C)),
        (7_000, Some(PilotState::C)),
        (3_000, Some(PilotState::D)),
        (2_000, Some(PilotState::D)),
        (4_000, Some(PilotState::D)),
        (0, Some(PilotState::E)),
        (10_500, None),
        (7_500, None),
        (4_500, None),
        (1_500, None),
    ];
    for (mv, expected) in rows {
        let mut rig = Rig::halo();
        rig.vehicle = Vehicle::B;
        rig.advance(200);
        assert_eq!(rig.charger.snapshot().pilot_state, PilotState::B);
        rig.vehicle = Vehicle::Level(mv);
        rig.advance(200);
        let got = rig.charger.snapshot().pilot_state;
        assert_eq!(got, expected.unwrap_or(PilotState::B), "{mv} mV");
    }
}

#[test]
fn a_glitch_shorter_than_the_debounce_changes_nothing() {
    let mut rig = Rig::halo();
    rig.start_charging();
    rig.vehicle = Vehicle::B;
    rig.advance(10);
    rig.vehicle = Vehicle::C;
    rig.advance(500);
    assert!(rig.contactor);
    assert_eq!(rig.contactor_log.len(), 1);
}

#[test]
fn state_e_is_a_fault_until_unplug() {
    let mut rig = Rig::halo();
    rig.start_charging();
    rig.vehicle = Vehicle::ShortToPe;
    let t = rig.now;
    rig.advance(100);
    assert!(rig.last_contactor_change(false).unwrap().since(t) <= 100);
    assert_eq!(rig.fault(), Some(Fault::PilotShortedToPe));
    rig.vehicle = Vehicle::B;
    rig.advance(1000);
    assert_eq!(
        rig.fault(),
        Some(Fault::PilotShortedToPe),
        "latched while plugged in"
    );
    rig.vehicle = Vehicle::A;
    rig.advance(100);
    assert_eq!(rig.fault(), None);
    assert_eq!(rig.connector_status(), ConnectorStatus::Available);
}

#[test]
fn a_shorted_diode_under_pwm_is_a_fault() {
    let mut rig = Rig::halo();
    rig.start_charging();
    rig.vehicle = Vehicle::DiodeShortC;
    let t = rig.now;
    rig.advance(100);
    assert!(!rig.contactor);
    assert!(rig.last_contactor_change(false).unwrap().since(t) <= 100);
    assert_eq!(rig.fault(), Some(Fault::DiodeShorted));
    assert_eq!(rig.connector_status(), ConnectorStatus::Faulted);
}

#[test]
fn state_f_lasts_at_least_300_ms_after_a_fault() {
    let mut rig = Rig::halo();
    rig.start_charging();
    rig.vehicle = Vehicle::DiodeShortC;
    rig.advance(1000);
    let f_on = rig
        .pilot_log
        .iter()
        .find(|(_, p)| *p == PilotOutput::DcMinus12V)
        .unwrap()
        .0;
    let f_off = rig.pilot_log.iter().find(|(t, _)| *t > f_on).unwrap().0;
    assert!(
        f_off.since(f_on) >= 300,
        "F lasted {} ms",
        f_off.since(f_on)
    );
    assert_eq!(
        rig.pilot,
        PilotOutput::DcPlus12V,
        "+12 V DC afterwards to see the unplug"
    );
}

// ----- x1 / x2 and contactor timing -----------------------------------------------------------

#[test]
fn x1_until_authorized_then_x2_then_power_within_3_s_of_b_to_c() {
    let mut rig = Rig::halo();
    rig.vehicle = Vehicle::B;
    rig.advance(1000);
    assert_eq!(
        rig.pilot,
        PilotOutput::DcPlus12V,
        "B1 without authorization"
    );
    assert_eq!(rig.connector_status(), ConnectorStatus::Preparing);
    rig.card(&[1, 2, 3, 4]);
    rig.advance(300);
    assert_eq!(rig.duty(), Some(267), "B2: 16 A");
    assert_eq!(rig.connector_status(), ConnectorStatus::SuspendedEv);
    let t = rig.now;
    rig.vehicle = Vehicle::C;
    rig.advance(3000);
    let closed = rig.last_contactor_change(true).expect("contactor closed");
    assert!(closed.since(t) <= 3000);
    assert_eq!(rig.connector_status(), ConnectorStatus::Charging);
}

#[test]
fn contactor_opens_within_100_ms_after_c_to_b_and_c_to_a() {
    for to in [Vehicle::B, Vehicle::A] {
        let mut rig = Rig::halo();
        rig.start_charging();
        rig.vehicle = to;
        let t = rig.now;
        rig.advance(200);
        let opened = rig.last_contactor_change(false).expect("opened");
        assert!(opened.since(t) <= 100, "{to:?}: {} ms", opened.since(t));
    }
}

#[test]
fn state_d_is_refused_by_default_and_allowed_by_configuration() {
    let mut rig = Rig::halo();
    rig.vehicle = Vehicle::B;
    rig.advance(200);
    rig.card(&[1, 2, 3, 4]);
    rig.advance(200);
    rig.vehicle = Vehicle::D;
    rig.advance(3000);
    assert!(!rig.contactor, "D refused");

    let settings = Settings {
        allow_state_d: true,
        ..Settings::default()
    };
    let mut rig = Rig::with(130577, settings, Stored::default());
    rig.advance(200);
    rig.charger.set_offline_cards(vec!["01020304".into()]);
    rig.vehicle = Vehicle::B;
    rig.advance(200);
    rig.card(&[1, 2, 3, 4]);
    rig.advance(200);
    rig.vehicle = Vehicle::D;
    rig.advance(200);
    assert!(rig.contactor, "D allowed");
}

#[test]
fn stop_under_load_6_s_after_pwm_is_withdrawn() {
    let mut rig = Rig::halo();
    rig.start_charging();
    rig.input(Input::ExternalLimit { deciamps: Some(0) }); // smart charging pause
    let t = rig.now;
    assert_eq!(rig.pilot, PilotOutput::DcPlus12V, "x1 at once");
    // The EV ignores it and stays in C.
    rig.advance(5900);
    assert!(rig.contactor, "still waiting for the EV");
    rig.advance(300);
    let opened = rig.last_contactor_change(false).unwrap();
    assert_eq!(opened.since(t), 6000);
    assert_eq!(rig.connector_status(), ConnectorStatus::SuspendedEvse);
}

#[test]
fn after_pwm_is_withdrawn_an_ev_drawing_nothing_does_not_wait_out_the_6_s() {
    let mut rig = Rig::halo();
    rig.start_charging();
    rig.input(Input::ExternalLimit { deciamps: Some(0) });
    let t = rig.now;
    rig.advance(300);
    assert!(rig.contactor, "no metering sample since the withdrawal yet");
    // The EV stays in C but has stopped drawing: the next sample shows no current.
    let mut idle = rig.meter_sample();
    for phase in idle.phases.iter_mut() {
        phase.current_ma = 0;
        phase.active_power_tenth_w = 0;
    }
    rig.board_says(BoardMessage::MeterSample(idle));
    rig.advance(STEP_MS);
    let opened = rig.last_contactor_change(false).expect("contactor opened");
    assert!(
        opened.since(t) < 1000,
        "opened {} ms after the withdrawal",
        opened.since(t)
    );
}

#[test]
fn a_cooperative_ev_stops_first_and_the_contactor_follows_within_100_ms() {
    let mut rig = Rig::halo();
    rig.start_charging();
    rig.input(Input::StopSession {
        reason: StopReason::Remote,
    });
    rig.advance(1000);
    assert!(rig.contactor, "EV still in C");
    rig.vehicle = Vehicle::B;
    let t = rig.now;
    rig.advance(200);
    assert!(rig.last_contactor_change(false).unwrap().since(t) <= 100);
    assert!(rig.has_event(|e| matches!(
        e,
        Event::SessionStopped {
            reason: StopReason::Remote,
            ..
        }
    )));
    assert_eq!(rig.connector_status(), ConnectorStatus::Finishing);
}

#[test]
fn duty_cycle_changes_at_most_every_5_s() {
    let mut rig = Rig::halo();
    rig.start_charging();
    let started = rig
        .pilot_log
        .iter()
        .rev()
        .find(|(_, p)| matches!(p, PilotOutput::Pwm { .. }));
    let pwm_on = started.unwrap().0;
    rig.input(Input::ExternalLimit {
        deciamps: Some(100),
    });
    rig.advance(100);
    assert_eq!(rig.duty(), Some(267), "too early for a change");
    let remaining = 5000 - rig.now.since(pwm_on);
    rig.advance(remaining - 20);
    assert_eq!(rig.duty(), Some(267));
    rig.advance(30);
    assert_eq!(rig.duty(), Some(167), "10 A after 5 s");
    let changed = rig.pilot_log.last().unwrap().0;
    rig.input(Input::ExternalLimit {
        deciamps: Some(130),
    });
    rig.advance(4900);
    assert_eq!(rig.duty(), Some(167));
    rig.advance(200);
    assert_eq!(rig.duty(), Some(217));
    let last = rig.pilot_log.last().unwrap().0;
    assert_eq!(last.since(changed), 5000);
}

// ----- duty cycle ↔ current -----------------------------------------------------------------

#[test]
fn duty_cycle_for_each_current_of_the_table() {
    // (limit in 0.1 A, duty in 0.1 %): 6 A 10 %, 10 A 16.67 %, 13 A 21.67 %, 16 A 26.67 %,
    // 20 A 33.33 %, 32 A 53.33 %.
    let rows = [
        (60, 100),
        (100, 167),
        (130, 217),
        (160, 267),
        (200, 333),
        (320, 533),
    ];
    for (deciamps, duty) in rows {
        let mut rig = Rig::new(130578); // 32 A single phase
        rig.charger.set_offline_cards(vec!["01020304".into()]);
        rig.input(Input::ExternalLimit {
            deciamps: Some(deciamps),
        });
        rig.start_charging();
        assert_eq!(rig.duty(), Some(duty), "{deciamps} dA");
        assert!(rig.has_event(|e| *e == Event::OfferedCurrent { deciamps }));
    }
}

#[test]
fn below_6_a_no_pwm_and_no_contactor() {
    let mut rig = Rig::halo();
    rig.input(Input::ExternalLimit { deciamps: Some(59) });
    rig.vehicle = Vehicle::B;
    rig.advance(200);
    rig.card(&[1, 2, 3, 4]);
    rig.advance(200);
    rig.vehicle = Vehicle::C;
    rig.advance(3000);
    assert_eq!(rig.pilot, PilotOutput::DcPlus12V);
    assert!(!rig.contactor);
    assert_eq!(rig.connector_status(), ConnectorStatus::SuspendedEvse);
    rig.input(Input::ExternalLimit { deciamps: Some(60) });
    rig.advance(200);
    assert_eq!(rig.duty(), Some(100));
    assert!(rig.contactor);
}

#[test]
fn the_limit_is_the_minimum_of_all_limits() {
    let mut rig = Rig::new(130578); // 32 A
    let snap = rig.charger.snapshot();
    assert_eq!(
        (snap.limit_deciamps, snap.limit_source),
        (320, limit::LimitSource::VariantRating)
    );
    let inst = Installation {
        max_current_a: 25,
        fuse_rating_a: 32,
        phases: 1,
        earthing: Earthing::TT,
    };
    rig.charger.set_installation(rig.now, inst).unwrap();
    assert_eq!(rig.charger.snapshot().limit_deciamps, 250);
    let inst = Installation {
        fuse_rating_a: 20,
        ..inst
    };
    rig.charger.set_installation(rig.now, inst).unwrap();
    assert_eq!(
        rig.charger.snapshot().limit_source,
        limit::LimitSource::Fuse
    );
    rig.input(Input::ExternalLimit {
        deciamps: Some(180),
    });
    assert_eq!(rig.charger.snapshot().limit_deciamps, 180);
    rig.temperature_tenth_c = 800; // derating: 32 A at 70 °C down to 6 A at 85 °C: 14.6 A
    rig.advance(50);
    let snap = rig.charger.snapshot();
    assert_eq!(
        snap.limit_source,
        limit::LimitSource::Temperature,
        "{snap:?}"
    );
    assert_eq!(snap.limit_deciamps, 146);
}

#[test]
fn installation_parameters_are_validated_against_the_variant() {
    let mut rig = Rig::new(130800); // 16 A single phase
    let before = rig.charger.installation();
    for bad in [
        Installation {
            max_current_a: 20,
            fuse_rating_a: 16,
            phases: 1,
            earthing: Earthing::TN,
        },
        Installation {
            max_current_a: 5,
            fuse_rating_a: 16,
            phases: 1,
            earthing: Earthing::TN,
        },
        Installation {
            max_current_a: 16,
            fuse_rating_a: 16,
            phases: 3,
            earthing: Earthing::TN,
        },
        Installation {
            max_current_a: 16,
            fuse_rating_a: 100,
            phases: 1,
            earthing: Earthing::IT,
        },
    ] {
        let err = rig.charger.set_installation(rig.now, bad).unwrap_err();
        assert!(!err.is_empty() && !err.contains('\n'));
        assert_eq!(
            rig.charger.installation(),
            before,
            "nothing changes on {bad:?}"
        );
    }
    let good = Installation {
        max_current_a: 10,
        fuse_rating_a: 16,
        phases: 1,
        earthing: Earthing::IT,
    };
    rig.charger.set_installation(rig.now, good).unwrap();
    rig.drain();
    assert!(rig.stores.contains(&StoreRequest::Installation(good)));
}

#[test]
fn temperature_derates_stops_and_resumes_with_hysteresis() {
    let mut rig = Rig::halo();
    rig.start_charging();
    rig.temperature_tenth_c = 860;
    rig.advance(100);
    assert_eq!(rig.pilot, PilotOutput::DcPlus12V, "stopped above 85 °C");
    rig.vehicle = Vehicle::B; // the EV follows x1
    rig.advance(200);
    assert!(!rig.contactor);
    rig.temperature_tenth_c = 820;
    rig.advance(6000);
    assert_eq!(rig.pilot, PilotOutput::DcPlus12V, "needs 5 °C of cooling");
    rig.temperature_tenth_c = 790;
    rig.advance(100);
    assert!(
        matches!(rig.pilot, PilotOutput::Pwm { .. }),
        "derating resumes PWM"
    );
    assert!(rig.duty().unwrap() < 267);
}

#[test]
fn the_boards_over_temperature_cut_out_suspends_the_session_until_it_clears() {
    let mut rig = Rig::halo();
    rig.start_charging();
    rig.temperature_tenth_c = 900;
    rig.board_says(BoardMessage::Fault {
        code: BoardFaultCode::OverTemperature,
        active: true,
        contactor_opened: true,
    });
    rig.advance(100);
    assert!(!rig.contactor);
    assert_eq!(
        rig.fault(),
        Some(Fault::Board(BoardFaultCode::OverTemperature))
    );
    assert_eq!(rig.connector_status(), ConnectorStatus::Faulted);
    rig.temperature_tenth_c = 250;
    rig.board_says(BoardMessage::Fault {
        code: BoardFaultCode::OverTemperature,
        active: false,
        contactor_opened: false,
    });
    rig.advance(1000);
    assert_eq!(rig.fault(), None);
    assert_eq!(rig.duty(), Some(267), "the same session offers 16 A again");
    assert!(rig.contactor, "and charges again");
    assert_eq!(rig.connector_status(), ConnectorStatus::Charging);
}

// ----- proximity pilot --------------------------------------------------------------------

#[test]
fn a_socket_without_a_pp_resistor_in_range_sees_no_vehicle() {
    let mut rig = Rig::with(
        variant::SOCKET_VARIANT,
        Settings::default(),
        Stored::default(),
    );
    rig.pp_ohms = Some(4700);
    rig.vehicle = Vehicle::C;
    rig.input(Input::RemoteStart {
        id_tag: "04A2B3C4".into(),
    });
    rig.advance(3000);
    assert!(
        !rig.has_event(|e| matches!(e, Event::SessionStarted { .. })),
        "no session without a cable"
    );
    assert_eq!(rig.charger.snapshot().pilot_state, PilotState::A);
    assert!(!rig.contactor);
    rig.vehicle = Vehicle::A;
    rig.advance(200);
    rig.pp_ohms = Some(220);
    rig.vehicle = Vehicle::C;
    rig.advance(500);
    assert_eq!(rig.charger.snapshot().pilot_state, PilotState::C);
}

#[test]
fn pp_ranges_of_both_tables() {
    // (table, ohms, cable amps; 0 = no charging, None = fault)
    let rows: &[(PpTable, u32, Option<u32>)] = &[
        (PpTable::Iec, 1500, Some(13)),
        (PpTable::Iec, 2200, Some(13)),
        (PpTable::Iec, 1000, Some(13)),
        (PpTable::Iec, 680, Some(20)),
        (PpTable::Iec, 331, Some(20)),
        (PpTable::Iec, 220, Some(32)),
        (PpTable::Iec, 150, Some(32)),
        (PpTable::Iec, 100, Some(63)),
        (PpTable::Iec, 75, Some(63)),
        (PpTable::Iec, 74, None),
        (PpTable::Iec, 2201, Some(0)),
        (PpTable::Everest, 2460, Some(13)),
        (PpTable::Everest, 936, Some(13)),
        (PpTable::Everest, 935, Some(20)),
        (PpTable::Everest, 308, Some(20)),
        (PpTable::Everest, 307, Some(32)),
        (PpTable::Everest, 140, Some(32)),
        (PpTable::Everest, 139, Some(63)),
        (PpTable::Everest, 80, Some(63)),
        (PpTable::Everest, 79, None),
        (PpTable::Everest, 2461, Some(0)),
        (PpTable::Everest, 2200, Some(13)),
        (PpTable::Iec, 2400, Some(0)),
    ];
    for &(table, ohms, amps) in rows {
        let settings = Settings {
            pp_table: table,
            ..Settings::default()
        };
        let mut rig = Rig::with(variant::SOCKET_VARIANT, settings, Stored::default());
        rig.pp_ohms = Some(ohms);
        rig.advance(200);
        let snap = rig.charger.snapshot();
        match amps {
            None => assert_eq!(
                snap.fault,
                Some(Fault::CableCodingBelowRange),
                "{table:?} {ohms}"
            ),
            Some(a) => {
                assert_eq!(snap.fault, None, "{table:?} {ohms}");
                // The socket variant is rated 32 A.
                assert_eq!(snap.limit_deciamps, a.min(32) * 10, "{table:?} {ohms} Ω");
            }
        }
    }
}

#[test]
fn socket_variant_locks_before_pwm_and_offers_the_cable_rating() {
    let mut rig = Rig::new(variant::SOCKET_VARIANT);
    rig.charger.set_offline_cards(vec!["01020304".into()]);
    rig.pp_ohms = Some(1500); // 13 A cable
    rig.start_charging();
    assert!(rig.lock);
    assert_eq!(rig.duty(), Some(217));
    rig.vehicle = Vehicle::B;
    rig.card(&[1, 2, 3, 4]); // stop with the same card
    rig.advance(200);
    assert!(!rig.contactor);
    assert!(!rig.lock, "unlocked once the session ended");
}

#[test]
fn the_snapshot_tells_the_commanded_lock_from_its_feedback() {
    // UnlockConnector trusts the feedback switch, not the command (OCTT TC_030).
    let mut rig = Rig::new(variant::SOCKET_VARIANT);
    rig.charger.set_offline_cards(vec!["01020304".into()]);
    rig.pp_ohms = Some(1500);
    rig.start_charging();
    let snap = rig.charger.snapshot();
    assert!(snap.lock_locked && snap.lock_engaged);
    rig.lock_jammed = true;
    rig.advance(50);
    let snap = rig.charger.snapshot();
    assert!(snap.lock_locked, "still commanded locked");
    assert!(!snap.lock_engaged, "the feedback says open");
}

#[test]
fn no_cable_in_the_socket_means_no_charging() {
    let mut rig = Rig::new(variant::SOCKET_VARIANT);
    rig.charger.set_offline_cards(vec!["01020304".into()]);
    rig.vehicle = Vehicle::B;
    rig.advance(200);
    rig.card(&[1, 2, 3, 4]);
    rig.vehicle = Vehicle::C;
    rig.advance(3000);
    assert!(!rig.contactor);
    assert_eq!(rig.pilot, PilotOutput::DcPlus12V);
}

// ----- residual current ---------------------------------------------------------------------

#[test]
fn six_ma_dc_trips_within_10_s_and_3_ma_never() {
    // (residual 0.1 mA, must trip within ms; None = must not trip in 60 s)
    let rows: [(u16, Option<u64>); 5] = [
        (30, None),
        (59, None),
        (60, Some(10_000)),
        (600, Some(300)),
        (2000, Some(100)),
    ];
    for (tenth_ma, within) in rows {
        let mut rig = Rig::halo();
        rig.start_charging();
        rig.residual_tenth_ma = tenth_ma;
        let t = rig.now;
        rig.advance(within.map_or(60_000, |w| w + 100));
        match within {
            None => assert!(rig.contactor, "{tenth_ma}: tripped"),
            Some(w) => {
                let opened = rig.last_contactor_change(false).expect("tripped");
                assert!(opened.since(t) <= w, "{tenth_ma}: {} ms", opened.since(t));
                assert_eq!(rig.fault(), Some(Fault::ResidualCurrentTrip));
                assert!(rig.has_event(|e| matches!(
                    e,
                    Event::SessionStopped {
                        reason: StopReason::EmergencyStop,
                        ..
                    }
                )));
            }
        }
    }
}

#[test]
fn the_trip_curve_comes_from_configuration() {
    let curve = vec![TripPoint {
        threshold_ma: 6.0,
        trip_after_ms: 9000,
    }];
    let settings = Settings {
        residual_trip_curve: curve,
        ..Settings::default()
    };
    let mut rig = Rig::with(130577, settings, Stored::default());
    rig.advance(200);
    rig.charger.set_offline_cards(vec!["01020304".into()]);
    rig.start_charging();
    rig.residual_tenth_ma = 65;
    rig.advance(8900);
    assert!(rig.contactor);
    rig.advance(200);
    assert!(!rig.contactor);
    let bad = vec![TripPoint {
        threshold_ma: 6.0,
        trip_after_ms: 10_001,
    }];
    assert!(Settings {
        residual_trip_curve: bad,
        ..Settings::default()
    }
    .validate()
    .is_err());
}

#[test]
fn after_a_trip_no_restart_until_the_vehicle_is_unplugged() {
    let mut rig = Rig::halo();
    rig.start_charging();
    rig.residual_tenth_ma = 80;
    rig.advance(2000);
    rig.residual_tenth_ma = 0;
    rig.card(&[1, 2, 3, 4]);
    rig.advance(10_000);
    assert!(!rig.contactor);
    assert_eq!(rig.connector_status(), ConnectorStatus::Faulted);
    rig.vehicle = Vehicle::A;
    rig.advance(500);
    assert_eq!(rig.connector_status(), ConnectorStatus::Available);
    rig.start_charging();
}

#[test]
fn self_test_at_start_up_and_before_each_session() {
    let mut rig = Rig::halo();
    assert_eq!(rig.self_tests_requested, 1, "start-up");
    rig.start_charging();
    assert_eq!(rig.self_tests_requested, 2, "before the session");
    rig.vehicle = Vehicle::A;
    rig.advance(200);
    rig.start_charging();
    assert_eq!(rig.self_tests_requested, 3, "before the next session");
}

#[test]
fn a_failed_or_missing_self_test_is_a_fault() {
    for answer in [SelfTestAnswer::Fail, SelfTestAnswer::Silent] {
        let mut rig = Rig::with(130577, Settings::default(), Stored::default());
        rig.self_test_answer = answer;
        rig.advance(5000);
        let snap = rig.charger.snapshot();
        assert!(!snap.ready, "{answer:?}");
        assert_eq!(snap.fault, Some(Fault::SelfTestFailed), "{answer:?}");
        assert_eq!(rig.pilot, PilotOutput::DcMinus12V);
        // It is retried and the charger recovers once the sensor works.
        rig.self_test_answer = SelfTestAnswer::Pass;
        rig.advance(31_000);
        assert!(rig.charger.snapshot().ready, "{answer:?}");
        assert_eq!(rig.connector_status(), ConnectorStatus::Available);
    }
}
