//! The sans-IO charging core.
//!
//! [`Charger`] owns every charging decision. It never reads a clock, touches a port or a file:
//! the shell feeds it [`Input`]s with the current time ([`Millis`]), drains [`Output`]s with
//! [`Charger::poll_output`] and calls [`Charger::handle_timeout`] at
//! [`Charger::poll_timeout`]. Tests drive it with a fake clock.
//!
//! ```
//! use reference_firmware::core::*;
//! let variant = Variant::from_product_number(130577).unwrap();
//! let mut charger = Charger::new(Millis(0), ChargerConfig::new(variant), Stored::default());
//! while let Some(out) = charger.poll_output() {
//!     // Output::Board(..) goes to the power board, Output::Store(..) to disk,
//!     // Output::Event(..) to OCPP, the local interface and the logs.
//!     let _ = out;
//! }
//! let _wake_at: Option<Millis> = charger.poll_timeout();
//! ```
//!
//! One state machine per concern lives in its own module ([`pilot`], [`duty`], [`proximity`],
//! [`residual`], [`temperature`], [`metering`], [`auth`], [`limit`], [`lights`]); `charger`
//! composes them and enforces the contactor rules.
//!
//! The seam for OCPP: set [`AuthMode::External`] and answer
//! [`Event::AuthorizationRequested`] with [`Input::AuthorizationDecision`]; start and stop with
//! [`Input::RemoteStart`] / [`Input::StopSession`]; smart charging with
//! [`Input::ExternalLimit`]; availability with [`Input::SetAvailability`]; report
//! [`Event::StatusChanged`], [`Event::SessionStarted`], [`Event::SessionStopped`] and
//! [`Event::Meter`].

pub mod auth;
mod charger;
pub mod config;
pub mod defects;
pub mod duty;
pub mod installation;
pub mod lights;
pub mod limit;
pub mod metering;
pub mod pilot;
pub mod proximity;
pub mod residual;
pub mod temperature;
mod time;
pub mod variant;

pub use auth::AuthMode;
pub use board_link::{BoardFaultCode, BoardMessage, ControllerMessage, PilotOutput};
pub use charger::{Charger, Snapshot};
pub use config::Settings;
pub use defects::{Defects, SeededDefect};
pub use installation::{Earthing, Installation};
pub use metering::MeterReading;
pub use pilot::PilotState;
pub use time::Millis;
pub use variant::{Connector, Protocol, Variant};

/// What the core needs to start: the variant and its settings.
#[derive(Debug, Clone)]
pub struct ChargerConfig {
    pub variant: Variant,
    pub settings: Settings,
    pub defects: Defects,
    /// Version string sent to the board in `Hello`.
    pub firmware_version: String,
}

impl ChargerConfig {
    pub fn new(variant: Variant) -> Self {
        ChargerConfig {
            variant,
            settings: Settings::default(),
            defects: Defects::default(),
            firmware_version: concat!("reference-firmware ", env!("CARGO_PKG_VERSION")).into(),
        }
    }
}

/// What the state directory gave back at start-up.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stored {
    /// `None`: factory defaults for the variant.
    pub installation: Option<Installation>,
    pub energy_mwh: u64,
    /// Id tags of the offline card list (upper-case hex UIDs).
    pub offline_cards: Vec<String>,
}

/// Something that happened outside the core.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// A valid frame from the power board.
    Board(BoardMessage),
    /// A frame from the board that failed to decode (counted; not a sign of life).
    BoardFrameError(board_link::FrameError),
    /// The RFID reader read a card.
    CardPresented {
        uid: Vec<u8>,
    },
    /// The external authorizer's answer to [`Event::AuthorizationRequested`].
    AuthorizationDecision {
        id_tag: String,
        accepted: bool,
    },
    /// Start a session for this id tag without a card (e.g. OCPP RemoteStartTransaction).
    RemoteStart {
        id_tag: String,
    },
    /// End the running session.
    StopSession {
        reason: StopReason,
    },
    /// Smart-charging / load-balancing limit in 0.1 A; `None` removes it.
    ExternalLimit {
        deciamps: Option<u32>,
    },
    /// Operator availability (OCPP ChangeAvailability).
    SetAvailability {
        available: bool,
    },
    SetAuthMode(AuthMode),
    /// New installation parameters (local interface); answered by
    /// [`Event::InstallationChanged`] or [`Event::InstallationRejected`].
    SetInstallation(Installation),
    /// Replace the offline card list (id tags / hex UIDs).
    SetOfflineCards(Vec<String>),
}

