//! The rfid-emulator plugin against the emulated rig's ChameleonMini (rigs/sim), checked with
//! the rig's ground truth on its control channel.

#[path = "../../ev-emulator/tests/support/abi_host.rs"]
mod abi_host;

use std::time::Duration;

use plugin_api::kinds::rfid_emulator as rf;
use rfid_emulator::line_link::LineLink;
use rig_sim::{Rig, RigConfig};
use serde_json::json;

fn card_in_field(control: &mut LineLink) -> String {
    let reply = control.request("STATE?").unwrap();
    reply
        .split_whitespace()
        .find_map(|kv| kv.strip_prefix("rfid="))
        .unwrap_or_else(|| panic!("no rfid in {reply}"))
        .to_string()
}

#[test]
fn present_status_remove_and_close_against_the_emulated_rig() {
    let rig = Rig::start(RigConfig::default()).unwrap();
    let mut control = LineLink::open_serial(
        rig.paths().control.to_str().unwrap(),
        115_200,
        Duration::from_secs(1),
        "\n",
    )
    .unwrap();
    let mut plugin = abi_host::open(
        rfid_emulator::harness_plugin_v1,
        &json!({"transport": {"serial": rig.paths().rfid}, "timeout_ms": 1000}),
    )
    .unwrap();
    assert_eq!(card_in_field(&mut control), "none");
    for uid in ["04A2B3C4", "04A2B3C4D5E6F7", "04A2B3C4D5E6F70809AA"] {
        plugin
            .call(rf::PresentCard {
                uid_hex: uid.into(),
            })
            .unwrap();
        assert_eq!(card_in_field(&mut control), uid);
        let s = plugin.call(rf::CardStatus {}).unwrap();
        assert_eq!(s.uid_hex.as_deref(), Some(uid));
    }
    plugin.call(rf::RemoveCard {}).unwrap();
    assert_eq!(card_in_field(&mut control), "none");
    assert!(!plugin.call(rf::CardStatus {}).unwrap().present);
    plugin
        .call(rf::PresentCard {
            uid_hex: "DEADBEEF".into(),
        })
        .unwrap();
    plugin.close();
    assert_eq!(card_in_field(&mut control), "none");
    rig.stop().unwrap();
}
