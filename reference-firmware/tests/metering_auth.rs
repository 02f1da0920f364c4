//! Metering (energy register, per-phase values), authorization (UIDs, the offline list, the
//! external authorizer hook, remote start/stop) and variants, through the core.

mod common;

use common::{Rig, Vehicle};
use reference_firmware::core::*;

#[test]
fn energy_register_grows_is_stored_and_continues_after_restart() {
    let mut rig = Rig::halo();
    rig.start_charging();
    rig.advance(20_000);
    let snap = rig.charger.snapshot();
    assert!(snap.meter.energy_wh >= 55, "{:?}", snap.meter);
    assert!((snap.meter.phases[0].voltage_v - 230.0).abs() < 0.01);
    assert!((snap.meter.phases[2].current_a - 16.0).abs() < 0.01);
    assert!((snap.meter.power_w - 11_040.0).abs() < 0.1);
    let stored: Vec<u64> = rig
        .stores
        .iter()
        .filter_map(|s| match s {
            StoreRequest::EnergyRegister { mwh } => Some(*mwh),
            _ => None,
        })
        .collect();
    assert!(
        stored.len() >= 3,
        "stored every 5 s while growing: {stored:?}"
    );
    assert!(stored.windows(2).all(|w| w[0] < w[1]));
    rig.vehicle = Vehicle::A;
    rig.advance(200);
    let stop_wh = rig.events.iter().find_map(|(_, e)| match e {
        Event::SessionStopped {
            meter_stop_wh,
            reason: StopReason::EvDisconnected,
            ..
        } => Some(*meter_stop_wh),
        _ => None,
    });
    assert_eq!(stop_wh, Some(rig.charger.snapshot().meter.energy_wh));
    let last = rig.charger.snapshot().meter.energy_wh;

    // A restarted controller continues from the stored register; a restarted board's
    // accumulator (starting at 0 again) does not make it go back.
    let stored_mwh = match rig
        .stores
        .iter()
        .rev()
        .find(|s| matches!(s, StoreRequest::EnergyRegister { .. }))
    {
        Some(StoreRequest::EnergyRegister { mwh }) => *mwh,
        _ => unreachable!(),
    };
    let mut rig2 = Rig::with(
        130577,
        Settings::default(),
        Stored {
            energy_mwh: stored_mwh,
            ..Stored::default()
        },
    );
    rig2.advance(200);
    assert_eq!(rig2.charger.snapshot().meter.energy_wh, last);
}

#[test]
fn uids_of_4_7_and_10_bytes_are_id_tags_others_are_refused() {
    let mut rig = Rig::halo();
    rig.charger
        .set_offline_cards(vec!["04a1b2c3d4e5f6".into(), "0102030405060708090A".into()]);
    rig.vehicle = Vehicle::B;
    rig.advance(200);
    rig.card(&[1, 2, 3]);
    assert!(rig.has_event(|e| matches!(e, Event::AuthorizationRejected { id_tag: None, reason } if reason.contains("4, 7 or 10"))));
    rig.card(&[0x04, 0xA1, 0xB2, 0xC3, 0xD4, 0xE5, 0xF6]);
    assert!(rig.has_event(
        |e| matches!(e, Event::SessionStarted { id_tag, .. } if id_tag == "04A1B2C3D4E5F6")
    ));
    rig.card(&[0x04, 0xA1, 0xB2, 0xC3, 0xD4, 0xE5, 0xF6]);
    rig.advance(100);
    assert!(rig.has_event(|e| matches!(
        e,
        Event::SessionStopped {
            reason: StopReason::Local,
            ..
        }
    )));
    let mut rig = Rig::halo();
    rig.card(&[9, 9, 9, 9]);
    assert!(rig.has_event(
        |e| matches!(e, Event::AuthorizationRejected { id_tag: Some(t), .. } if t == "09090909")
    ));
}

