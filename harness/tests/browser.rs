//! The local interface in a real browser: headless Chromium (driven through the DevTools
//! protocol, `cdp/`) logs in to an emulated unit with its PIN, adds an offline card on the RFID
//! tab, and changes the maximum current on the Installation tab; the EV emulator plugin sees
//! the duty cycle follow. A value beyond the rating is refused on the page with the reason and
//! changes nothing. A PNG of the login page and of each tab is saved under
//! `<target>/tmp/browser-screenshots/` (`CARGO_TARGET_TMPDIR`).
//!
//! Chromium is required: without it this test fails and says how to install it (CI installs
//! Debian's `chromium` in `.ci/run`).

mod cdp;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use harness::plugin_host::{PluginLibraries, SearchPath};
use harness::rig::{emulated, Instrument};
use plugin_api::kinds::{ev_emulator as ev, rfid_emulator as rfid};

/// The unit runs without a CSMS, so its offline card list decides (set on the RFID tab).
fn rig_text(harness: &Path) -> String {
    format!(
        r#"
[rig]
name = "browser-test"
capabilities = ["three-phase", "local-interface"]

[dut]
kind = "emulated"
product_number = "130577"
charge_point_id = "HALO-BROWSER"
pin = "246810"
command = ["{exe}", "__firmware", "--board", "{{board}}", "--state-dir", "{{state_dir}}",
           "--product-number", "{{product_number}}", "--serial", "{{serial}}",
           "--ui-listen", "{{ui_listen}}", "--pin", "{{pin}}"]

[csms]
plugin = "ocpp-csms"
listen = "127.0.0.1:0"
security_profile = 0

[ev]
plugin = "ev-emulator"
transport = "sim"

[rfid]
plugin = "rfid-emulator"
transport = "sim"
"#,
        exe = harness.display()
    )
}

const CARD: &str = "04A2B3C4";
const TABS: [&str; 6] = [
    "status",
    "wifi",
    "installation",
    "rfid",
    "ocpp",
    "factory-reset",
];

fn screenshots_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("browser-screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot folder");
    dir
}

