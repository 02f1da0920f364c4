//! A deliberately misbehaving plugin of kind `csms`, for the harness's plugin-host tests and the
//! call benchmark. It answers through the real `export_plugin!` glue:
//! - `send_call` echoes its payload back (`CallOutcome::Result`), so a round trip carries any size;
//! - `go_offline` panics, which must kill only this instance and fail only that step;
//! - `fail_action` returns an error naming what it was given;
//! - `delay_action` sleeps `delay_ms` and records when it started and ended, to check that the
//!   host serializes calls per instance;
//! - `wait_for` waits its whole timeout and reports that nothing arrived;
//! - `open` fails when the config has `"fail_open": true` and panics with `"panic_open": true`;
//! - `violations` reports one schema violation when the config has `"report_violation": true`;
//! - `open` writes the file named by `"open_marker"`, so tests can see a scenario started;
//! - `close` writes the file named by `"close_marker"`, so tests can see the safe state was reached.
//!
//! Every other method answers with an error saying the test plugin does not implement it.

use std::path::PathBuf;

use plugin_api::kinds::csms::{self as csms, Csms};
use plugin_api::{Observation, Plugin, PluginError};

pub struct TestPlugin {
    record: Vec<Observation>,
    close_marker: Option<PathBuf>,
    report_violation: bool,
}

impl Plugin for TestPlugin {
    const NAME: &'static str = "test-plugin";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");

    fn open(config: serde_json::Value) -> Result<Self, PluginError> {
        if config.get("panic_open").and_then(|v| v.as_bool()) == Some(true) {
            panic!("test-plugin was asked to panic in open");
        }
        if config.get("fail_open").and_then(|v| v.as_bool()) == Some(true) {
            return Err(PluginError::new("key `fail_open`: asked to fail"));
        }
        if let Some(marker) = config.get("open_marker").and_then(|v| v.as_str()) {
            // Lets a test see that a scenario has started; no one to report a write error to.
            let _ = std::fs::write(marker, "opened");
        }
        let close_marker = config
            .get("close_marker")
            .and_then(|v| v.as_str())
            .map(PathBuf::from);
        let report_violation =
            config.get("report_violation").and_then(|v| v.as_bool()) == Some(true);
        Ok(TestPlugin {
            record: vec![Observation::new("opened", config)],
            close_marker,
            report_violation,
        })
    }

    fn drain_record(&mut self) -> Vec<Observation> {
        std::mem::take(&mut self.record)
    }

    fn close(&mut self) {
        if let Some(marker) = &self.close_marker {
            // The test checks the file's presence; there is no one to report a write error to.
            let _ = std::fs::write(marker, "closed");
        }
    }
}

fn unsupported<T>(method: &str) -> Result<T, PluginError> {
    Err(PluginError::new(format!(
        "test-plugin does not implement `{method}`"
    )))
}

impl Csms for TestPlugin {
    fn endpoint(&mut self, _: csms::Endpoint) -> Result<csms::EndpointInfo, PluginError> {
        Ok(csms::EndpointInfo {
            url: "ws://127.0.0.1:9/ocpp".into(),
            port: 9,
            security_profile: 0,
            ca_cert_path: None,
            file_server_url: None,
        })
    }
    fn set_boot_response(&mut self, _: csms::SetBootResponse) -> Result<csms::Done, PluginError> {
        unsupported("set_boot_response")
    }
    fn set_authorization(&mut self, _: csms::SetAuthorization) -> Result<csms::Done, PluginError> {
        unsupported("set_authorization")
    }
    fn set_unknown_authorization(
        &mut self,
        _: csms::SetUnknownAuthorization,
    ) -> Result<csms::Done, PluginError> {
        unsupported("set_unknown_authorization")
    }
    fn fail_action(&mut self, args: csms::FailAction) -> Result<csms::Done, PluginError> {
        Err(PluginError::new(format!(
            "asked to fail for action `{}`",
            args.action
        )))
    }
    fn delay_action(&mut self, args: csms::DelayAction) -> Result<csms::Done, PluginError> {
        let start = plugin_api::now_us();
        std::thread::sleep(std::time::Duration::from_millis(args.delay_ms.unwrap_or(0)));
        let end = plugin_api::now_us();
        self.record.push(Observation::new(
            "delay",
            serde_json::json!({"start_us": start, "end_us": end}),
        ));
        Ok(csms::Done {})
    }
    fn go_offline(&mut self, _: csms::GoOffline) -> Result<csms::Done, PluginError> {
        panic!("test-plugin panics in go_offline on purpose");
    }
    fn go_online(&mut self, _: csms::GoOnline) -> Result<csms::Done, PluginError> {
        Ok(csms::Done {})
    }
    fn send_call(&mut self, args: csms::SendCall) -> Result<csms::CallOutcome, PluginError> {
        Ok(csms::CallOutcome::Result {
            payload: args.payload,
        })
    }
    fn mark(&mut self, _: csms::MarkNow) -> Result<csms::Mark, PluginError> {
        Ok(csms::Mark { seq: 0 })
    }
    fn wait_for(
        &mut self,
        args: csms::WaitForFrames,
    ) -> Result<Vec<csms::RecordedFrame>, PluginError> {
        // Nothing ever connects to the test plugin: wait the whole timeout, like a real CSMS
        // waiting for a frame that never comes.
        std::thread::sleep(std::time::Duration::from_millis(args.timeout_ms));
        Err(PluginError::new(format!(
            "no frame arrived within {} ms",
            args.timeout_ms
        )))
    }
    fn expect_none(
        &mut self,
        args: csms::ExpectNone,
    ) -> Result<Vec<csms::RecordedFrame>, PluginError> {
        // Nothing ever connects: the whole period passes without a frame.
        std::thread::sleep(std::time::Duration::from_millis(args.during_ms));
        Ok(Vec::new())
    }
    fn violations(&mut self, _: csms::Violations) -> Result<Vec<csms::Violation>, PluginError> {
        if !self.report_violation {
            return Ok(Vec::new());
        }
        Ok(vec![csms::Violation {
            seq: 7,
            t_us: plugin_api::now_us(),
            charge_point: "CP-1".into(),
            direction: csms::Direction::FromChargePoint,
            rule: "schema.required".into(),
            message: "BootNotification lacks chargePointVendor".into(),
            raw: r#"[2,"1","BootNotification",{}]"#.into(),
        }])
    }
    fn connections(
        &mut self,
        _: csms::Connections,
    ) -> Result<Vec<csms::ConnectionInfo>, PluginError> {
        Ok(Vec::new())
    }
    fn wait_connected(
        &mut self,
        _: csms::WaitConnected,
    ) -> Result<csms::ConnectionInfo, PluginError> {
        unsupported("wait_connected")
    }
    fn file_transfers(
        &mut self,
        _: csms::FileTransfers,
    ) -> Result<Vec<csms::FileTransfer>, PluginError> {
        Ok(Vec::new())
    }
    fn set_authorization_key(
        &mut self,
        _: csms::SetAuthorizationKey,
    ) -> Result<csms::Done, PluginError> {
        unsupported("set_authorization_key")
    }
    fn reset_script(&mut self, _: csms::ResetScript) -> Result<csms::Done, PluginError> {
        Ok(csms::Done {})
    }
}

plugin_api::export_plugin!(csms: TestPlugin);