#[test]
fn external_authorizer_decides_and_ignores_the_offline_list() {
    let mut rig = Rig::halo();
    rig.input(Input::SetAuthMode(AuthMode::External));
    rig.vehicle = Vehicle::B;
    rig.advance(200);
    rig.card(&[1, 2, 3, 4]); // in the offline list, but the CSMS decides now
    assert!(rig.has_event(|e| *e
        == Event::AuthorizationRequested {
            id_tag: "01020304".into()
        }));
    assert!(!rig.has_event(|e| matches!(e, Event::SessionStarted { .. })));
    rig.input(Input::AuthorizationDecision {
        id_tag: "01020304".into(),
        accepted: false,
    });
    assert!(!rig.has_event(|e| matches!(e, Event::SessionStarted { .. })));
    rig.card(&[1, 2, 3, 4]);
    rig.input(Input::AuthorizationDecision {
        id_tag: "01020304".into(),
        accepted: true,
    });
    rig.advance(300);
    assert!(rig.has_event(|e| matches!(e, Event::SessionStarted { .. })));
    assert!(rig.duty().is_some());
}

#[test]
fn remote_start_before_plug_in_and_remote_stop() {
    let mut rig = Rig::halo();
    rig.input(Input::RemoteStart {
        id_tag: "remote-1".into(),
    });
    assert_eq!(rig.connector_status(), ConnectorStatus::Preparing);
    rig.vehicle = Vehicle::C;
    rig.advance(500);
    assert!(rig.contactor);
    assert_eq!(rig.connector_status(), ConnectorStatus::Charging);
    rig.input(Input::StopSession {
        reason: StopReason::Remote,
    });
    rig.vehicle = Vehicle::B;
    rig.advance(200);
    assert!(!rig.contactor);
    assert_eq!(rig.connector_status(), ConnectorStatus::Finishing);
    rig.vehicle = Vehicle::A;
    rig.advance(200);
    assert_eq!(rig.connector_status(), ConnectorStatus::Available);
}

#[test]
fn a_card_before_plug_in_expires() {
    let mut rig = Rig::halo();
    rig.card(&[1, 2, 3, 4]);
    rig.advance(61_000);
    assert_eq!(rig.connector_status(), ConnectorStatus::Available);
    rig.vehicle = Vehicle::C;
    rig.advance(1000);
    assert!(!rig.contactor);
}

#[test]
fn unavailable_means_state_f_and_no_sessions() {
    let mut rig = Rig::halo();
    rig.input(Input::SetAvailability { available: false });
    rig.advance(100);
    assert_eq!(rig.connector_status(), ConnectorStatus::Unavailable);
    assert_eq!(rig.pilot, board_link::PilotOutput::DcMinus12V);
    rig.card(&[1, 2, 3, 4]);
    assert!(rig.has_event(|e| matches!(e, Event::AuthorizationRejected { .. })));
}

#[test]
fn variants_from_product_numbers() {
    let rows = [
        (130577, Protocol::Ocpp16, 16, 3, true),
        (130578, Protocol::Ocpp16, 32, 1, true),
        (130800, Protocol::Ocpp16, 16, 1, true),
        (131134, Protocol::Ocpp16, 16, 3, true),
        (131114, Protocol::Ocpp16, 32, 1, true),
        (131133, Protocol::Ocpp16, 16, 1, true),
        (100307, Protocol::Capi, 16, 1, false),
        (100308, Protocol::Capi, 32, 1, false),
        (101082, Protocol::Capi, 16, 3, false),
    ];
    for (n, proto, amps, phases, lan) in rows {
        let v = Variant::from_product_number(n).unwrap();
        assert_eq!(
            (v.protocol, v.rated_current_a, v.phases, v.lan),
            (proto, amps, phases, lan),
            "{n}"
        );
        assert!(!v.has_socket());
    }
    let socket = Variant::from_product_number(variant::SOCKET_VARIANT).unwrap();
    assert!(socket.has_socket());
    assert!(Variant::from_product_number(1).is_none());
    // A CAPI unit boots and charges with the offline list.
    let mut rig = Rig::new(100308);
    rig.charger.set_offline_cards(vec!["01020304".into()]);
    rig.start_charging();
}

