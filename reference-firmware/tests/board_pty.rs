//! The shell's board link over a pseudo-terminal pair: handshake, framing errors, checksum
//! errors, an unknown version, an unknown message type, link loss and recovery, each handled as
//! BOARD_LINK.md section 5 says.

mod common;

use std::time::Duration;

use board_link::{encode_frame_raw, ControllerMessage, FrameError, PilotOutput, PROTOCOL_VERSION};
use common::pty_board::PtyBoard;
use reference_firmware::core::{ChargerConfig, Event, Stored, Variant};
use reference_firmware::shell::board::BoardPort;
use reference_firmware::shell::runtime::{run, CoreHandle, RunConfig};
use reference_firmware::shell::storage::StateDir;
use serialport::TTYPort;
use tokio::sync::broadcast;

fn drain(events: &mut broadcast::Receiver<Event>, into: &mut Vec<Event>) {
    while let Ok(e) = events.try_recv() {
        into.push(e);
    }
}

#[test]
fn board_link_over_a_pty() {
    let (master, slave) = TTYPort::pair().expect("pty pair");
    let dir = tempfile::tempdir().unwrap();
    let state = StateDir::open(dir.path()).unwrap();
    let cfg = RunConfig {
        charger: ChargerConfig::new(Variant::from_product_number(130577).unwrap()),
        stored: Stored::default(),
        state,
        csms: None,
        print_ready: false,
    };
    let port = BoardPort::from_port(slave, "pty").unwrap();
    let (handle, input_rx) = CoreHandle::new();
    let mut events = handle.events.subscribe();
    let snapshot = handle.snapshot.subscribe();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let firmware = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(run(cfg, port, (handle, input_rx), async {
            let _ = stop_rx.await;
        }))
    });
    let mut board = PtyBoard::new(master);
    let mut seen = Vec::new();

    // Handshake: Hello, our Hello, the self-test, then idle.
    board
        .wait_for(Duration::from_secs(3), |m| {
            matches!(m, ControllerMessage::Hello { .. })
        })
        .expect("controller Hello");
    board.status_on = true;
    board
        .wait_for(Duration::from_secs(3), |m| {
            *m == ControllerMessage::SetPilot(PilotOutput::DcPlus12V)
        })
        .expect("pilot +12 V once ready");
    // The firmware writes the frame before it publishes the events of the same evaluation.
    board.pump(Duration::from_millis(200));
    drain(&mut events, &mut seen);
    assert!(seen.contains(&Event::Ready), "{seen:?}");
    let snap = snapshot.borrow().clone().expect("a snapshot");
    assert!(snap.ready && snap.board_link_up, "{snap:?}");

    // Bad frames: each reported with its kind, none disturbs the link.
    // A valid Status frame whose last CRC byte is flipped (re-encoded, so COBS is intact).
    let good = encode_frame_raw(PROTOCOL_VERSION, 1, 0x82, &[0; 17]);
    let mut raw = board_link::cobs::decode(&good[..good.len() - 1]).unwrap();
    *raw.last_mut().unwrap() ^= 0x01;
    let mut corrupted = Vec::new();
    board_link::cobs::encode(&raw, &mut corrupted);
    corrupted.push(0);
    board.send_raw(&[0x13, 0x37, 0x00]);
    board.send_raw(&corrupted);
    board.send_raw(&encode_frame_raw(2, 2, 0x82, &[0; 17]));
    board.send_raw(&encode_frame_raw(PROTOCOL_VERSION, 3, 0xF0, &[]));
    board.pump(Duration::from_millis(500));
    drain(&mut events, &mut seen);
    let errors: Vec<_> = seen
        .iter()
        .filter_map(|e| match e {
            Event::BoardFrameRejected { error, .. } => Some(error.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(errors.len(), 4, "{errors:?}");
    assert_eq!(errors[0], FrameError::Framing);
    assert!(
        matches!(errors[1], FrameError::Checksum { .. }),
        "{errors:?}"
    );
    assert_eq!(errors[2], FrameError::UnknownVersion { version: 2 });
    assert_eq!(errors[3], FrameError::UnknownMessage { type_id: 0xF0 });
    assert!(!seen.contains(&Event::BoardLinkLost));

    // Link loss: only bad frames for 5 s are no sign of life.
    board.status_on = false;
    board.auto_answer = false;
    let silent_from = std::time::Instant::now();
    let mut lost_after = None;
    while silent_from.elapsed() < Duration::from_secs(7) && lost_after.is_none() {
        board.send_raw(&corrupted);
        board.pump(Duration::from_millis(250));
        drain(&mut events, &mut seen);
        if seen.contains(&Event::BoardLinkLost) {
            lost_after = Some(silent_from.elapsed());
        }
    }
    let lost_after = lost_after.expect("link loss detected");
    assert!(
        lost_after >= Duration::from_millis(4800) && lost_after <= Duration::from_millis(5600),
        "lost after {lost_after:?}"
    );
    // Safe state commanded, then Hello every second until the board answers.
    let lost_at = silent_from + lost_after;
    board.pump(Duration::from_millis(2300));
    let after: Vec<_> = board
        .received
        .iter()
        .filter(|(t, _)| *t + Duration::from_millis(300) >= lost_at)
        .map(|(_, m)| m.clone())
        .collect();
    assert!(
        after.contains(&ControllerMessage::SetContactor { closed: false }),
        "{after:?}"
    );
    assert!(
        after.contains(&ControllerMessage::SetPilot(PilotOutput::DcMinus12V)),
        "{after:?}"
    );
    let hellos = after
        .iter()
        .filter(|m| matches!(m, ControllerMessage::Hello { .. }))
        .count();
    assert!(
        (2..=4).contains(&hellos),
        "{hellos} Hellos in about 2.5 s: {after:?}"
    );
    assert!(
        !after
            .iter()
            .any(|m| matches!(m, ControllerMessage::SetPilot(PilotOutput::Pwm { .. }))),
        "{after:?}"
    );

    // Recovery: the board answers; the self-test runs again before anything else.
    board.auto_answer = true;
    board.status_on = true;
    board
        .wait_for(Duration::from_secs(3), |m| {
            *m == ControllerMessage::StartRcmSelfTest
        })
        .expect("self-test after the link came back");
    board.pump(Duration::from_millis(300));
    drain(&mut events, &mut seen);
    assert!(
        seen.iter()
            .filter(|e| matches!(e, Event::BoardConnected { .. }))
            .count()
            >= 2
    );

    board.status_on = false;
    stop_tx.send(()).unwrap();
    // On shutdown the board is left safe.
    board.pump(Duration::from_millis(300));
    firmware.join().unwrap().unwrap();
    let tail: Vec<_> = board
        .received
        .iter()
        .rev()
        .take(2)
        .map(|(_, m)| m.clone())
        .collect();
    assert!(
        tail.contains(&ControllerMessage::SetPilot(PilotOutput::DcMinus12V)),
        "{tail:?}"
    );
}
