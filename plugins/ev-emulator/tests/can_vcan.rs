//! The CAN transport against a scripted emulator on the virtual CAN interface `vcan0`.
//! Runs only where the kernel has `vcan0` (`ip link add dev vcan0 type vcan && ip link set up
//! vcan0`); elsewhere it prints that it was skipped and why.

#![cfg(target_os = "linux")]

mod support {
    pub mod abi_host;
}

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use ev_emulator::can_frame::{encode_measurement_reply, REQUEST_ID, STATUS_ID, TEXT_ID};
use plugin_api::kinds::ev_emulator as ev;
use serde_json::json;
use socketcan::{CanFrame, CanSocket, EmbeddedFrame, Frame, Socket, StandardId};

const INTERFACE: &str = "vcan0";

fn send(socket: &CanSocket, id: u16, data: &[u8]) {
    let frame = CanFrame::new(StandardId::new(id).unwrap(), data).unwrap();
    socket.write_frame(&frame).unwrap();
}

#[test]
fn plug_and_measure_over_vcan0() {
    if !std::path::Path::new("/sys/class/net")
        .join(INTERFACE)
        .exists()
    {
        println!("SKIPPED plug_and_measure_over_vcan0: no {INTERFACE} interface on this kernel");
        return;
    }
    let emulator = CanSocket::open(INTERFACE).expect("open vcan0");
    emulator
        .set_read_timeout(Duration::from_millis(20))
        .unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let stop2 = stop.clone();
    let responder = std::thread::spawn(move || {
        let mut state = 9.0;
        let mut seen = Vec::new();
        while !stop2.load(Ordering::SeqCst) {
            let Ok(frame) = emulator.read_frame() else {
                continue;
            };
            if frame.raw_id() != REQUEST_ID as u32 {
                continue;
            }
            let op = frame.data()[0];
            seen.push(op);
            match op {
                0x01 => {
                    send(&emulator, STATUS_ID, &[op, 0, 1, 0, 0, 0, 0, 0]);
                    send(&emulator, TEXT_ID, b"VCAN-EV\0");
                }
                0x20 => {
                    for (id, data) in encode_measurement_reply([
                        state, -12.0, 1000.0, 26.67, 230.0, 230.0, 230.0, 16.0, 16.0, 16.0,
                    ]) {
                        send(&emulator, id, &data);
                    }
                }
                0x12 => {
                    state = 6.0;
                    send(&emulator, STATUS_ID, &[op, 0, 0, 0, 0, 0, 0, 0]);
                }
                _ => send(&emulator, STATUS_ID, &[op, 0, 0, 0, 0, 0, 0, 0]),
            }
        }
        seen
    });
    let mut plugin = support::abi_host::open(
        ev_emulator::harness_plugin_v1,
        &json!({"transport": {"can": INTERFACE}, "timeout_ms": 500}),
    )
    .unwrap();
    plugin
        .call(ev::Plug {
            cable: ev::CableCoding::Tethered,
        })
        .unwrap();
    plugin
        .call(ev::SetState {
            state: ev::VehicleState::C,
        })
        .unwrap();
    let outcome = plugin
        .call(ev::WaitFor {
            condition: ev::PilotCondition::State {
                state: ev::CpState::C,
            },
            timeout_ms: 1000,
        })
        .unwrap();
    assert!(outcome.met);
    assert_eq!(outcome.sample.duty_percent, 26.67);
    plugin.close();
    stop.store(true, Ordering::SeqCst);
    let seen = responder.join().unwrap();
    assert_eq!(seen[0], 0x01);
    assert_eq!(*seen.last().unwrap(), 0x11, "close unplugs");
}

#[test]
fn a_missing_can_interface_is_named() {
    let e = support::abi_host::open(
        ev_emulator::harness_plugin_v1,
        &json!({"transport": {"can": "nocan7"}, "timeout_ms": 100}),
    )
    .err()
    .unwrap();
    assert!(
        e.starts_with("can nocan7: cannot open the CAN interface"),
        "{e}"
    );
}
