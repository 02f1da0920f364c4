//! What the OCPP link relies on in the charging core: after OCPP ended a transaction
//! (`StopSession`) with the vehicle still plugged in, a new `RemoteStart` (the next
//! transaction's `StartCharging`) starts a new session without an unplug.

mod common;

use common::{Rig, Vehicle};
use reference_firmware::core::{Event, Input, PilotOutput, StopReason};

#[test]
fn a_remote_start_after_a_finished_session_starts_a_new_one() {
    let mut rig = Rig::halo();
    rig.start_charging();
    rig.input(Input::StopSession {
        reason: StopReason::Remote,
    });
    rig.vehicle = Vehicle::B;
    rig.advance(500);
    assert!(!rig.contactor);
    assert!(rig.has_event(|e| matches!(e, Event::SessionStopped { .. })));
    rig.events.clear();
    rig.input(Input::RemoteStart {
        id_tag: "AABBCCDD".into(),
    });
    rig.advance(300);
    assert!(
        rig.has_event(
            |e| matches!(e, Event::SessionStarted { id_tag, .. } if id_tag == "AABBCCDD")
        ),
        "{:?}",
        rig.events
    );
    assert!(matches!(rig.pilot, PilotOutput::Pwm { .. }));
}