/// Polls the EV emulator until the pilot's duty cycle is `percent` ± 0.5 %.
fn wait_for_duty(plugin: &harness::plugin_host::PluginInstance, percent: f64, within: Duration) {
    let deadline = Instant::now() + within;
    loop {
        let m = plugin
            .call_blocking(&ev::Measure {})
            .expect("EV emulator measures");
        if (m.duty_percent - percent).abs() <= 0.5 {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "expected a duty cycle of {percent:.1} % within {within:?} at the EV emulator; it is {:.2} % (state {:?})",
            m.duty_percent,
            m.state
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Fills the form posting to `action` with `fields` (id → value), submits it, and waits for the
/// answer page; fails with the page's error notice if the change was refused.
async fn submit(browser: &mut cdp::Browser, action: &str, fields: &[(&str, &str)]) {
    if let Some(error) = try_submit(browser, action, fields).await {
        panic!("the interface refused {action}: {error}");
    }
}

/// As [`submit`]; the page's error notice if the change was refused.
async fn try_submit(
    browser: &mut cdp::Browser,
    action: &str,
    fields: &[(&str, &str)],
) -> Option<String> {
    let mut script = String::new();
    for (id, value) in fields {
        script.push_str(&format!(
            "document.getElementById({}).value = {};",
            serde_json::json!(id),
            serde_json::json!(value)
        ));
    }
    script.push_str(&format!(
        "document.querySelector('form[action=\"{action}\"]').submit(); true"
    ));
    browser.eval(&script).await.expect("form submitted");
    browser
        .wait_for(
            "document.getElementById('saved') || document.getElementById('error')",
            Duration::from_secs(10),
        )
        .await
        .unwrap_or_else(|e| panic!("after submitting {action}: {e}"));
    let error = browser
        .eval("(document.getElementById('error') || {}).textContent || null")
        .await
        .expect("page readable");
    error.as_str().map(str::to_string)
}

#[test]
fn an_installer_in_a_browser_changes_the_maximum_current_and_the_pilot_follows() {
    if let Err(missing) = cdp::find_chromium() {
        panic!("{missing}");
    }
    let exe = Path::new(env!("CARGO_BIN_EXE_harness"));
    let dir = tempfile::tempdir().unwrap();
    let rig_path = dir.path().join("browser.toml");
    std::fs::write(&rig_path, rig_text(exe)).unwrap();
    let rig = harness::rig::load(&rig_path).unwrap_or_else(|e| panic!("{e}"));
    let libraries = PluginLibraries::new(SearchPath::from_process(&[]));
    let instance = emulated::start(&rig, &libraries, exe, 0)
        .unwrap_or_else(|e| panic!("the emulated unit did not start: {}", e.message()));
    let ui = instance
        .ui
        .clone()
        .expect("the emulated unit has a local interface");
    let pin = ui.pin.clone().expect("the unit has a PIN");
    let ev_plugin = instance.plugin(Instrument::Ev).unwrap();
    let rfid_plugin = instance.plugin(Instrument::Rfid).unwrap();
    let shots = screenshots_dir();
    let base = format!("http://{}", ui.addr);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut browser = runtime
        .block_on(cdp::Browser::launch())
        .unwrap_or_else(|e| panic!("{e}"));

    // Log in with the PIN, add the test card, and take a picture of every tab.
    runtime.block_on(async {
        browser.navigate(&format!("{base}/login")).await.unwrap();
        browser.screenshot(&shots.join("login.png")).await.unwrap();
        browser
            .eval(&format!(
                "document.getElementById('pin').value = {}; document.querySelector('form').submit(); true",
                serde_json::json!(pin)
            ))
            .await
            .unwrap();
        if let Err(e) = browser
            .wait_for("location.pathname === '/status'", Duration::from_secs(10))
            .await
        {
            let page = browser.eval("document.body.innerText").await;
            panic!("logging in with the PIN: {e}; the page reads {page:?}");
        }
        browser.navigate(&format!("{base}/rfid")).await.unwrap();
        submit(&mut browser, "/rfid/add", &[("uid", CARD)]).await;
        for tab in TABS {
            browser.navigate(&format!("{base}/{tab}")).await.unwrap();
            browser
                .screenshot(&shots.join(format!("{tab}.png")))
                .await
                .unwrap();
        }
    });

    // A vehicle plugs in and the card starts the charge: the pilot offers the rated 16 A.
    ev_plugin
        .call_blocking(&ev::SetLoad {
            max_current_a: 32.0,
            phases: 3,
            power_factor: 1.0,
        })
        .unwrap();
    ev_plugin
        .call_blocking(&ev::Plug {
            cable: ev::CableCoding::Tethered,
        })
        .unwrap();
    rfid_plugin
        .call_blocking(&rfid::PresentCard {
            uid_hex: CARD.into(),
        })
        .unwrap();
    ev_plugin
        .call_blocking(&ev::SetState {
            state: ev::VehicleState::C,
        })
        .unwrap();
    wait_for_duty(&ev_plugin, 16.0 / 0.6, Duration::from_secs(10));

    // The installer sets 10 A on the Installation tab; the duty cycle follows at once.
    runtime.block_on(async {
        browser
            .navigate(&format!("{base}/installation"))
            .await
            .unwrap();
        submit(&mut browser, "/installation", &[("max_current_a", "10")]).await;
        browser
            .screenshot(&shots.join("installation-saved.png"))
            .await
            .unwrap();
        let shown = browser
            .eval("document.getElementById('max_current_a').value")
            .await
            .unwrap();
        assert_eq!(shown, "10", "the Installation tab after saving");
    });
    wait_for_duty(&ev_plugin, 10.0 / 0.6, Duration::from_secs(5));

    // A value beyond the product's rating is refused on the page, with the reason, and the
    // pilot keeps offering 10 A.
    runtime.block_on(async {
        let error = try_submit(&mut browser, "/installation", &[("max_current_a", "40")])
            .await
            .expect("the interface must refuse 40 A on a 16 A product");
        assert!(
            error.contains("Not saved, nothing changed") && error.contains("max_current_a 40"),
            "the refusal must say why: {error}"
        );
        browser
            .screenshot(&shots.join("installation-refused.png"))
            .await
            .unwrap();
    });
    let m = ev_plugin.call_blocking(&ev::Measure {}).unwrap();
    assert!(
        (m.duty_percent - 10.0 / 0.6).abs() <= 0.5,
        "a refused value changed the duty cycle to {:.2} %",
        m.duty_percent
    );

    for tab in TABS {
        let png = shots.join(format!("{tab}.png"));
        let size = std::fs::metadata(&png).map(|m| m.len()).unwrap_or(0);
        assert!(size > 1000, "{} is missing or empty", png.display());
    }
    drop(browser);
    drop(instance);
}