#[test]
fn lights_follow_the_state() {
    use board_link::LightPattern;
    use reference_firmware::core::lights::{lights_for, LightState};
    // Right after the board's Hello the self-test is running.
    let rig = Rig::with(130577, Settings::default(), Stored::default());
    assert_eq!(
        rig.lights,
        Some(lights_for(LightState::Booting)),
        "self-test running: {:?}",
        rig.charger.snapshot()
    );
    let mut rig = Rig::halo();
    let ready = rig.lights.unwrap();
    assert_eq!(ready, lights_for(LightState::Ready));
    assert_eq!(ready.0.pattern, LightPattern::Solid);
    assert_eq!(
        (ready.0.red, ready.0.green, ready.0.blue),
        (255, 255, 255),
        "solid white"
    );
    rig.vehicle = Vehicle::B;
    rig.advance(200);
    assert_eq!(rig.lights, Some(lights_for(LightState::VehicleConnected)));
    rig.start_charging();
    assert_eq!(rig.lights, Some(lights_for(LightState::Charging)));
    rig.input(Input::ExternalLimit { deciamps: Some(0) });
    rig.vehicle = Vehicle::B;
    rig.advance(200);
    assert_eq!(rig.lights, Some(lights_for(LightState::Paused)));
    rig.vehicle = Vehicle::ShortToPe;
    rig.advance(200);
    assert_eq!(rig.lights, Some(lights_for(LightState::Fault)));
    assert_eq!(rig.lights.unwrap().0.pattern, LightPattern::FastBlink);
}

#[test]
fn installation_through_an_input_is_answered_by_an_event() {
    let mut rig = Rig::new(130800);
    let bad = Installation {
        max_current_a: 32,
        fuse_rating_a: 32,
        phases: 1,
        earthing: Earthing::TT,
    };
    rig.input(Input::SetInstallation(bad));
    assert!(rig.has_event(|e| matches!(e, Event::InstallationRejected { reason } if reason.contains("max_current_a 32"))));
    let good = Installation {
        max_current_a: 13,
        ..bad
    };
    let good = Installation {
        fuse_rating_a: 16,
        ..good
    };
    rig.input(Input::SetInstallation(good));
    assert!(rig.has_event(|e| *e == Event::InstallationChanged(good)));
    assert_eq!(rig.charger.snapshot().limit_deciamps, 130);
    rig.input(Input::SetOfflineCards(vec!["aabbccdd".into()]));
    assert!(rig
        .stores
        .contains(&StoreRequest::OfflineCards(vec!["AABBCCDD".into()])));
}

#[test]
fn a_board_side_link_timeout_opens_and_leads_to_a_new_handshake() {
    let mut rig = Rig::halo();
    rig.start_charging();
    let tests_before = rig.self_tests_requested;
    rig.board_says(BoardMessage::Fault {
        code: BoardFaultCode::LinkTimeout,
        active: true,
        contactor_opened: true,
    });
    assert!(!rig.contactor);
    assert_eq!(rig.fault(), Some(Fault::BoardLinkLost));
    assert!(!rig.charger.snapshot().board_link_up);
    rig.advance(1500);
    assert!(!rig.contactor, "no closing while the board waits for Hello");
    rig.board_says(BoardMessage::Hello {
        board_id: "FAKE-1".into(),
        board_firmware: "1.0".into(),
    });
    rig.advance(300);
    assert_eq!(
        rig.self_tests_requested,
        tests_before + 1,
        "self-test after the new handshake"
    );
    assert_eq!(rig.fault(), None);
    assert_eq!(
        rig.connector_status(),
        ConnectorStatus::Finishing,
        "the session ended"
    );
}

#[test]
fn unavailable_during_a_session_takes_effect_when_it_ends() {
    let mut rig = Rig::halo();
    rig.start_charging();
    rig.input(Input::SetAvailability { available: false });
    rig.advance(1000);
    assert!(rig.contactor, "the running session continues");
    assert!(rig.duty().is_some());
    rig.vehicle = Vehicle::A;
    rig.advance(200);
    assert!(!rig.contactor);
    assert_eq!(rig.connector_status(), ConnectorStatus::Unavailable);
    assert_eq!(rig.pilot, board_link::PilotOutput::DcMinus12V);
}

#[test]
fn a_new_card_after_a_finished_session_starts_a_new_one() {
    let mut rig = Rig::halo();
    rig.start_charging();
    rig.card(&[1, 2, 3, 4]); // stop
    rig.vehicle = Vehicle::B;
    rig.advance(300);
    assert_eq!(rig.connector_status(), ConnectorStatus::Finishing);
    rig.card(&[1, 2, 3, 4]); // start again without unplugging
    rig.advance(300);
    let starts = rig
        .events
        .iter()
        .filter(|(_, e)| matches!(e, Event::SessionStarted { .. }))
        .count();
    assert_eq!(starts, 2);
    rig.vehicle = Vehicle::C;
    rig.advance(300);
    assert!(rig.contactor);
}
