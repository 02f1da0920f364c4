//! The rfid-emulator plugin driven through its C table against a scripted ChameleonMini written
//! from its serial command set (CR-terminated commands, `100:OK`, `101:OK WITH TEXT` + text,
//! `200:UNKNOWN COMMAND`, `202:INVALID PARAMETER`), including the ways it can fail.

#[path = "../../ev-emulator/tests/support/abi_host.rs"]
mod abi_host;
#[path = "../../ev-emulator/tests/support/dylib.rs"]
mod dylib;
#[path = "../../ev-emulator/tests/support/line_server.rs"]
mod line_server;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use abi_host::AbiInstance;
use line_server::{Answer, LineServer};
use plugin_api::kinds::rfid_emulator as rf;
use serde_json::json;

/// A ChameleonMini: a configuration (card type) with its UID size, and a UID.
struct Chameleon {
    configs: Vec<(&'static str, usize)>,
    config: usize,
    uid: String,
    silent: bool,
    garble: bool,
    /// Answers `UID?` with something else (a faulty device).
    wrong_uid_echo: bool,
}

impl Chameleon {
    fn real() -> Self {
        Chameleon {
            configs: vec![
                ("NONE", 0),
                ("MF_ULTRALIGHT", 7),
                ("MF_CLASSIC_1K", 4),
                ("MF_CLASSIC_1K_7B", 7),
                ("MF_CLASSIC_4K", 4),
            ],
            config: 0,
            uid: String::new(),
            silent: false,
            garble: false,
            wrong_uid_echo: false,
        }
    }

    fn with_10_byte_config() -> Self {
        let mut c = Self::real();
        c.configs.push(("MF_CLASSIC_1K_10B", 10));
        c
    }

    fn present(&self) -> bool {
        self.configs[self.config].1 > 0
    }