/// Something the shell must do.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// Send to the power board.
    Board(ControllerMessage),
    /// Persist (crash-safe) before reporting it as stored.
    Store(StoreRequest),
    /// Tell OCPP / the local interface / the log.
    Event(Event),
}

/// Data to persist in the state directory.
#[derive(Debug, Clone, PartialEq)]
pub enum StoreRequest {
    EnergyRegister { mwh: u64 },
    Installation(Installation),
    OfflineCards(Vec<String>),
}

/// OCPP 1.6 connector status as the core sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectorStatus {
    Available,
    Preparing,
    Charging,
    SuspendedEv,
    SuspendedEvse,
    Finishing,
    Faulted,
    Unavailable,
}

/// Why a session ended (OCPP 1.6 StopTransaction reasons).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    EvDisconnected,
    Local,
    Remote,
    DeAuthorized,
    EmergencyStop,
    Other,
}

/// A condition that forbids charging.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// No valid frame from the power board for 5 s.
    BoardLinkLost,
    /// The residual-current sensor failed its self-test.
    SelfTestFailed,
    /// DC residual current tripped; latched until the vehicle is unplugged.
    ResidualCurrentTrip,
    /// PWM without the −12 V half-wave: the EV's diode is shorted; latched until unplug.
    DiodeShorted,
    /// State E (CP shorted to PE); latched until unplug.
    PilotShortedToPe,
    /// PP resistance below the lowest range (socket variants).
    CableCodingBelowRange,
    /// The cable lock did not engage; latched until unplug.
    LockFailure,
    /// The power board's own protection reported a fault.
    Board(BoardFaultCode),
}

impl Fault {
    /// Faults that only a vehicle unplug clears.
    pub fn latched_until_unplug(self) -> bool {
        matches!(
            self,
            Fault::ResidualCurrentTrip
                | Fault::DiodeShorted
                | Fault::PilotShortedToPe
                | Fault::LockFailure
        )
    }

    /// Faults that suspend a running session instead of ending it: the board's over-temperature
    /// cut-out clears by itself once the board has cooled, and the session then goes on (the
    /// temperature derating of the core limits the current from there).
    pub fn suspends_session(self) -> bool {
        matches!(self, Fault::Board(BoardFaultCode::OverTemperature))
    }

    /// The OCPP 1.6 ChargePointErrorCode for StatusNotification.
    pub fn ocpp_error_code(self) -> &'static str {
        match self {
            Fault::BoardLinkLost => "InternalError",
            Fault::SelfTestFailed | Fault::ResidualCurrentTrip => "GroundFailure",
            Fault::DiodeShorted | Fault::PilotShortedToPe => "EVCommunicationError",
            Fault::CableCodingBelowRange => "OtherError",
            Fault::LockFailure => "ConnectorLockFailure",
            Fault::Board(BoardFaultCode::OverTemperature) => "HighTemperature",
            Fault::Board(BoardFaultCode::ContactorWelded)
            | Fault::Board(BoardFaultCode::ContactorDidNotClose) => "PowerSwitchFailure",
            Fault::Board(BoardFaultCode::LockFailure) => "ConnectorLockFailure",
            Fault::Board(BoardFaultCode::ResidualCurrentTrip) => "GroundFailure",
            Fault::Board(_) => "InternalError",
        }
    }
}

/// Something the core reports.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The start-up self-test passed and the charger is idle (emitted once).
    Ready,
    BoardConnected {
        board_id: String,
        board_firmware: String,
    },
    BoardLinkLost,
    /// A frame from the board was dropped (BOARD_LINK.md section 5); `total` counts them.
    BoardFrameRejected {
        error: board_link::FrameError,
        total: u64,
    },
    StatusChanged {
        status: ConnectorStatus,
        fault: Option<Fault>,
    },
    /// [`AuthMode::External`]: decide about this id tag with [`Input::AuthorizationDecision`].
    AuthorizationRequested {
        id_tag: String,
    },
    /// A card or id tag was refused (unknown, malformed, or not now).
    AuthorizationRejected {
        id_tag: Option<String>,
        reason: String,
    },
    /// Vehicle connected and authorized: a transaction begins.
    SessionStarted {
        id_tag: String,
        meter_start_wh: u64,
    },
    SessionStopped {
        id_tag: String,
        meter_stop_wh: u64,
        reason: StopReason,
    },
    /// A new meter sample.
    Meter(MeterReading),
    /// The offered PWM current changed (0.1 A; 0 = no PWM).
    OfferedCurrent {
        deciamps: u32,
    },
    /// The pilot state changed.
    PilotChanged {
        state: PilotState,
    },
    InstallationChanged(Installation),
    /// Refused installation parameters; nothing changed.
    InstallationRejected {
        reason: String,
    },
}
