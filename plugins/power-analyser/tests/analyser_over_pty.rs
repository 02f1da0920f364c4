//! The power-analyser plugin driven through its C table against a scripted WT300-style
//! instrument written from the SCPI of the WT300 family (IEEE 488.2 + `:NUMeric`, `:INTEGrate`,
//! `:SYSTem:ERRor?`), on a pseudo-terminal and over TCP, including the ways it can fail.

#[path = "../../ev-emulator/tests/support/abi_host.rs"]
mod abi_host;
#[path = "../../ev-emulator/tests/support/dylib.rs"]
mod dylib;
#[path = "../../ev-emulator/tests/support/line_server.rs"]
mod line_server;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use abi_host::AbiInstance;
use line_server::{Answer, LineServer};
use plugin_api::kinds::power_analyser as pa;
use serde_json::json;

/// Whether one SCPI header node matches a pattern node like `NUMeric` (short form = the
/// capitals, long form = all), case-insensitively; a trailing number is compared as is.
fn node_matches(pattern: &str, input: &str) -> bool {
    let (pattern, input) = (pattern.trim_end_matches('?'), input.trim_end_matches('?'));
    let short: String = pattern
        .chars()
        .filter(|c| !c.is_ascii_lowercase())
        .collect();
    let input = input.to_ascii_uppercase();
    input == pattern.to_ascii_uppercase() || input == short
}

fn header_matches(pattern: &str, header: &str) -> bool {
    let p: Vec<&str> = pattern.trim_start_matches(':').split(':').collect();
    let h: Vec<&str> = header.trim_start_matches(':').split(':').collect();
    p.len() == h.len()
        && pattern.ends_with('?') == header.ends_with('?')
        && p.iter().zip(&h).all(|(p, h)| node_matches(p, h))
}

/// A three-element analyser with an error queue and an integrator.
struct Wt {
    number: usize,
    items: Vec<Option<(String, u8)>>,
    errors: VecDeque<String>,
    ascii: bool,
    integrating: bool,
    energy_wh: [f64; 3],
    silent: bool,
    garble: bool,
}

impl Wt {
    fn new() -> Self {
        Wt {
            number: 15,
            items: vec![None; 255],
            errors: VecDeque::new(),
            ascii: false,
            integrating: false,
            energy_wh: [0.0; 3],
            silent: false,
            garble: false,
        }
    }

    fn value(&self, item: &str, element: u8) -> String {
        let e = element as usize - 1;
        match item.to_ascii_uppercase().as_str() {
            "U" => "2.3000E+02".into(),
            "I" => format!("{:.4E}", 16.0 + e as f64),
            "P" => format!("{:.4E}", 230.0 * (16.0 + e as f64) * 0.95),
            "S" => format!("{:.4E}", 230.0 * (16.0 + e as f64)),
            "Q" => "1.1E+03".into(),
            "LAMBDA" | "LAMB" => "9.5000E-01".into(),
            "FU" => "NAN".into(),
            "WH" => format!("{:.4E}", self.energy_wh[e]),
            _ => "NAN".into(),
        }
    }

    fn answer(&mut self, line: &str) -> Answer {
        if self.silent {
            return Answer::Silence;
        }
        if self.garble {
            return Answer::Bytes(b"\x15\x16 bzz\n".to_vec());
        }
        if self.integrating {
            for e in &mut self.energy_wh {
                *e += 0.5;
            }
        }
        let (header, args) = line.split_once(' ').unwrap_or((line, ""));
        let reply: Option<String> = if header_matches("*IDN?", header) {
            Some("YOKOGAWA,WT333,C2TEST,F1.01".into())
        } else if header_matches("*CLS", header) {
            self.errors.clear();
            None
        } else if header_matches(":SYSTem:ERRor?", header) {
            Some(
                self.errors
                    .pop_front()
                    .unwrap_or_else(|| "0,\"No error\"".into()),
            )
        } else if header_matches(":NUMeric:FORMat", header) {
            self.ascii = args.eq_ignore_ascii_case("ASCII") || args.eq_ignore_ascii_case("ASC");
            None
        } else if header_matches(":NUMeric:NORMal:NUMber", header) {
            match args.parse::<usize>() {
                Ok(n) if (1..=255).contains(&n) => self.number = n,
                _ => self.errors.push_back("-222,\"Data out of range\"".into()),
            }
            None
        } else if header_matches(":NUMeric:NORMal:VALue?", header) {
            let values: Vec<String> = self.items[..self.number]
                .iter()
                .map(|i| match i {
                    Some((item, el)) => self.value(item, *el),
                    None => "NAN".into(),
                })
                .collect();
            Some(values.join(","))
        } else if header.len() > 20
            && header_matches(
                ":NUMeric:NORMal:ITEM",
                header.trim_end_matches(char::is_numeric),
            )
        {
            let k: usize = header[header.trim_end_matches(char::is_numeric).len()..]
                .parse()
                .unwrap_or(0);
            let parsed = args
                .split_once(',')
                .and_then(|(item, el)| Some((item.to_string(), el.parse::<u8>().ok()?)));
            match parsed {
                Some((item, el)) if (1..=3).contains(&el) && (1..=255).contains(&k) => {
                    self.items[k - 1] = Some((item, el))
                }
                _ => self.errors.push_back("-222,\"Data out of range\"".into()),
            }
            None
        } else if header_matches(":INTEGrate:STATe?", header) {
            Some(if self.integrating { "START" } else { "STOP" }.into())
        } else if header_matches(":INTEGrate:STARt", header) {
            self.integrating = true;
            None
        } else if header_matches(":INTEGrate:STOP", header) {
            self.integrating = false;
            None
        } else if header_matches(":INTEGrate:RESet", header) {
            self.energy_wh = [0.0; 3];
            None
        } else {
            self.errors.push_back("-113,\"Undefined header\"".into());
            None
        };
        match reply {
            Some(r) if self.ascii || header.starts_with('*') || header.contains("ERR") => {
                Answer::Bytes(format!("{r}\n").into_bytes())
            }
            Some(_) => Answer::Bytes(b"#0binary\n".to_vec()),
            None => Answer::Silence,
        }
    }
}

