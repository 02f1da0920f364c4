//! The ev-emulator plugin against the emulated rig (rigs/sim), checked with the rig's ground
//! truth on its control channel.

mod support {
    pub mod abi_host;
}

use std::time::Duration;

use ev_emulator::line_link::LineLink;
use plugin_api::kinds::ev_emulator as ev;
use rig_sim::{Rig, RigConfig};
use serde_json::json;

/// One `key=value` of the control channel's `STATE?`.
fn truth(control: &mut LineLink, key: &str) -> String {
    let reply = control.request("STATE?").unwrap();
    reply
        .split_whitespace()
        .find_map(|kv| kv.strip_prefix(&format!("{key}=")))
        .unwrap_or_else(|| panic!("no {key} in {reply}"))
        .to_string()
}

#[test]
fn plug_state_fault_and_close_against_the_emulated_rig() {
    let rig = Rig::start(RigConfig::default()).unwrap();
    let mut control = LineLink::open_serial(
        rig.paths().control.to_str().unwrap(),
        115_200,
        Duration::from_secs(1),
        "\n",
    )
    .unwrap();
    let mut plugin = support::abi_host::open(
        ev_emulator::harness_plugin_v1,
        &json!({"transport": {"serial": rig.paths().ev}, "timeout_ms": 1000}),
    )
    .unwrap();
    // No charger controller on the board link: the board holds the pilot at -12 V.
    let m = plugin.call(ev::Measure {}).unwrap();
    assert_eq!(m.state, ev::CpState::F, "{m:?}");

    plugin
        .call(ev::Plug {
            cable: ev::CableCoding::Rated { amps: 32 },
        })
        .unwrap();
    assert_eq!(truth(&mut control, "vehicle"), "B");
    assert_eq!(
        truth(&mut control, "pp_ohms").parse::<f64>().unwrap(),
        220.0
    );
    plugin
        .call(ev::SetLoad {
            max_current_a: 16.0,
            phases: 3,
            power_factor: 0.99,
        })
        .unwrap();
    plugin
        .call(ev::SetState {
            state: ev::VehicleState::C,
        })
        .unwrap();
    assert_eq!(truth(&mut control, "vehicle"), "C");
    plugin
        .call(ev::InjectFault {
            fault: ev::PilotFault::DiodeShort,
        })
        .unwrap();
    let outcome = plugin
        .call(ev::WaitFor {
            condition: ev::PilotCondition::PwmOff,
            timeout_ms: 1000,
        })
        .unwrap();
    assert!(outcome.met);
    plugin
        .call(ev::Plug {
            cable: ev::CableCoding::Resistance { ohms: 2000.0 },
        })
        .unwrap();
    assert_eq!(
        truth(&mut control, "pp_ohms").parse::<f64>().unwrap(),
        2000.0
    );

    plugin.close();
    assert_eq!(truth(&mut control, "vehicle"), "A");
    rig.stop().unwrap();
}
