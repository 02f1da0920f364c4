//! Property tests of the contactor's safety invariants: for any sequence of vehicle states,
//! cards, limits, residual currents and link losses,
//! - the contactor is never commanded closed outside C/D, without authorization, while
//!   faulted, before the session's self-test, or below 6 A;
//! - after a hard opening cause (pilot leaves C, state E, diode short, residual trip, link
//!   loss) it is commanded open within 100 ms of simulated time, and after a soft one (limit
//!   below 6 A) within the 6 s stop-under-load time.

mod common;

use common::{Rig, Vehicle};
use proptest::prelude::*;
use reference_firmware::core::*;

#[derive(Debug, Clone)]
enum Action {
    Vehicle(Vehicle),
    KnownCard,
    UnknownCard,
    Limit(Option<u32>),
    Residual(u16),
    BoardSilent(bool),
    RemoteStop,
    Available(bool),
    /// Socket variant only: the PP resistor (None = no cable).
    Pp(Option<u32>),
    LockJammed(bool),
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        4 => prop_oneof![
            Just(Vehicle::A),
            Just(Vehicle::B),
            Just(Vehicle::C),
            Just(Vehicle::D),
            Just(Vehicle::ShortToPe),
            Just(Vehicle::DiodeShortC),
        ]
        .prop_map(Action::Vehicle),
        3 => Just(Action::KnownCard),
        1 => Just(Action::UnknownCard),
        2 => prop_oneof![Just(None), (0u32..400).prop_map(Some)].prop_map(Action::Limit),
        1 => prop_oneof![Just(0u16), Just(30), Just(65), Just(700)].prop_map(Action::Residual),
        1 => any::<bool>().prop_map(Action::BoardSilent),
        1 => Just(Action::RemoteStop),
        1 => any::<bool>().prop_map(Action::Available),
    ]
}

fn duration() -> impl Strategy<Value = u64> {
    prop_oneof![4 => 10u64..400, 2 => 400u64..3000, 1 => 3000u64..12_000]
}

/// What the test knows independently of the core.
#[derive(Default)]
struct Model {
    /// Last time the vehicle input was C.
    last_c: Option<Millis>,
    /// Vehicle plugged in (not A) since.
    plugged_since: Option<Millis>,
    /// A known card was presented since the vehicle was last unplugged (or within 60 s before
    /// plug-in).
    known_card_at: Option<Millis>,
    /// Since when the residual current has been at least 6 mA.
    residual_since: Option<Millis>,
    /// Since when the board has been silent.
    silent_since: Option<Millis>,
    /// Since when the limit has been below 6 A.
    low_limit_since: Option<Millis>,
    /// Since when E or a diode short has been present.
    pilot_fault_since: Option<Millis>,
    /// A latched fault happened while plugged in: no closing until unplug.
    latched: bool,
    /// Socket variant: since when PP has been below the lowest range.
    pp_below_since: Option<Millis>,
    /// Socket variant: a cable with a valid coding is in the socket (always true when tethered).
    cable_ok: bool,
    /// Socket variant: since when the cable coding has been missing or invalid.
    cable_bad_since: Option<Millis>,
    socket: bool,
    /// Since when nothing has been connected: the pilot at A, or (socket) no cable in the
    /// socket. The core debounces the pilot, so a short A is no unplug (see `track_unplug`).
    unplugged_since: Option<Millis>,
    /// Since when an unplug has been visible to the charger (its pilot not held at -12 V).
    seen_unplugged_since: Option<Millis>,
    /// A vehicle (B, C or D) showed since the last unplug; a pilot shorted to PE alone is no
    /// vehicle, so a card shown before it still waits for the vehicle.
    vehicle_seen: bool,
    /// Since when something (vehicle or short) has been connected without a break.
    connected_since: Option<Millis>,
}

/// The core's pilot debounce (`pilot_debounce_ms`): an unplug shorter than this is never seen.
const UNPLUG_SURELY_UNSEEN_MS: u64 = 20;
/// Debounce plus three 10 ms board status periods: a change this long is always seen.
const UNPLUG_SURELY_SEEN_MS: u64 = 50;

