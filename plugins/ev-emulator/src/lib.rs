//! Plugin `ev-emulator`: drives an EV emulator (the vehicle side of CP/PP, load and faults) over
//! a serial port, TCP or CAN, with the protocol of `PROTOCOL.md`.
//!
//! Rig configuration (a JSON object, the rig section without `plugin`):
//! `{"transport": {"serial": "/dev/ttyUSB0", "baud": 115200} | {"tcp": "host:port"} |
//! {"can": "can0"}, "timeout_ms": 1000, "sample_period_ms": 2}`.

#[cfg(target_os = "linux")]
pub mod can_frame;
#[cfg(target_os = "linux")]
pub mod can_link;
pub mod condition;
pub mod instrument;
pub mod line_link;
pub mod link;
pub mod protocol;

use std::time::Duration;

use plugin_api::kinds::ev_emulator::{self as ev, CableCoding, EvEmulator, PilotFault};
use plugin_api::transport::{Transport, TransportConfig};
use plugin_api::{Observation, Plugin, PluginError};
use serde::Deserialize;

use instrument::EvInstrument;
use line_link::LineLink;
use link::{EvLink, TextLink};
use protocol::{Command, Fault, Plug, VehicleState};

/// The rig section's keys.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvConfig {
    pub transport: TransportConfig,
    /// Reply timeout per command.
    #[serde(default = "default_timeout_ms")]
    pub timeout_ms: u64,
    /// Pause between two `MEAS?` polls of the sampler.
    #[serde(default = "default_sample_period_ms")]
    pub sample_period_ms: u64,
}

fn default_timeout_ms() -> u64 {
    1000
}

fn default_sample_period_ms() -> u64 {
    2
}

impl EvConfig {
    pub fn parse(config: serde_json::Value) -> Result<Self, PluginError> {
        let parsed: EvConfig = serde_json::from_value(config)
            .map_err(|e| PluginError::new(format!("ev-emulator configuration: {e}")))?;
        if parsed.timeout_ms == 0 {
            return Err(PluginError::new(
                "ev-emulator configuration: key `timeout_ms` must be at least 1",
            ));
        }
        Ok(parsed)
    }
}

/// Opens the link the configuration names.
pub fn open_link(config: &EvConfig) -> Result<Box<dyn EvLink>, PluginError> {
    let timeout = Duration::from_millis(config.timeout_ms);
    let transport = config
        .transport
        .resolve()
        .map_err(|e| PluginError::new(format!("ev-emulator configuration: {e}")))?;
    let fail = |e: line_link::LinkError| PluginError::new(e.0);
    match transport {
        Transport::Serial { path, baud } => Ok(Box::new(TextLink::new(
            LineLink::open_serial(&path, baud, timeout, "\n").map_err(fail)?,
        ))),
        Transport::Tcp { address } => Ok(Box::new(TextLink::new(
            LineLink::connect_tcp(&address, timeout, "\n").map_err(fail)?,
        ))),
        #[cfg(target_os = "linux")]
        Transport::Can { interface } => Ok(Box::new(
            can_link::CanLink::open(&interface, timeout).map_err(fail)?,
        )),
        #[cfg(not(target_os = "linux"))]
        Transport::Can { interface } => Err(PluginError::new(format!(
            "can {interface}: CAN needs SocketCAN, which only Linux has"
        ))),
    }
}

/// The plugin instance.
pub struct EvEmulatorPlugin {
    instrument: EvInstrument,
}

impl EvEmulatorPlugin {
    fn ack(&mut self, command: Command) -> Result<ev::CommandAck, PluginError> {
        self.instrument.command(&command)?;
        Ok(ev::CommandAck {
            at_us: self.instrument.last_command_ack_us(),
        })
    }
}

impl Plugin for EvEmulatorPlugin {
    const NAME: &'static str = "ev-emulator";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");

    fn open(config: serde_json::Value) -> Result<Self, PluginError> {
        let config = EvConfig::parse(config)?;
        let link = open_link(&config)?;
        let period = Duration::from_millis(config.sample_period_ms);
        Ok(Self {
            instrument: EvInstrument::start(link, period)?,
        })
    }

    fn drain_record(&mut self) -> Vec<Observation> {
        self.instrument.drain_record()
    }

    fn close(&mut self) {
        // Problems are already in the record; nobody is left to report them to.
        let _ = self.instrument.shut_down();
    }
}

impl EvEmulator for EvEmulatorPlugin {
    fn plug(&mut self, args: ev::Plug) -> Result<ev::CommandAck, PluginError> {
        let plug = match args.cable {
            CableCoding::Tethered => Plug::Tethered,
            CableCoding::Rated { amps } => Plug::Rating { amps },
            CableCoding::Resistance { ohms } => Plug::Resistance { ohms },
        };
        self.ack(Command::Plug(plug))
    }

    fn unplug(&mut self, _: ev::Unplug) -> Result<ev::CommandAck, PluginError> {
        self.ack(Command::Unplug)
    }

    fn set_state(&mut self, args: ev::SetState) -> Result<ev::CommandAck, PluginError> {
        let state = match args.state {
            ev::VehicleState::B => VehicleState::B,
            ev::VehicleState::C => VehicleState::C,
            ev::VehicleState::D => VehicleState::D,
        };
        self.ack(Command::State(state))
    }

    fn set_load(&mut self, args: ev::SetLoad) -> Result<ev::CommandAck, PluginError> {
        self.ack(Command::Load {
            max_current_a: args.max_current_a,
            phases: args.phases,
            power_factor: args.power_factor,
        })
    }

    fn inject_fault(&mut self, args: ev::InjectFault) -> Result<ev::CommandAck, PluginError> {
        let fault = match args.fault {
            PilotFault::None => Fault::None,
            PilotFault::DiodeShort => Fault::DiodeShort,
            PilotFault::CpPeShort => Fault::CpPeShort,
            PilotFault::PeOpen => Fault::PeOpen,
        };
        self.ack(Command::Fault(fault))
    }

    fn set_residual_current(
        &mut self,
        args: ev::SetResidualCurrent,
    ) -> Result<ev::CommandAck, PluginError> {
        self.ack(Command::ResidualCurrent { dc_ma: args.dc_ma })
    }

    fn set_ignore_pilot(
        &mut self,
        args: ev::SetIgnorePilot,
    ) -> Result<ev::CommandAck, PluginError> {
        self.ack(Command::IgnorePilot(args.ignore))
    }

    fn set_reaction(&mut self, args: ev::SetReaction) -> Result<ev::CommandAck, PluginError> {
        self.ack(Command::Reaction {
            seconds: args.seconds,
        })
    }

    fn measure(&mut self, _: ev::Measure) -> Result<ev::PilotMeasurement, PluginError> {
        self.instrument.measure()
    }

    fn wait_for(&mut self, args: ev::WaitFor) -> Result<ev::WaitOutcome, PluginError> {
        self.instrument
            .wait_for(&args.condition, Duration::from_millis(args.timeout_ms))
    }
}

plugin_api::export_plugin!(ev_emulator: EvEmulatorPlugin);
