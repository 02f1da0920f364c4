//! The ev-emulator plugin driven through its C table against a scripted instrument on a
//! pseudo-terminal (and once over TCP), including the ways an instrument fails.

mod support {
    pub mod abi_host;
    pub mod dylib;
    pub mod ev_instrument;
    pub mod line_server;
}

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use plugin_api::kinds::ev_emulator as ev;
use serde_json::json;
use support::abi_host::{self, AbiInstance};
use support::ev_instrument::{handler, Bench, SharedBench};
use support::line_server::LineServer;

fn bench() -> SharedBench {
    Arc::new(Mutex::new(Bench::default()))
}

fn open_on(server: &LineServer, timeout_ms: u64) -> Result<AbiInstance, String> {
    abi_host::open(
        ev_emulator::harness_plugin_v1,
        &json!({"transport": {"serial": server.address}, "timeout_ms": timeout_ms}),
    )
}

/// The commands other than the sampler's `MEAS?`.
fn commands(server: &LineServer) -> Vec<String> {
    server
        .commands()
        .into_iter()
        .filter(|c| c != "MEAS?")
        .collect()
}

#[test]
fn plug_charge_measure_and_record() {
    let b = bench();
    let server = LineServer::on_pty(handler(b.clone()));
    let mut plugin = open_on(&server, 500).unwrap();
    plugin
        .call(ev::Plug {
            cable: ev::CableCoding::Rated { amps: 32 },
        })
        .unwrap();
    plugin
        .call(ev::SetLoad {
            max_current_a: 16.0,
            phases: 3,
            power_factor: 0.98,
        })
        .unwrap();
    let before = plugin_api::now_us();
    let ack = plugin
        .call(ev::SetState {
            state: ev::VehicleState::C,
        })
        .unwrap();
    assert!(ack.at_us >= before);
    b.lock().unwrap().supply_on = true;
    let m = plugin.call(ev::Measure {}).unwrap();
    assert_eq!(m.state, ev::CpState::C);
    assert_eq!(m.supply_v, [230.0; 3]);
    assert_eq!(m.current_a, [16.0; 3]);
    assert_eq!(
        commands(&server),
        ["*IDN?", "PLUG A=32", "LOAD 16.000 3 0.980", "STATE C"]
    );
    let seen = plugin
        .call(ev::WaitFor {
            condition: ev::PilotCondition::CurrentAtLeast { amps: 16.0 },
            timeout_ms: 1000,
        })
        .unwrap();
    assert!(seen.met);
    let record = plugin.drain_record();
    assert!(record.iter().any(|o| o.kind == "cp_sample"));
    assert!(record.iter().any(|o| o.kind == "ev_wait"));
    assert_eq!(record.iter().filter(|o| o.kind == "ev_command").count(), 4);
    assert!(plugin.drain_record().iter().all(|o| o.kind != "ev_command"));
    plugin.close();
}

#[test]
fn wait_for_reports_when_the_condition_became_true() {
    let b = bench();
    let server = LineServer::on_pty(handler(b.clone()));
    let mut plugin = open_on(&server, 500).unwrap();
    plugin
        .call(ev::Plug {
            cable: ev::CableCoding::Tethered,
        })
        .unwrap();
    let charger = {
        let b = b.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(150));
            b.lock().unwrap().duty = Some(26.67);
        })
    };
    let outcome = plugin
        .call(ev::WaitFor {
            condition: ev::PilotCondition::DutyCycle {
                percent: 26.7,
                tolerance: 0.5,
            },
            timeout_ms: 3000,
        })
        .unwrap();
    charger.join().unwrap();
    assert!(outcome.met);
    assert_eq!(outcome.sample.duty_percent, 26.67);
    assert!(
        outcome.since_last_command_ms >= 140.0 && outcome.since_last_command_ms < 1000.0,
        "{outcome:?}"
    );
    // Already true: met at once, with the first sample after the command.
    let again = plugin
        .call(ev::WaitFor {
            condition: ev::PilotCondition::State {
                state: ev::CpState::B,
            },
            timeout_ms: 1000,
        })
        .unwrap();
    assert!(again.met);
    // Never true: not an error, the last sample comes back.
    let t0 = Instant::now();
    let never = plugin
        .call(ev::WaitFor {
            condition: ev::PilotCondition::SupplyOn,
            timeout_ms: 200,
        })
        .unwrap();
    assert!(!never.met);
    assert!(never.waited_ms >= 200.0 && t0.elapsed() < Duration::from_secs(2));
    assert_eq!(never.sample.supply_v, [0.0; 3]);
    plugin.close();
}

#[test]
fn refused_and_invalid_commands_are_errors_naming_the_port() {
    let server = LineServer::on_pty(handler(bench()));
    let mut plugin = open_on(&server, 500).unwrap();
    let e = plugin
        .call(ev::SetState {
            state: ev::VehicleState::C,
        })
        .unwrap_err();
    assert!(e.contains(&server.address) && e.contains("ERR 102"), "{e}");
    let e = plugin
        .call(ev::Plug {
            cable: ev::CableCoding::Rated { amps: 16 },
        })
        .unwrap_err();
    assert!(e.contains("not one of 13, 20, 32, 63"), "{e}");
    assert!(!commands(&server).iter().any(|c| c.starts_with("PLUG")));
    let e = plugin.call_raw("fly", "{}").unwrap_err();
    assert!(e.1.contains("unknown method `fly`"), "{e:?}");
    plugin.close();
}