type SharedWt = Arc<Mutex<Wt>>;

fn instrument() -> (SharedWt, LineServer) {
    let wt = Arc::new(Mutex::new(Wt::new()));
    let w = wt.clone();
    let server = LineServer::on_pty(move |l| w.lock().unwrap().answer(l));
    (wt, server)
}

fn open(server: &LineServer) -> Result<AbiInstance, String> {
    abi_host::open(
        power_analyser::harness_plugin_v1,
        &json!({"transport": {"serial": server.address}, "timeout_ms": 300}),
    )
}

#[test]
fn scpi_header_matching_of_the_test_instrument() {
    assert!(header_matches(":NUMeric:NORMal:VALue?", ":NUM:NORM:VAL?"));
    assert!(header_matches(":SYSTem:ERRor?", "SYST:ERR?"));
    assert!(!header_matches(":INTEGrate:STARt", ":INTEG:STA"));
}

#[test]
fn identify_measure_and_the_commands_sent() {
    let (_, server) = instrument();
    let mut plugin = open(&server).unwrap();
    let idn = plugin.call(pa::Identify {}).unwrap();
    assert_eq!(idn.idn, "YOKOGAWA,WT333,C2TEST,F1.01");
    let reading = plugin
        .call(pa::MeasureElements { elements: vec![2] })
        .unwrap();
    let e = reading.elements[0];
    assert_eq!((e.element, e.voltage_v, e.current_a), (2, 230.0, 17.0));
    assert_eq!((e.power_factor, e.frequency_hz), (0.95, 0.0));
    assert!((e.power_w - 230.0 * 17.0 * 0.95).abs() < 1.0);
    // Asking for more elements extends the item list, keeping the earlier ones.
    let reading = plugin
        .call(pa::MeasureElements {
            elements: vec![3, 1],
        })
        .unwrap();
    assert_eq!(
        reading
            .elements
            .iter()
            .map(|e| e.element)
            .collect::<Vec<_>>(),
        [3, 1]
    );
    assert_eq!(reading.elements[1].current_a, 16.0);
    let sent = server.commands();
    assert_eq!(
        &sent[..6],
        [
            "*IDN?",
            "*CLS",
            ":NUMeric:FORMat ASCII",
            ":SYSTem:ERRor?",
            ":NUMeric:NORMal:NUMber 8",
            ":SYSTem:ERRor?"
        ]
    );
    assert!(sent.contains(&":NUMeric:NORMal:ITEM6 LAMBda,2".to_string()));
    assert!(sent.contains(&":NUMeric:NORMal:NUMber 24".to_string()));
    assert!(sent.contains(&":NUMeric:NORMal:ITEM24 WH,1".to_string()));
    plugin.close();
}

#[test]
fn integration_start_read_stop_reset_and_close_stops_it() {
    let (wt, server) = instrument();
    let mut plugin = open(&server).unwrap();
    plugin.call(pa::IntegrationReset {}).unwrap();
    plugin.call(pa::IntegrationStart {}).unwrap();
    let r = plugin
        .call(pa::IntegrationRead {
            elements: vec![1, 2, 3],
        })
        .unwrap();
    assert_eq!(r.elements_wh.len(), 3);
    assert!(r.elements_wh[0] > 0.0);
    assert!((r.total_wh - r.elements_wh.iter().sum::<f64>()).abs() < 1e-9);
    plugin.call(pa::IntegrationStop {}).unwrap();
    assert!(!wt.lock().unwrap().integrating);
    plugin.call(pa::IntegrationStart {}).unwrap();
    assert!(wt.lock().unwrap().integrating);
    plugin.close();
    assert!(!wt.lock().unwrap().integrating, "close stops integration");
    let sent = server.commands();
    assert_eq!(
        &sent[sent.len() - 3..],
        [":INTEGrate:STATe?", ":INTEGrate:STOP", ":SYSTem:ERRor?"]
    );
}