/// Ends the model's session once an unplug has lasted long enough for the core to have seen
/// it. In between the two bounds the model takes the lenient side of each rule: the latch is
/// already off, the authorization still on, so that only a real violation fails.
fn track_unplug(rig: &Rig, m: &mut Model) {
    let no_cable = m.socket && rig.pp_ohms.is_none_or(|o| o > 2200);
    let unplugged = rig.vehicle == Vehicle::A || no_cable;
    if !unplugged {
        m.unplugged_since = None;
        m.seen_unplugged_since = None;
        let since = *m.connected_since.get_or_insert(rig.now);
        m.vehicle_seen |= rig.vehicle != Vehicle::ShortToPe
            && m.cable_ok
            && rig.now.since(since) >= UNPLUG_SURELY_SEEN_MS;
        if m.plugged_since.is_none() {
            m.plugged_since = Some(rig.now);
        }
        return;
    }
    m.connected_since = None;
    let since = *m.unplugged_since.get_or_insert(rig.now);
    if rig.now.since(since) >= UNPLUG_SURELY_UNSEEN_MS {
        m.latched = false;
    }
    // While the charger drives the pilot at -12 V (state F: unavailable, faulted) a vehicle
    // at A looks like one at B or C, so only a cable leaving the socket can be seen then.
    let visible = no_cable || rig.pilot != board_link::PilotOutput::DcMinus12V;
    if !visible {
        m.seen_unplugged_since = None;
        return;
    }
    let seen_since = *m.seen_unplugged_since.get_or_insert(rig.now);
    if rig.now.since(seen_since) >= UNPLUG_SURELY_SEEN_MS && m.plugged_since.take().is_some() {
        // Unplugged: the session and its authorization end (a card shown during the unplug
        // itself may already count for the next session).
        if m.vehicle_seen {
            m.known_card_at = m.known_card_at.filter(|&t| t > since);
        }
        m.vehicle_seen = false;
    }
}

fn check(rig: &Rig, m: &Model, closed_now: bool, closed_before: bool) -> Result<(), TestCaseError> {
    let now = rig.now;
    let older_than = |t: Option<Millis>, ms: u64| t.is_some_and(|t| now.since(t) > ms);
    if closed_now {
        prop_assert!(
            m.last_c.is_some_and(|t| now.since(t) <= 100),
            "closed although the vehicle left C more than 100 ms ago"
        );
        prop_assert!(
            !older_than(m.residual_since, 10_100),
            "closed after a 6 mA residual current lasted 10 s"
        );
        prop_assert!(
            !older_than(m.silent_since, 5_100),
            "closed 5 s after the board fell silent"
        );
        prop_assert!(
            !older_than(m.pilot_fault_since, 100),
            "closed with E or a shorted diode"
        );
        prop_assert!(
            !older_than(m.low_limit_since, 6_100),
            "closed 6 s after the limit fell below 6 A"
        );
        prop_assert!(
            rig.pilot != board_link::PilotOutput::DcMinus12V,
            "closed while the pilot is in state F"
        );
        prop_assert!(
            // A silent board reports no PP either; the 5 s link timeout bounds that case.
            m.silent_since.is_some() || !older_than(m.pp_below_since, 100),
            "closed with PP below range"
        );
    }
    if closed_now && !closed_before && m.socket {
        // The core sees PP in the board's status frames: a close decided on the frame before
        // the cable went is no violation; one after the change was surely seen is.
        prop_assert!(
            m.cable_ok || !older_than(m.cable_bad_since, UNPLUG_SURELY_SEEN_MS),
            "closed without a valid cable coding"
        );
        prop_assert!(
            rig.lock && !rig.lock_jammed,
            "closed with the lock not engaged"
        );
    }
    if closed_now && !closed_before {
        prop_assert!(
            !m.latched,
            "closed again before the vehicle was unplugged after a trip"
        );
        prop_assert!(m.known_card_at.is_some(), "closed without authorization");
        prop_assert!(m.low_limit_since.is_none(), "closed with a limit below 6 A");
        // The core learns of a silent board only from missing status frames (100 per second),
        // so a close decided on the last frames before the silence is no violation; one after
        // 100 ms of silence is (the pilot may have changed unseen).
        prop_assert!(
            !older_than(m.silent_since, 100),
            "closed after the board had been silent for 100 ms"
        );
        let plugged = m.plugged_since.expect("closed with no vehicle");
        prop_assert!(
            rig.last_self_test_pass.is_some_and(|t| t >= plugged),
            "closed before the session's self-test passed"
        );
    }
    Ok(())
}

