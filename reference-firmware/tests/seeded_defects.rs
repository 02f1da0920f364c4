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
