//! Each instrument protocol driven over its pseudo-terminal, by clients written from
//! plugins/ev-emulator/PROTOCOL.md and rigs/sim/INSTRUMENTS.md.

mod common;

use common::{meas, truth, LineClient};
use rig_sim::{Rig, RigConfig};
use std::time::Duration;

#[test]
fn ev_emulator_protocol() {
    let rig = Rig::start(RigConfig::default()).unwrap();
    let mut ev = LineClient::open(&rig.paths().ev);
    assert!(ev.ask("*IDN?").starts_with("OK RIG-SIM,EV-EMULATOR,"));
    assert!(ev.ask("STATE C").starts_with("ERR 102 "));
    assert_eq!(ev.ask("PLUG A=20"), "OK");
    assert_eq!(ev.ask("plug?"), "OK R=680");
    assert_eq!(ev.ask("STATE C"), "OK");
    assert_eq!(ev.ask("LOAD 16 1 0.95"), "OK");
    assert!(ev.ask("LOAD 16 1").starts_with("ERR 101 "));
    assert!(ev.ask("FAULT SMOKE").starts_with("ERR 101 "));
    assert!(ev.ask("HONK").starts_with("ERR 100 "));
    // An empty line gets no reply: the next reply belongs to the next command.
    ev.send("\r\n");
    assert_eq!(ev.ask("STATE?"), "OK C");
    // No controller on the board link: the board holds the pilot at -12 V (state F).
    let m = meas(&ev.ask("MEAS?"));
    assert_eq!(&m[..4], &[-12.0, -12.0, 0.0, 0.0]);
    assert_eq!(&m[4..], &[0.0; 6]);
    // A CR before the LF is ignored.
    ev.send("UNPLUG\r\n");
    assert_eq!(ev.read_line(), "OK");
    rig.stop().unwrap();
}

#[test]
fn power_analyser_scpi() {
    let rig = Rig::start(RigConfig::default()).unwrap();
    let mut a = LineClient::open(&rig.paths().analyser);
    assert!(a.ask("*IDN?").starts_with("RIG-SIM,WT300-SIM,"));
    assert_eq!(a.ask("*OPC?"), "1");
    // Commands alone produce no output; the next line is the query's answer.
    a.send(":NUMERIC:FORMAT ASCII;:NUM:NORM:NUMBER 4\n");
    a.send(":num:norm:item1 U,1;ITEM2 I,1;item3 FU,1;ITEM4 WH,SIGMA\n");
    assert_eq!(a.ask(":NUMeric:NORMal:ITEM4?;:NUM:NUM?"), "WH,SIGMA;4");
    // Contactor open: no voltage at the outlet, frequency without signal is NAN.
    assert_eq!(
        a.ask(":NUMeric:NORMal:VALue?"),
        "0.0000E+00,0.0000E+00,NAN,0.0000E+00"
    );
    assert_eq!(a.ask(":NUM:VAL? 2"), "0.0000E+00");
    a.send(":INTEG:STAR\n");
    assert_eq!(a.ask(":INTEGRATE:STATE?"), "START");
    a.send(":INTEG:RES\n");
    a.send(":BOGUS:NODE 1\n");
    a.send(":NUM:ITEM300 U,1\n");
    assert_eq!(a.ask(":SYST:ERR?"), "-221,\"Settings conflict\"");
    assert_eq!(a.ask(":SYSTem:ERRor:NEXT?"), "-113,\"Undefined header\"");
    assert_eq!(a.ask(":syst:err?"), "-222,\"Data out of range\"");
    assert_eq!(a.ask(":SYST:ERR?"), "0,\"No error\"");
    a.send(":FOO\n*CLS\n");
    assert_eq!(a.ask(":SYST:ERR?"), "0,\"No error\"");
    a.send("*RST\n");
    assert_eq!(a.ask(":NUM:NUM?;ITEM1?"), "15;U,1");
    rig.stop().unwrap();
}

#[test]
fn rfid_chameleon_subset() {
    let rig = Rig::start(RigConfig::default()).unwrap();
    let mut r = LineClient::open(&rig.paths().rfid);
    let mut control = LineClient::open(&rig.paths().control);
    r.send("VERSION?\r");
    assert_eq!(r.read_line(), "101:OK WITH TEXT");
    assert!(r.read_line().starts_with("ChameleonMini"));
    r.send("CONFIG=MF_CLASSIC_1K_7B\r");
    assert_eq!(r.read_line(), "100:OK");
    r.send("UID=04A1B2C3D4E5F6\r");
    assert_eq!(r.read_line(), "100:OK");
    r.send("UIDSIZE?\r");
    assert_eq!(
        (r.read_line(), r.read_line()),
        ("101:OK WITH TEXT".into(), "7".into())
    );
    let state = control.ask("STATE?");
    assert_eq!(truth(&state, "rfid"), "04A1B2C3D4E5F6");
    r.send("UID=0102\r");
    assert_eq!(r.read_line(), "202:INVALID PARAMETER");
    r.send("BEEP\r");
    assert_eq!(r.read_line(), "200:UNKNOWN COMMAND");
    r.send("CONFIG=NONE\r");
    assert_eq!(r.read_line(), "100:OK");
    assert_eq!(truth(&control.ask("STATE?"), "rfid"), "none");
    rig.stop().unwrap();
}

#[test]
fn control_channel_commands_and_errors() {
    let rig = Rig::start(RigConfig::default()).unwrap();
    let mut c = LineClient::open(&rig.paths().control);
    assert!(c.ask("*IDN?").starts_with("OK RIG-SIM,CONTROL,"));
    for command in [
        "WELD ON",
        "WELD OFF",
        "LOCKFAIL ON",
        "TEMP 60",
        "METER_GAIN 1.5",
        "METER_GAIN 1.5 -0.5",
        "MAINS OFF",
        "MAINS ON",
        "MAINS_V 240",
        "ROTATION L132",
        "ETH DOWN",
        "RCM_SELFTEST FAIL",
        "REACTION 5",
        "BATTERY 1000 10",
        "CONTACTOR_DELAY 30 25",
        "LINK DOWN",
    ] {
        assert_eq!(c.ask(command), "OK", "{command}");
    }
    assert!(c.ask("REACTION 6").starts_with("ERR 101 "));
    assert!(c.ask("TEMP hot").starts_with("ERR 101 "));
    assert!(c.ask("WELD").starts_with("ERR 101 "));
    assert!(c.ask("EXPLODE").starts_with("ERR 100 "));
    let state = c.ask("STATE?");
    assert_eq!(truth(&state, "temp_c"), "60.0");
    assert_eq!(truth(&state, "lock_failed"), "on");
    assert_eq!(truth(&state, "link"), "down");
    assert_eq!(truth(&state, "eth"), "down");
    assert_eq!(truth(&state, "contactor_changed_us"), "-1");
    rig.stop().unwrap();
}

#[test]
fn output_to_an_unopened_terminal_is_dropped() {
    let rig = Rig::start(RigConfig::default()).unwrap();
    {
        let mut ev = LineClient::open(&rig.paths().ev);
        // Leave without reading the reply.
        ev.send("*IDN?\n");
        std::thread::sleep(Duration::from_millis(100));
    }
    let mut ev = LineClient::open(&rig.paths().ev);
    assert!(ev.silent_for(Duration::from_millis(100)));
    assert_eq!(ev.ask("STATE?"), "OK A");
    rig.stop().unwrap();
}