fn apply(rig: &mut Rig, m: &mut Model, a: &Action) {
    let now = rig.now;
    match a {
        Action::Vehicle(v) => {
            rig.vehicle = *v;
            track_unplug(rig, m);
        }
        Action::KnownCard => {
            m.known_card_at = Some(now);
            rig.card(&[1, 2, 3, 4]);
        }
        Action::UnknownCard => rig.card(&[9, 9, 9, 9, 9, 9, 9]),
        Action::Limit(l) => {
            let low = l.is_some_and(|l| l < 60);
            match (low, m.low_limit_since) {
                (true, None) => m.low_limit_since = Some(now),
                (false, _) => m.low_limit_since = None,
                _ => {}
            }
            rig.input(Input::ExternalLimit { deciamps: *l });
        }
        Action::Residual(r) => {
            match (*r >= 60, m.residual_since) {
                (true, None) => m.residual_since = Some(now),
                (false, _) => m.residual_since = None,
                _ => {}
            }
            rig.residual_tenth_ma = *r;
        }
        Action::BoardSilent(s) => {
            match (*s, m.silent_since) {
                (true, None) => m.silent_since = Some(now),
                (false, _) => m.silent_since = None,
                _ => {}
            }
            rig.board_silent = *s;
        }
        Action::RemoteStop => rig.input(Input::StopSession {
            reason: StopReason::Remote,
        }),
        Action::Available(a) => rig.input(Input::SetAvailability { available: *a }),
        Action::Pp(ohms) => {
            let below = ohms.is_some_and(|o| o < 75);
            match (below, m.pp_below_since) {
                (true, None) => m.pp_below_since = Some(now),
                (false, _) => m.pp_below_since = None,
                _ => {}
            }
            m.cable_ok = ohms.is_some_and(|o| (75..=2200).contains(&o));
            match (m.cable_ok, m.cable_bad_since) {
                (false, None) => m.cable_bad_since = Some(now),
                (true, _) => m.cable_bad_since = None,
                _ => {}
            }
            rig.pp_ohms = *ohms;
            track_unplug(rig, m);
        }
        Action::LockJammed(j) => rig.lock_jammed = *j,
    }
}

fn socket_action() -> impl Strategy<Value = Action> {
    prop_oneof![
        6 => action(),
        2 => prop_oneof![Just(None), Just(Some(50u32)), Just(Some(680)), Just(Some(1500)), Just(Some(5000))]
            .prop_map(Action::Pp),
        1 => any::<bool>().prop_map(Action::LockJammed),
    ]
}

fn run_script(mut rig: Rig, mut m: Model, script: &[(Action, u64)]) -> Result<(), TestCaseError> {
    for (a, dur) in script {
        apply(&mut rig, &mut m, a);
        let mut left = *dur;
        while left > 0 {
            let step = left.min(10);
            let before = rig.contactor;
            rig.advance(step);
            left -= step;
            track_unplug(&rig, &mut m);
            let now = rig.now;
            // While the board is silent the core cannot see the pilot; the 5 s link timeout
            // bounds that case instead.
            if matches!(rig.vehicle, Vehicle::C | Vehicle::DiodeShortC) || rig.board_silent {
                m.last_c = Some(now);
            }
            // A shorted diode only shows under PWM (no −12 V half-wave); E shows always.
            let pwm = matches!(rig.pilot, board_link::PilotOutput::Pwm { .. });
            // While the charger holds the pilot at -12 V (unavailable) nothing can charge and
            // the core does not judge the pilot, so a short then is no fault to latch.
            let judged = rig.pilot != board_link::PilotOutput::DcMinus12V;
            let pilot_fault = judged
                && (rig.vehicle == Vehicle::ShortToPe
                    || (rig.vehicle == Vehicle::DiodeShortC && pwm))
                && !rig.board_silent;
            match (pilot_fault, m.pilot_fault_since) {
                (true, None) => m.pilot_fault_since = Some(now),
                (false, _) => m.pilot_fault_since = None,
                _ => {}
            }
            // Faults the core must latch until unplug, once they lasted long enough.
            let older = |t: Option<Millis>, ms: u64| t.is_some_and(|t| now.since(t) > ms);
            if m.plugged_since.is_some()
                && (older(m.residual_since, 10_100) || older(m.pilot_fault_since, 100))
            {
                m.latched = true;
            }
            check(&rig, &m, rig.contactor, before)?;
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn contactor_safety_invariants(script in proptest::collection::vec((action(), duration()), 1..16)) {
        let m = Model { cable_ok: true, ..Model::default() };
        run_script(Rig::halo(), m, &script)?;
    }

    #[test]
    fn contactor_safety_invariants_socket_variant(
        script in proptest::collection::vec((socket_action(), duration()), 1..16)
    ) {
        let mut rig = Rig::new(variant::SOCKET_VARIANT);
        rig.charger.set_offline_cards(vec!["01020304".into()]);
        rig.pp_ohms = Some(680);
        rig.drain();
        let m = Model { cable_ok: true, socket: true, ..Model::default() };
        run_script(rig, m, &script)?;
    }
}
