//! Each seeded defect (feature `seeded-defects`) really breaks the behaviour it names, so the
//! conformance suite can prove it catches it. Run with
//! `cargo test -p reference-firmware --features seeded-defects --test seeded_defects`.
#![cfg(feature = "seeded-defects")]

mod common;

use common::{Rig, Vehicle};
use reference_firmware::core::*;

fn rig_with(defect: SeededDefect, product: u32) -> Rig {
    let mut cfg = ChargerConfig::new(Variant::from_product_number(product).unwrap());
    cfg.defects = Defects::new(&[defect]).unwrap();
    let mut rig = Rig::with_config(cfg, Stored::default());
    rig.advance(200);
    rig.charger.set_offline_cards(vec!["01020304".into()]);
    rig
}

#[test]
fn slow_contactor_opens_250_ms_after_c_to_b() {
    let mut rig = rig_with(SeededDefect::SlowContactorOpen, 130577);
    rig.start_charging();
    rig.vehicle = Vehicle::B;
    let t = rig.now;
    rig.advance(500);
    let opened = rig.last_contactor_change(false).unwrap().since(t);
    assert!(opened > 100, "opened after {opened} ms");
}

#[test]
fn duty_two_points_high() {
    let mut rig = rig_with(SeededDefect::DutyTwoPointsHigh, 130577);
    rig.start_charging();
    assert_eq!(rig.duty(), Some(287), "16 A must be 26.7 %");
}

#[test]
fn pp_13_a_read_as_20_a() {
    let mut rig = rig_with(SeededDefect::Pp13ReadAs20, variant::SOCKET_VARIANT);
    rig.pp_ohms = Some(1500);
    rig.start_charging();
    assert_eq!(rig.duty(), Some(333), "a 13 A cable must get 21.7 %");
}

#[test]
fn rcm_trips_only_at_12_ma() {
    let mut rig = rig_with(SeededDefect::RcmTripsAt12Ma, 130577);
    rig.start_charging();
    rig.residual_tenth_ma = 80;
    rig.advance(12_000);
    assert!(
        rig.contactor,
        "8 mA must trip within 10 s; the defect does not"
    );
}

#[test]
fn energy_three_percent_fast() {
    let mut rig = rig_with(SeededDefect::EnergyThreePercentFast, 130577);
    rig.start_charging();
    rig.advance(100_000);
    let mut good = Rig::halo();
    good.start_charging();
    good.advance(100_000);
    let fast = rig.charger.snapshot().meter.energy_wh as f64;
    let right = good.charger.snapshot().meter.energy_wh as f64;
    assert!(
        fast > right * 1.02,
        "register {fast} Wh, correct {right} Wh"
    );
}

#[test]
fn cp_pe_short_ignored_keeps_charging() {
    let mut rig = rig_with(SeededDefect::CpPeShortIgnored, 130577);
    rig.start_charging();
    rig.vehicle = Vehicle::ShortToPe;
    rig.advance(1_000);
    assert!(rig.contactor, "the defect must keep the contactor closed");
    assert_eq!(rig.fault(), None);
    let mut good = Rig::halo();
    good.start_charging();
    good.vehicle = Vehicle::ShortToPe;
    good.advance(1_000);
    assert!(!good.contactor, "a clean charger opens on a CP-PE short");
}

/// Whether the core reacted to a card the board's reader reported.
fn reacts_to_reader_card(rig: &mut Rig) -> bool {
    let before = rig.events.len();
    rig.board_says(board_link::BoardMessage::RfidCard {
        uid: vec![9, 8, 7, 6],
    });
    rig.advance(100);
    rig.events[before..].iter().any(|(_, e)| {
        matches!(
            e,
            Event::AuthorizationRequested { .. } | Event::AuthorizationRejected { .. }
        )
    })
}

#[test]
fn rfid_reader_dead_sees_no_card() {
    let mut rig = rig_with(SeededDefect::RfidReaderDead, 130577);
    assert!(!reacts_to_reader_card(&mut rig), "a dead reader saw a card");
    let mut good = Rig::halo();
    good.advance(200);
    assert!(reacts_to_reader_card(&mut good), "a clean charger sees it");
}

#[test]
fn uid_truncated_to_4_bytes() {
    let uid = [0x04, 0xA2, 0xB3, 0xC4, 0x5D, 0x6E, 0x7F];
    let tag_of = |rig: &mut Rig| {
        rig.card(&uid);
        rig.events.iter().rev().find_map(|(_, e)| match e {
            Event::AuthorizationRequested { id_tag } => Some(id_tag.clone()),
            Event::AuthorizationRejected { id_tag, .. } => id_tag.clone(),
            _ => None,
        })
    };
    let mut rig = rig_with(SeededDefect::UidTruncatedTo4Bytes, 130577);
    assert_eq!(tag_of(&mut rig).as_deref(), Some("04A2B3C4"));
    let mut good = Rig::halo();
    good.advance(200);
    assert_eq!(tag_of(&mut good).as_deref(), Some("04A2B3C45D6E7F"));
}

#[test]
fn installation_max_ignored() {
    let inst = Installation {
        max_current_a: 10,
        fuse_rating_a: 32,
        phases: 3,
        earthing: Earthing::TN,
    };
    let mut rig = rig_with(SeededDefect::InstallationMaxIgnored, 130577);
    rig.charger.set_installation(rig.now, inst).unwrap();
    assert_eq!(rig.charger.snapshot().limit_deciamps, 160, "16 A: rating");
    let mut good = Rig::halo();
    good.charger.set_installation(good.now, inst).unwrap();
    assert_eq!(good.charger.snapshot().limit_deciamps, 100, "10 A");
}

#[test]
fn l2_current_reads_3_percent_high() {
    let mut rig = rig_with(SeededDefect::L2CurrentGain3PercentHigh, 130577);
    rig.start_charging();
    rig.advance(3_000);
    let mut good = Rig::halo();
    good.start_charging();
    good.advance(3_000);
    let bad = rig.charger.snapshot().meter.phases;
    let right = good.charger.snapshot().meter.phases;
    assert!(right[1].current_a > 1.0, "no current: {right:?}");
    let ratio = bad[1].current_a / right[1].current_a;
    assert!((ratio - 1.03).abs() < 0.005, "L2 ratio {ratio}");
    assert_eq!(bad[0].current_a, right[0].current_a, "L1 unchanged");
}

#[test]
fn cable_limit_ignored() {
    let mut rig = rig_with(SeededDefect::CableLimitIgnored, variant::SOCKET_VARIANT);
    rig.pp_ohms = Some(1500);
    rig.start_charging();
    assert_ne!(rig.duty(), Some(217), "the defect must not limit to 13 A");
    let mut good = Rig::new(variant::SOCKET_VARIANT);
    good.charger.set_offline_cards(vec!["01020304".into()]);
    good.pp_ohms = Some(1500);
    good.start_charging();
    assert_eq!(good.duty(), Some(217), "a 13 A cable gets 21.7 %");
}
