//! Plugin `power-analyser`: a Yokogawa WT300-style power analyser over a serial port or raw TCP
//! (port 5025), with the SCPI commands listed in README.md.
//!
//! Rig configuration (a JSON object, the rig section without `plugin`):
//! `{"transport": {"serial": "/dev/ttyUSB0", "baud": 115200} | {"tcp": "host[:5025]"},
//! "timeout_ms": 1000}`.

pub mod analyser;
#[path = "../../ev-emulator/src/line_link.rs"]
pub mod line_link;
pub mod scpi;

use std::time::Duration;

use plugin_api::kinds::power_analyser::{self as pa, CommandAck, PowerAnalyser};
use plugin_api::transport::{Transport, TransportConfig};
use plugin_api::{Observation, Plugin, PluginError};
use serde::Deserialize;

use analyser::Analyser;
use line_link::LineLink;

/// The SCPI raw-socket port analysers listen on.
pub const DEFAULT_TCP_PORT: u16 = 5025;

/// The rig section's keys.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnalyserConfig {
    pub transport: TransportConfig,
    /// Reply timeout per command.
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
}

fn default_timeout_ms() -> u64 {
    1000
}

/// Opens the link the configuration names; SCPI lines end with LF.
pub fn open_link(config: &AnalyserConfig) -> Result<LineLink, PluginError> {
    let context = |e: String| PluginError::new(format!("power-analyser configuration: {e}"));
    if config.timeout_ms == 0 {
        return Err(context("key `timeout_ms` must be at least 1".into()));
    }
    let timeout = Duration::from_millis(config.timeout_ms);
    let link = match config
        .transport
        .resolve()
        .map_err(|e| context(e.to_string()))?
    {
        Transport::Serial { path, baud } => LineLink::open_serial(&path, baud, timeout, "\n"),
        Transport::Tcp { address } => {
            let address = if address.contains(':') {
                address
            } else {
                format!("{address}:{DEFAULT_TCP_PORT}")
            };
            LineLink::connect_tcp(&address, timeout, "\n")
        }
        Transport::Can { interface } => {
            return Err(context(format!(
                "key `transport.can` ({interface}): a power analyser is reached over serial or tcp"
            )))
        }
    };
    link.map_err(|e| PluginError::new(e.0))
}

/// The plugin instance.
pub struct PowerAnalyserPlugin {
    analyser: Analyser,
}

impl Plugin for PowerAnalyserPlugin {
    const NAME: &'static str = "power-analyser";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");

    fn open(config: serde_json::Value) -> Result<Self, PluginError> {
        let config: AnalyserConfig = serde_json::from_value(config)
            .map_err(|e| PluginError::new(format!("power-analyser configuration: {e}")))?;
        let link = open_link(&config)?;
        Ok(Self {
            analyser: Analyser::start(link)?,
        })
    }

    fn drain_record(&mut self) -> Vec<Observation> {
        self.analyser.drain_record()
    }

    fn close(&mut self) {
        // A failure is already in the record; nobody is left to report it to.
        let _ = self.analyser.shut_down();
    }
}

impl PowerAnalyser for PowerAnalyserPlugin {
    fn identify(&mut self, _: pa::Identify) -> Result<pa::Identity, PluginError> {
        Ok(pa::Identity {
            idn: self.analyser.identity().to_string(),
        })
    }

    fn measure(&mut self, args: pa::MeasureElements) -> Result<pa::AnalyserReading, PluginError> {
        let (t_us, elements) = self.analyser.measure(&args.elements)?;
        Ok(pa::AnalyserReading { t_us, elements })
    }

    fn integration_start(&mut self, _: pa::IntegrationStart) -> Result<CommandAck, PluginError> {
        self.analyser.integration(scpi::INTEGRATE_START)?;
        Ok(CommandAck::now())
    }

    fn integration_stop(&mut self, _: pa::IntegrationStop) -> Result<CommandAck, PluginError> {
        self.analyser.integration(scpi::INTEGRATE_STOP)?;
        Ok(CommandAck::now())
    }

    fn integration_reset(&mut self, _: pa::IntegrationReset) -> Result<CommandAck, PluginError> {
        self.analyser.integration(scpi::INTEGRATE_RESET)?;
        Ok(CommandAck::now())
    }

    fn integration_read(
        &mut self,
        args: pa::IntegrationRead,
    ) -> Result<pa::IntegrationReading, PluginError> {
        let (t_us, elements_wh) = self.analyser.energies(&args.elements)?;
        Ok(pa::IntegrationReading {
            t_us,
            total_wh: elements_wh.iter().sum(),
            elements_wh,
        })
    }

    fn start_sampling(&mut self, args: pa::StartSampling) -> Result<CommandAck, PluginError> {
        self.analyser
            .start_sampling(args.elements, Duration::from_millis(args.interval_ms))?;
        Ok(CommandAck::now())
    }

    fn stop_sampling(&mut self, _: pa::StopSampling) -> Result<CommandAck, PluginError> {
        self.analyser.stop_sampling();
        Ok(CommandAck::now())
    }
}

plugin_api::export_plugin!(power_analyser: PowerAnalyserPlugin);
