use std::io::Write;

use super::*;

const GOOD: &str = r#"
[rig]
name = "t"
parallel = 2
capabilities = ["net-cut"]

[dut]
kind = "emulated"
product_number = "130800"
charge_point_id = "CP-1"

[csms]
plugin = "ocpp-csms"
listen = "127.0.0.1:0"

[ev]
plugin = "ev-emulator"
transport = "sim"
timeout_ms = 500
"#;

fn load_text(text: &str) -> Result<Rig, RigError> {
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(text.as_bytes()).unwrap();
    load(file.path()).map_err(|e| RigError(e.0.replace(&file.path().display().to_string(), "RIG")))
}

#[test]
fn good_file_loads_with_defaults() {
    let rig = load_text(GOOD).unwrap();
    assert_eq!(rig.parallel, 2);
    assert!(rig.has_capability("net-cut"));
    assert_eq!(rig.tolerances.duty_cycle_percent, 0.5);
    assert_eq!(rig.instruments.len(), 2);
}

#[test]
fn sim_transport_is_replaced_by_the_pty() {
    let rig = load_text(GOOD).unwrap();
    let config = rig.plugin_config(Instrument::Ev, Some("/dev/pts/9"));
    assert_eq!(
        config,
        serde_json::json!({"transport": {"serial": "/dev/pts/9"}, "timeout_ms": 500})
    );
    let csms = rig.plugin_config(Instrument::Csms, Some("/dev/pts/9"));
    assert_eq!(csms, serde_json::json!({"listen": "127.0.0.1:0"}));
}

#[test]
fn unknown_key_names_line_and_key() {
    let text = GOOD.replace("parallel = 2", "paralel = 2");
    let e = load_text(&text).unwrap_err().to_string();
    assert!(
        e.starts_with("rig file RIG:4: key `rig.paralel`: unknown field `paralel`"),
        "{e}"
    );
}

#[test]
fn wrong_type_names_line_and_key() {
    let text = GOOD.replace("parallel = 2", "parallel = \"two\"");
    let e = load_text(&text).unwrap_err().to_string();
    assert!(
        e.starts_with("rig file RIG:4: key `rig.parallel`: invalid type"),
        "{e}"
    );
}

#[test]
fn not_toml_names_the_line() {
    let e = load_text("[rig\nname = 1").unwrap_err().to_string();
    assert!(e.starts_with("rig file RIG:1:"), "{e}");
    assert!(!e.contains('\n'));
}

#[test]
fn unknown_capability_is_rejected() {
    let text = GOOD.replace("\"net-cut\"", "\"net-cut\", \"powercycle\"");
    let e = load_text(&text).unwrap_err().to_string();
    assert!(
        e.contains("key `rig.capabilities[1]`: unknown capability `powercycle`"),
        "{e}"
    );
}

#[test]
fn sim_transport_on_external_rig_is_rejected() {
    let text = GOOD.replace("kind = \"emulated\"", "kind = \"external\"");
    let e = load_text(&text).unwrap_err().to_string();
    assert!(e.contains("key `ev.transport`: \"sim\" only works"), "{e}");
}

#[test]
fn unknown_command_placeholder_is_rejected() {
    let text = GOOD.replace(
        "charge_point_id = \"CP-1\"",
        "charge_point_id = \"CP-1\"\ncommand = [\"fw\", \"{bord}\"]",
    );
    let e = load_text(&text).unwrap_err().to_string();
    assert!(
        e.contains("key `dut.command`: unknown placeholder `{bord}`"),
        "{e}"
    );
}

#[test]
fn missing_file_is_one_line() {
    let e = load(Path::new("/nonexistent/rig.toml"))
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("rig file /nonexistent/rig.toml: cannot read:"),
        "{e}"
    );
}

#[test]
fn dut_features_are_declared_from_a_closed_list() {
    let declared = GOOD
        .replace(
            "charge_point_id = \"CP-1\"",
            "charge_point_id = \"CP-1\"\nfeatures = [\"rated-32a\"]",
        )
        .replace("\"130800\"", "\"130578\"");
    let rig = load_text(&declared).unwrap();
    assert!(rig.dut.declares("rated-32a"));
    assert!(!rig.dut.declares("signed-firmware"));
    let typo = GOOD.replace(
        "charge_point_id = \"CP-1\"",
        "charge_point_id = \"CP-1\"\nfeatures = [\"signed-firmwar\"]",
    );
    let e = load_text(&typo).unwrap_err().0;
    assert!(
        e.starts_with("rig file RIG: key `dut.features[0]`: unknown DUT feature `signed-firmwar`"),
        "{e}"
    );
}