#[test]
fn close_does_not_stop_an_integrator_that_is_not_running() {
    let (_, server) = instrument();
    let plugin = open(&server).unwrap();
    plugin.close();
    assert_eq!(server.commands().last().unwrap(), ":INTEGrate:STATe?");
}

#[test]
fn periodic_sampling_fills_the_record() {
    let (_, server) = instrument();
    let mut plugin = open(&server).unwrap();
    plugin
        .call(pa::StartSampling {
            elements: vec![1, 2, 3],
            interval_ms: 20,
        })
        .unwrap();
    std::thread::sleep(Duration::from_millis(250));
    plugin.call(pa::StopSampling {}).unwrap();
    let samples: Vec<_> = plugin
        .drain_record()
        .into_iter()
        .filter(|o| o.kind == "analyser_sample")
        .collect();
    assert!(samples.len() >= 5, "{} samples", samples.len());
    assert_eq!(samples[0].data["elements"].as_array().unwrap().len(), 3);
    assert!(samples.windows(2).all(|w| w[0].t_us < w[1].t_us));
    plugin.close();
}

#[test]
fn instrument_errors_and_bad_arguments() {
    let (_, server) = instrument();
    let mut plugin = open(&server).unwrap();
    // The WT333 has three elements: element 4 passes our check but the instrument refuses it.
    let e = plugin
        .call(pa::MeasureElements { elements: vec![4] })
        .unwrap_err();
    assert!(
        e.contains(&server.address) && e.contains("refused `:NUMeric:NORMal:ITEM1 U,4`: -222"),
        "{e}"
    );
    // After a refusal the plugin still works.
    assert!(plugin
        .call(pa::MeasureElements { elements: vec![1] })
        .is_ok());
    let e = plugin
        .call(pa::MeasureElements { elements: vec![] })
        .unwrap_err();
    assert!(e.contains("no elements given"), "{e}");
    let e = plugin
        .call(pa::StartSampling {
            elements: vec![1],
            interval_ms: 1,
        })
        .unwrap_err();
    assert!(e.contains("10 ms minimum"), "{e}");
    plugin.close();
}

#[test]
fn missing_port_silence_garbage_and_vanishing() {
    let e = abi_host::open(
        power_analyser::harness_plugin_v1,
        &json!({"transport": {"serial": "/dev/no-such-analyser"}}),
    )
    .err()
    .unwrap();
    assert!(e.contains("/dev/no-such-analyser"), "{e}");

    let (wt, server) = instrument();
    wt.lock().unwrap().silent = true;
    let t0 = Instant::now();
    let e = open(&server).err().unwrap();
    assert!(
        e.contains(&server.address) && e.contains("no answer within 300 ms") && e.contains("*IDN?"),
        "{e}"
    );
    assert!(t0.elapsed() < Duration::from_secs(2));

    let (wt, server) = instrument();
    let mut plugin = open(&server).unwrap();
    wt.lock().unwrap().garble = true;
    let e = plugin
        .call(pa::MeasureElements { elements: vec![1] })
        .unwrap_err();
    assert!(e.contains("garbled"), "{e}");
    plugin.close();

    let (_, mut server) = instrument();
    let mut plugin = open(&server).unwrap();
    server.stop_now();
    server.keep_alive = None;
    let e = plugin.call(pa::IntegrationStart {}).unwrap_err();
    assert!(e.contains(&server.address), "{e}");
    plugin.close();
}

#[test]
fn raw_tcp_transport() {
    let wt = Arc::new(Mutex::new(Wt::new()));
    let w = wt.clone();
    let server = LineServer::on_tcp(move |l| w.lock().unwrap().answer(l));
    let mut plugin = abi_host::open(
        power_analyser::harness_plugin_v1,
        &json!({"transport": {"tcp": server.address}, "timeout_ms": 300}),
    )
    .unwrap();
    let r = plugin
        .call(pa::MeasureElements { elements: vec![1] })
        .unwrap();
    assert_eq!(r.elements[0].voltage_v, 230.0);
    plugin.close();
    let e = abi_host::open(
        power_analyser::harness_plugin_v1,
        &json!({"transport": {"can": "can0"}}),
    )
    .err()
    .unwrap();
    assert!(e.contains("transport.can"), "{e}");
}

#[test]
fn loaded_as_a_shared_library_like_the_harness_does() {
    let plugin = dylib::load("power_analyser");
    let (abi, name, _, kind) = abi_host::describe(plugin.entry);
    assert_eq!(
        (abi, name.as_str(), kind.as_str()),
        (1, "power-analyser", "power-analyser")
    );
    let (wt, server) = instrument();
    let mut instance = abi_host::open(
        plugin.entry,
        &json!({"transport": {"serial": server.address}, "timeout_ms": 300}),
    )
    .unwrap_or_else(|e| panic!("{}: {e}", plugin.path.display()));
    instance.call(pa::IntegrationStart {}).unwrap();
    assert!(wt.lock().unwrap().integrating);
    instance.close();
    assert!(!wt.lock().unwrap().integrating);
}
