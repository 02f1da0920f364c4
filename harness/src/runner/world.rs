//! The cucumber World: one per scenario, holding the scenario's rig lease and what steps
//! remember between each other.

use std::sync::Arc;

use plugin_api::Method;

use super::context::{self, RunContext};
use crate::plugin_host::PluginInstance;
use crate::rig::pool::RigLease;
use crate::rig::Instrument;

pub struct HarnessWorld {
    pub run: Arc<RunContext>,
    /// The rig instance this scenario runs on; taken in the `before` hook, given back in `after`.
    pub lease: Option<RigLease>,
    /// CSMS frames with a sequence number above this are "new" for the next CSMS expectation.
    pub csms_mark: u64,
    /// What the steps remember within this scenario (matched frames, transaction, measurements).
    pub memory: crate::steps::memory::ScenarioMemory,
}

impl std::fmt::Debug for HarnessWorld {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HarnessWorld")
            .field("rig", &self.run.rig.name)
            .field("slot", &self.lease.as_ref().map(RigLease::slot))
            .field("csms_mark", &self.csms_mark)
            .finish()
    }
}

impl cucumber::World for HarnessWorld {
    type Error = String;

    async fn new() -> Result<Self, String> {
        let run = context::current()
            .ok_or("no harness run in progress (the run context was not installed)")?;
        Ok(HarnessWorld {
            run,
            lease: None,
            csms_mark: 0,
            memory: crate::steps::memory::ScenarioMemory::default(),
        })
    }
}

impl HarnessWorld {
    /// The rig instance of this scenario.
    pub fn lease(&self) -> Result<&RigLease, String> {
        self.lease
            .as_ref()
            .ok_or_else(|| "this scenario holds no rig instance".to_string())
    }

    pub fn plugin(&self, instrument: Instrument) -> Result<Arc<PluginInstance>, String> {
        self.lease()?.plugin(instrument)
    }

    /// A typed plugin call on a blocking thread; errors name the plugin and the method.
    pub async fn call<M>(&self, instrument: Instrument, method: M) -> Result<M::Reply, String>
    where
        M: Method + Send + 'static,
        M::Reply: Send + 'static,
    {
        let plugin = self.plugin(instrument)?;
        plugin.call(method).await.map_err(|e| e.to_string())
    }
}