#[test]
fn close_leaves_the_vehicle_unplugged_with_faults_cleared() {
    let b = bench();
    let server = LineServer::on_pty(handler(b.clone()));
    let mut plugin = open_on(&server, 500).unwrap();
    plugin
        .call(ev::Plug {
            cable: ev::CableCoding::Resistance { ohms: 220.0 },
        })
        .unwrap();
    plugin
        .call(ev::InjectFault {
            fault: ev::PilotFault::DiodeShort,
        })
        .unwrap();
    plugin.call(ev::SetResidualCurrent { dc_ma: 6.0 }).unwrap();
    plugin.close();
    let sent = commands(&server);
    assert_eq!(
        &sent[sent.len() - 3..],
        ["FAULT NONE", "RCD 0.000", "UNPLUG"]
    );
    assert!(!b.lock().unwrap().plugged);
}

#[test]
fn missing_port_and_bad_configuration() {
    let e = abi_host::open(
        ev_emulator::harness_plugin_v1,
        &json!({"transport": {"serial": "/dev/no-such-port"}}),
    )
    .err()
    .unwrap();
    assert!(
        e.contains("/dev/no-such-port") && e.contains("cannot open"),
        "{e}"
    );
    let e = abi_host::open(
        ev_emulator::harness_plugin_v1,
        &json!({"transport": {"serial": "/dev/x"}, "timeout": 5}),
    )
    .err()
    .unwrap();
    assert!(e.contains("unknown field `timeout`"), "{e}");
}

#[test]
fn silent_instrument_times_out_naming_port_and_command() {
    let b = bench();
    b.lock().unwrap().silent = true;
    let server = LineServer::on_pty(handler(b));
    let t0 = Instant::now();
    let e = open_on(&server, 200).err().unwrap();
    assert!(t0.elapsed() < Duration::from_secs(2));
    assert!(
        e.contains(&server.address) && e.contains("no answer within 200 ms") && e.contains("*IDN?"),
        "{e}"
    );
}

#[test]
fn garbled_replies_are_errors() {
    let b = bench();
    b.lock().unwrap().garble = Some("HELLO WORLD".into());
    let server = LineServer::on_pty(handler(b.clone()));
    let e = open_on(&server, 200).err().unwrap();
    assert!(e.contains("garbled reply \"HELLO WORLD\""), "{e}");

    // A MEAS? reply with the wrong number of fields, mid-run.
    let b = bench();
    let server = LineServer::on_pty(handler(b.clone()));
    let mut plugin = open_on(&server, 200).unwrap();
    b.lock().unwrap().garble = Some("OK 1 2 3".into());
    let e = plugin.call(ev::Measure {}).unwrap_err();
    assert!(e.contains("expected 10"), "{e}");
    let e = plugin
        .call(ev::WaitFor {
            condition: ev::PilotCondition::PwmOn,
            timeout_ms: 1000,
        })
        .unwrap_err();
    assert!(
        e.contains("while waiting for") && e.contains("expected 10"),
        "{e}"
    );
    plugin.close();
}

#[test]
fn port_vanishing_mid_run_fails_fast() {
    let b = bench();
    let mut server = LineServer::on_pty(handler(b.clone()));
    let mut plugin = open_on(&server, 300).unwrap();
    server.stop_now();
    server.keep_alive = None;
    let t0 = Instant::now();
    let e = plugin
        .call(ev::Plug {
            cable: ev::CableCoding::Tethered,
        })
        .unwrap_err();
    assert!(e.contains(&server.address), "{e}");
    let e = plugin
        .call(ev::WaitFor {
            condition: ev::PilotCondition::PwmOn,
            timeout_ms: 5000,
        })
        .unwrap_err();
    assert!(e.contains(&server.address), "{e}");
    plugin.close();
    assert!(t0.elapsed() < Duration::from_secs(3));
}

#[test]
fn works_over_tcp() {
    let b = bench();
    let server = LineServer::on_tcp(handler(b.clone()));
    let mut plugin = abi_host::open(
        ev_emulator::harness_plugin_v1,
        &json!({"transport": {"tcp": server.address}, "timeout_ms": 500}),
    )
    .unwrap();
    plugin
        .call(ev::Plug {
            cable: ev::CableCoding::Tethered,
        })
        .unwrap();
    assert_eq!(plugin.call(ev::Measure {}).unwrap().state, ev::CpState::B);
    plugin.close();
    assert!(!b.lock().unwrap().plugged);
}

#[test]
fn loaded_as_a_shared_library_like_the_harness_does() {
    let plugin = support::dylib::load("ev_emulator");
    let (abi, name, version, kind) = abi_host::describe(plugin.entry);
    assert_eq!(
        (abi, name.as_str(), kind.as_str()),
        (1, "ev-emulator", "ev-emulator")
    );
    assert_eq!(version, env!("CARGO_PKG_VERSION"));
    let b = bench();
    let server = LineServer::on_pty(handler(b.clone()));
    let mut instance = abi_host::open(
        plugin.entry,
        &json!({"transport": {"serial": server.address}, "timeout_ms": 500}),
    )
    .unwrap_or_else(|e| panic!("{}: {e}", plugin.path.display()));
    instance
        .call(ev::Plug {
            cable: ev::CableCoding::Tethered,
        })
        .unwrap();
    assert!(b.lock().unwrap().plugged);
    instance.close();
    assert!(!b.lock().unwrap().plugged);
}
