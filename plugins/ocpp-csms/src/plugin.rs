//! The plugin face of the mock CSMS: `plugin_api::Plugin` and the `csms` method set.

use plugin_api::kinds::csms::{self as api, Csms};
use plugin_api::{Observation, Plugin, PluginError};

use crate::config::CsmsConfig;
use crate::instance::MockCsms;

/// The exported plugin type.
pub struct CsmsPlugin {
    inner: MockCsms,
}

impl CsmsPlugin {
    pub fn instance(&self) -> &MockCsms {
        &self.inner
    }
}

impl Plugin for CsmsPlugin {
    const NAME: &'static str = "ocpp-csms";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");

    fn open(config: serde_json::Value) -> Result<Self, PluginError> {
        let config = CsmsConfig::from_json(config)?;
        Ok(CsmsPlugin {
            inner: MockCsms::open(config)?,
        })
    }

    fn drain_record(&mut self) -> Vec<Observation> {
        self.inner.drain_record()
    }

    fn close(&mut self) {
        self.inner.close();
    }
}

impl Csms for CsmsPlugin {
    fn endpoint(&mut self, _: api::Endpoint) -> Result<api::EndpointInfo, PluginError> {
        Ok(self.inner.endpoint())
    }

    fn set_boot_response(&mut self, a: api::SetBootResponse) -> Result<api::Done, PluginError> {
        self.inner.set_boot_response(a.status, a.interval_s);
        Ok(api::Done {})
    }

    fn set_authorization(&mut self, a: api::SetAuthorization) -> Result<api::Done, PluginError> {
        self.inner.set_authorization(a)?;
        Ok(api::Done {})
    }

    fn set_unknown_authorization(
        &mut self,
        a: api::SetUnknownAuthorization,
    ) -> Result<api::Done, PluginError> {
        self.inner.set_unknown_authorization(a.status);
        Ok(api::Done {})
    }

    fn fail_action(&mut self, a: api::FailAction) -> Result<api::Done, PluginError> {
        self.inner.fail_action(a)?;
        Ok(api::Done {})
    }

    fn delay_action(&mut self, a: api::DelayAction) -> Result<api::Done, PluginError> {
        self.inner.delay_action(a)?;
        Ok(api::Done {})
    }

    fn go_offline(&mut self, a: api::GoOffline) -> Result<api::Done, PluginError> {
        self.inner.go_offline(a.for_ms);
        Ok(api::Done {})
    }

    fn go_online(&mut self, _: api::GoOnline) -> Result<api::Done, PluginError> {
        self.inner.go_online();
        Ok(api::Done {})
    }

    fn send_call(&mut self, a: api::SendCall) -> Result<api::CallOutcome, PluginError> {
        self.inner.send_call(a)
    }

    fn mark(&mut self, _: api::MarkNow) -> Result<api::Mark, PluginError> {
        Ok(api::Mark {
            seq: self.inner.mark(),
        })
    }

    fn wait_for(&mut self, a: api::WaitForFrames) -> Result<Vec<api::RecordedFrame>, PluginError> {
        self.inner.wait_for(a)
    }

    fn expect_none(&mut self, a: api::ExpectNone) -> Result<Vec<api::RecordedFrame>, PluginError> {
        Ok(self.inner.expect_none(a))
    }

    fn violations(&mut self, a: api::Violations) -> Result<Vec<api::Violation>, PluginError> {
        Ok(self.inner.violations(a.after))
    }

    fn connections(
        &mut self,
        _: api::Connections,
    ) -> Result<Vec<api::ConnectionInfo>, PluginError> {
        Ok(self.inner.connections())
    }

    fn wait_connected(
        &mut self,
        a: api::WaitConnected,
    ) -> Result<api::ConnectionInfo, PluginError> {
        self.inner
            .wait_connected(a.charge_point.as_deref(), a.timeout_ms)
    }

    fn file_transfers(
        &mut self,
        _: api::FileTransfers,
    ) -> Result<Vec<api::FileTransfer>, PluginError> {
        Ok(self.inner.file_transfers())
    }

    fn set_authorization_key(
        &mut self,
        a: api::SetAuthorizationKey,
    ) -> Result<api::Done, PluginError> {
        self.inner.set_authorization_key(a)?;
        Ok(api::Done {})
    }

    fn reset_script(&mut self, _: api::ResetScript) -> Result<api::Done, PluginError> {
        self.inner.reset_script();
        Ok(api::Done {})
    }
}

plugin_api::export_plugin!(csms: CsmsPlugin);