    fn answer(&mut self, line: &str) -> Answer {
        if self.silent {
            return Answer::Silence;
        }
        if self.garble {
            return Answer::Bytes(b"\xff\xfeOK?\r\n".to_vec());
        }
        let ok = || "100:OK\r\n".to_string();
        let text = |t: &str| format!("101:OK WITH TEXT\r\n{t}\r\n");
        let invalid = || "202:INVALID PARAMETER\r\n".to_string();
        let size = self.configs[self.config].1;
        let reply = if line == "VERSION?" {
            text("ChameleonMini RevG 2.0 (test)")
        } else if line == "CONFIG?" {
            text(self.configs[self.config].0)
        } else if let Some(name) = line.strip_prefix("CONFIG=") {
            match self.configs.iter().position(|(n, _)| *n == name) {
                Some(i) => {
                    self.config = i;
                    self.uid = "00".repeat(self.configs[i].1);
                    ok()
                }
                None => invalid(),
            }
        } else if line == "UIDSIZE?" {
            text(&size.to_string())
        } else if line == "UID?" {
            if size == 0 {
                text("NO UID.")
            } else if self.wrong_uid_echo {
                text("DEADBEEF")
            } else {
                text(&self.uid)
            }
        } else if let Some(uid) = line.strip_prefix("UID=") {
            if size > 0 && uid.len() == size * 2 && uid.chars().all(|c| c.is_ascii_hexdigit()) {
                self.uid = uid.to_ascii_uppercase();
                ok()
            } else {
                invalid()
            }
        } else {
            "200:UNKNOWN COMMAND\r\n".to_string()
        };
        Answer::Bytes(reply.into_bytes())
    }
}

fn device(c: Chameleon) -> (Arc<Mutex<Chameleon>>, LineServer) {
    let c = Arc::new(Mutex::new(c));
    let c2 = c.clone();
    let server = LineServer::on_pty(move |l| c2.lock().unwrap().answer(l));
    (c, server)
}

fn open(server: &LineServer) -> Result<AbiInstance, String> {
    abi_host::open(
        rfid_emulator::harness_plugin_v1,
        &json!({"transport": {"serial": server.address}, "timeout_ms": 300}),
    )
}

fn present(uid: &str) -> rf::PresentCard {
    rf::PresentCard {
        uid_hex: uid.into(),
    }
}

#[test]
fn present_status_remove_with_4_and_7_byte_uids() {
    let (dev, server) = device(Chameleon::real());
    let mut plugin = open(&server).unwrap();
    let none = plugin.call(rf::CardStatus {}).unwrap();
    assert_eq!((none.present, none.uid_hex), (false, None));

    plugin.call(present("04a2b3c4")).unwrap();
    let s = plugin.call(rf::CardStatus {}).unwrap();
    assert_eq!((s.present, s.uid_hex.as_deref()), (true, Some("04A2B3C4")));
    {
        let d = dev.lock().unwrap();
        assert_eq!(d.configs[d.config].0, "MF_CLASSIC_1K");
    }

    plugin.call(present("04A2B3C4D5E6F7")).unwrap();
    let s = plugin.call(rf::CardStatus {}).unwrap();
    assert_eq!(s.uid_hex.as_deref(), Some("04A2B3C4D5E6F7"));

    plugin.call(rf::RemoveCard {}).unwrap();
    assert!(!plugin.call(rf::CardStatus {}).unwrap().present);
    let sent = server.commands();
    assert_eq!(
        &sent[..6],
        [
            "VERSION?",
            "CONFIG?",
            "CONFIG=MF_CLASSIC_1K",
            "UIDSIZE?",
            "UID=04A2B3C4",
            "UID?"
        ]
    );
    assert!(sent.contains(&"CONFIG=MF_CLASSIC_1K_7B".to_string()));
    let record = plugin.drain_record();
    assert!(record
        .iter()
        .any(|o| o.kind == "rfid_card" && o.data["uid"] == "04A2B3C4"));
    plugin.close();
}

#[test]
fn ten_byte_uids_need_the_10b_configuration() {
    let (_, server) = device(Chameleon::real());
    let mut plugin = open(&server).unwrap();
    let e = plugin.call(present("04A2B3C4D5E6F70809AA")).unwrap_err();
    assert!(
        e.contains("refused `CONFIG=MF_CLASSIC_1K_10B`: 202:INVALID PARAMETER")
            && e.contains("no configuration for 10-byte UIDs"),
        "{e}"
    );
    plugin.close();

    let (_, server) = device(Chameleon::with_10_byte_config());
    let mut plugin = open(&server).unwrap();
    plugin.call(present("04A2B3C4D5E6F70809AA")).unwrap();
    let s = plugin.call(rf::CardStatus {}).unwrap();
    assert_eq!(s.uid_hex.as_deref(), Some("04A2B3C4D5E6F70809AA"));
    plugin.close();
}

#[test]
fn close_takes_the_card_away() {
    let (dev, server) = device(Chameleon::real());
    let mut plugin = open(&server).unwrap();
    plugin.call(present("DEADBEEF")).unwrap();
    assert!(dev.lock().unwrap().present());
    plugin.close();
    assert!(!dev.lock().unwrap().present());
    assert_eq!(server.commands().last().unwrap(), "CONFIG=NONE");
}

#[test]
fn bad_uids_and_a_device_that_does_not_keep_the_uid() {
    let (dev, server) = device(Chameleon::real());
    let mut plugin = open(&server).unwrap();
    let e = plugin.call(present("04A2B3")).unwrap_err();
    assert!(e.contains("3 bytes"), "{e}");
    let e = plugin.call(present("XYZ12345")).unwrap_err();
    assert!(e.contains("hex"), "{e}");
    dev.lock().unwrap().wrong_uid_echo = true;
    let e = plugin.call(present("04A2B3C4")).unwrap_err();
    assert!(
        e.contains("UID? answered \"DEADBEEF\", expected 04A2B3C4"),
        "{e}"
    );
    plugin.close();
}

#[test]
fn missing_port_silence_garbage_and_vanishing() {
    let e = abi_host::open(
        rfid_emulator::harness_plugin_v1,
        &json!({"transport": {"serial": "/dev/no-such-chameleon"}}),
    )
    .err()
    .unwrap();
    assert!(e.contains("/dev/no-such-chameleon"), "{e}");

    let mut c = Chameleon::real();
    c.silent = true;
    let (_, server) = device(c);
    let t0 = Instant::now();
    let e = open(&server).err().unwrap();
    assert!(
        e.contains(&server.address)
            && e.contains("no answer within 300 ms")
            && e.contains("VERSION?"),
        "{e}"
    );
    assert!(t0.elapsed() < Duration::from_secs(2));

    let (dev, server) = device(Chameleon::real());
    let mut plugin = open(&server).unwrap();
    dev.lock().unwrap().garble = true;
    let e = plugin.call(rf::CardStatus {}).unwrap_err();
    assert!(e.contains(&server.address) && e.contains("garbled"), "{e}");
    dev.lock().unwrap().garble = false;
    assert!(
        plugin.call(rf::CardStatus {}).is_ok(),
        "recovers after garbage"
    );
    plugin.close();

    let (_, mut server) = device(Chameleon::real());
    let mut plugin = open(&server).unwrap();
    server.stop_now();
    server.keep_alive = None;
    let e = plugin.call(present("04A2B3C4")).unwrap_err();
    assert!(e.contains(&server.address), "{e}");
    plugin.close();
}

#[test]
fn loaded_as_a_shared_library_like_the_harness_does() {
    let plugin = dylib::load("rfid_emulator");
    let (abi, name, _, kind) = abi_host::describe(plugin.entry);
    assert_eq!(
        (abi, name.as_str(), kind.as_str()),
        (1, "rfid-emulator", "rfid-emulator")
    );
    let (dev, server) = device(Chameleon::real());
    let mut instance = abi_host::open(
        plugin.entry,
        &json!({"transport": {"serial": server.address}, "timeout_ms": 300}),
    )
    .unwrap_or_else(|e| panic!("{}: {e}", plugin.path.display()));
    instance.call(present("04A2B3C4")).unwrap();
    assert!(dev.lock().unwrap().present());
    instance.close();
    assert!(!dev.lock().unwrap().present());
}