#[test]
fn the_rated_current_comes_from_the_product_number() {
    assert_eq!(load_text(GOOD).unwrap().dut.rated_current_a(), Ok(16));
    let socket = GOOD.replace("\"130800\"", "\"999032\"").replace(
        "charge_point_id = \"CP-1\"",
        "charge_point_id = \"CP-1\"\nfeatures = [\"rated-32a\"]",
    );
    assert_eq!(load_text(&socket).unwrap().dut.rated_current_a(), Ok(32));
    let unknown = GOOD.replace("\"130800\"", "\"4711\"");
    let e = load_text(&unknown)
        .unwrap()
        .dut
        .rated_current_a()
        .unwrap_err();
    assert!(
        e.contains("`4711`") && e.contains("not a known Halo product"),
        "{e}"
    );
}

#[test]
fn a_rated_32a_declaration_must_match_the_product() {
    let wrong = GOOD.replace(
        "charge_point_id = \"CP-1\"",
        "charge_point_id = \"CP-1\"\nfeatures = [\"rated-32a\"]",
    );
    let e = load_text(&wrong).unwrap_err().0;
    assert!(
        e.starts_with(
            "rig file RIG: key `dut.features`: product 130800 is rated 16 A: remove `rated-32a`"
        ),
        "{e}"
    );
    let missing = GOOD.replace("\"130800\"", "\"999032\"");
    let e = load_text(&missing).unwrap_err().0;
    assert!(
        e.contains("product 999032 is rated 32 A: add `rated-32a`"),
        "{e}"
    );
}

#[test]
fn the_repository_rig_files_load() {
    let rigs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../rigs");
    for name in [
        "emulated.toml",
        "emulated-socket.toml",
        "emulated-tls.toml",
        "bench.example.toml",
    ] {
        let rig = load(&rigs.join(name)).unwrap_or_else(|e| panic!("{e}"));
        assert!(!rig.instruments.is_empty(), "{name}");
    }
    let socket = load(&rigs.join("emulated-socket.toml")).unwrap();
    assert!(socket.has_capability("socket") && !socket.has_capability("tethered-cable"));
    assert!(socket.dut.declares("rated-32a"));
}

#[test]
fn local_interface_keys_are_checked() {
    let with = |extra: &str| {
        GOOD.replace(
            "charge_point_id = \"CP-1\"",
            &format!("charge_point_id = \"CP-1\"\n{extra}"),
        )
    };
    let rig = load_text(&with("pin = \"246810\"\nap_window_s = 5")).unwrap();
    assert_eq!(rig.dut.pin.as_deref(), Some("246810"));
    assert_eq!(rig.dut.ap_window_s, Some(5));
    assert!(rig.dut.provisioned);

    let e = load_text(&with("pin = \"12ab\"")).unwrap_err().0;
    assert!(
        e.contains("key `dut.pin`: PIN `12ab` must be 4 to 12 digits"),
        "{e}"
    );
    let e = load_text(&with("ap_window_s = 0")).unwrap_err().0;
    assert!(
        e.contains("key `dut.ap_window_s`: must be between 1 and 3600"),
        "{e}"
    );
    let e = load_text(&with("ui_url = \"http://10.0.0.1\""))
        .unwrap_err()
        .0;
    assert!(
        e.contains("key `dut.ui_url`: only applies when dut.kind = \"external\""),
        "{e}"
    );
    let e = load_text(&with("provisioned = false\npin = \"1234\""))
        .unwrap_err()
        .0;
    assert!(e.contains("key `dut.pin`"), "{e}");
}

#[test]
fn an_external_unit_names_its_interface_by_address() {
    let external = |extra: &str| {
        format!(
            "[rig]\nname = \"x\"\n[dut]\nkind = \"external\"\ncharge_point_id = \"CP\"\n{extra}\n"
        )
    };
    let rig = load_text(&external(
        "ui_url = \"http://192.0.2.20:8080\"\npin = \"1234\"\nfactory_command = [\"fixture\", \"--serial\", \"{serial}\", \"--pin\", \"{pin}\"]",
    ))
    .unwrap();
    assert_eq!(rig.dut.ui_addr, Some("192.0.2.20:8080".parse().unwrap()));
    let e = load_text(&external("ui_url = \"http://halo.local\""))
        .unwrap_err()
        .0;
    assert!(
        e.contains("key `dut.ui_url`") && e.contains("by IP address"),
        "{e}"
    );
    let e = load_text(&external("factory_command = [\"fixture\", \"{board}\"]"))
        .unwrap_err()
        .0;
    assert!(e.contains("unknown placeholder `{board}`"), "{e}");
    let e = load_text(&external("ap_window_s = 5")).unwrap_err().0;
    assert!(
        e.contains("key `dut.ap_window_s`: only applies when dut.kind = \"emulated\""),
        "{e}"
    );
}

#[test]
fn another_product_number_brings_its_rated_32a_declaration() {
    let mut rig = load_text(GOOD).unwrap();
    rig.dut.set_product_number("999032");
    assert_eq!(rig.dut.rated_current_a(), Ok(32));
    assert!(rig.dut.declares("rated-32a"));
    rig.dut.set_product_number("131133");
    assert_eq!(rig.dut.rated_current_a(), Ok(16));
    assert!(!rig.dut.declares("rated-32a"));
}
