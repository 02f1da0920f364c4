//! The power-analyser plugin against the emulated rig's WT300-style analyser (rigs/sim).

#[path = "../../ev-emulator/tests/support/abi_host.rs"]
mod abi_host;

use std::time::Duration;

use plugin_api::kinds::power_analyser as pa;
use rig_sim::{Rig, RigConfig};
use serde_json::json;

#[test]
fn identify_measure_integrate_and_sample_against_the_emulated_rig() {
    let rig = Rig::start(RigConfig::default()).unwrap();
    let mut plugin = abi_host::open(
        power_analyser::harness_plugin_v1,
        &json!({"transport": {"serial": rig.paths().analyser}, "timeout_ms": 1000}),
    )
    .unwrap();
    let idn = plugin.call(pa::Identify {}).unwrap().idn;
    assert!(idn.starts_with("RIG-SIM,WT300-SIM,"), "{idn}");
    // No charger controller: the contactor is open, nothing flows.
    let r = plugin
        .call(pa::MeasureElements {
            elements: vec![1, 2, 3],
        })
        .unwrap();
    assert_eq!(r.elements.len(), 3);
    assert!(r
        .elements
        .iter()
        .all(|e| e.current_a == 0.0 && e.power_w == 0.0));
    plugin.call(pa::IntegrationReset {}).unwrap();
    plugin.call(pa::IntegrationStart {}).unwrap();
    let e = plugin
        .call(pa::IntegrationRead {
            elements: vec![1, 2, 3],
        })
        .unwrap();
    assert_eq!(e.total_wh, 0.0);
    // Starting a running integrator is refused by the instrument: the error names it.
    let err = plugin.call(pa::IntegrationStart {}).unwrap_err();
    assert!(err.contains("refused `:INTEGrate:STARt`: -221"), "{err}");
    plugin
        .call(pa::StartSampling {
            elements: vec![1],
            interval_ms: 20,
        })
        .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    plugin.call(pa::StopSampling {}).unwrap();
    let samples = plugin
        .drain_record()
        .into_iter()
        .filter(|o| o.kind == "analyser_sample")
        .count();
    assert!(samples >= 3, "{samples} samples");
    plugin.close();

    // After close the integrator is stopped: a fresh session sees STOP.
    let mut again = abi_host::open(
        power_analyser::harness_plugin_v1,
        &json!({"transport": {"serial": rig.paths().analyser}, "timeout_ms": 1000}),
    )
    .unwrap();
    again.call(pa::IntegrationStart {}).unwrap();
    again.close();
    rig.stop().unwrap();
}
