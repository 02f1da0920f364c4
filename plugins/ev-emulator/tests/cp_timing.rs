//! Plugin-side timing accuracy: a scripted instrument flips the CP level at a known instant and
//! the plugin's `wait_for` reports when it saw the change. Prints the figures; run with
//! `cargo test -p ev-emulator --test cp_timing -- --nocapture`.
//!
//! The bound asserted is loose on purpose (tests do not assert speed): it catches a wrong
//! instant (a stale sample, a sample from the wrong side of the flip), not a slow machine.

mod support {
    pub mod abi_host;
    pub mod ev_instrument;
    pub mod line_server;
}

use std::sync::{Arc, Mutex};
use std::time::Duration;

use plugin_api::kinds::ev_emulator as ev;
use serde_json::json;
use support::abi_host;
use support::ev_instrument::{handler, Bench};
use support::line_server::LineServer;

const TRIALS: usize = 60;

#[test]
fn reported_instant_of_a_cp_flip_is_close_to_the_flip_over_a_pty() {
    let bench = Arc::new(Mutex::new(Bench::default()));
    let server = LineServer::on_pty(handler(bench.clone()));
    measure_flips("pty", json!({"serial": server.address}), bench);
}

#[test]
fn reported_instant_of_a_cp_flip_is_close_to_the_flip_over_tcp() {
    let bench = Arc::new(Mutex::new(Bench::default()));
    let server = LineServer::on_tcp(handler(bench.clone()));
    measure_flips("tcp", json!({"tcp": server.address}), bench);
}

fn measure_flips(link: &str, transport: serde_json::Value, bench: Arc<Mutex<Bench>>) {
    let mut plugin = abi_host::open(
        ev_emulator::harness_plugin_v1,
        &json!({"transport": transport, "timeout_ms": 500, "sample_period_ms": 2}),
    )
    .unwrap();
    plugin
        .call(ev::Plug {
            cable: ev::CableCoding::Tethered,
        })
        .unwrap();

    let mut errors_ms = Vec::with_capacity(TRIALS);
    for trial in 0..TRIALS {
        let target = if trial % 2 == 0 { 6.0 } else { 9.0 };
        // Flip at a moment unrelated to the sampler's rhythm.
        let delay = Duration::from_micros(20_000 + (trial as u64 * 7_919) % 30_000);
        let flipper = {
            let bench = bench.clone();
            std::thread::spawn(move || {
                std::thread::sleep(delay);
                let mut b = bench.lock().unwrap();
                b.cp_high_override = Some(target);
                plugin_api::now_us()
            })
        };
        let outcome = plugin
            .call(ev::WaitFor {
                condition: ev::PilotCondition::CpHigh {
                    volts: target,
                    tolerance: 0.5,
                },
                timeout_ms: 2000,
            })
            .unwrap();
        let flipped_us = flipper.join().unwrap();
        assert!(outcome.met, "trial {trial}: {outcome:?}");
        errors_ms.push((outcome.sample.t_us - flipped_us) as f64 / 1000.0);
    }
    plugin.close();

    let mean = errors_ms.iter().sum::<f64>() / errors_ms.len() as f64;
    let max_abs = errors_ms.iter().fold(0.0f64, |m, e| m.max(e.abs()));
    let mut sorted = errors_ms.clone();
    sorted.sort_by(f64::total_cmp);
    let p95 = sorted[(sorted.len() * 95) / 100 - 1];
    println!(
        "cp flip -> reported instant over {link}, {TRIALS} trials, 2 ms sample period: \
         mean {mean:.3} ms, p95 {p95:.3} ms, min {:.3} ms, max {:.3} ms, max |error| {max_abs:.3} ms",
        sorted[0],
        sorted[sorted.len() - 1]
    );
    assert!(
        sorted[0] > -50.0 && sorted[sorted.len() - 1] < 200.0,
        "reported instants are not the flip: {errors_ms:?}"
    );
}
