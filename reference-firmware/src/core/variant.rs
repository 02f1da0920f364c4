//! Product variants, from the product number.
//!
//! ASSUMPTION: the public installation manual lists the product numbers and the three power
//! ratings but not which number is which. This firmware maps them as follows (documented in
//! README.md too):
//!
//! | Product | Protocol | Power | Phases | Rated | Connector | LAN | Domestic socket |
//! |---|---|---|---|---|---|---|---|
//! | 130577 | OCPP | 11 kW | 3 | 16 A | tethered Type 2, 7.5 m | yes | no |
//! | 130578 | OCPP | 7.4 kW | 1 | 32 A | tethered Type 2, 7.5 m | yes | no |
//! | 130800 | OCPP | 3.7 kW | 1 | 16 A | tethered Type 2, 7.5 m | yes | no |
//! | 131134 | OCPP | 11 kW | 3 | 16 A | tethered Type 2, 7.5 m | yes | yes |
//! | 131114 | OCPP | 7.4 kW | 1 | 32 A | tethered Type 2, 7.5 m | yes | yes |
//! | 131133 | OCPP | 3.7 kW | 1 | 16 A | tethered Type 2, 7.5 m | yes | yes |
//! | 100307 | CAPI | 3.7 kW | 1 | 16 A | tethered Type 2, 7.5 m | no | no |
//! | 100308 | CAPI | 7.4 kW | 1 | 32 A | tethered Type 2, 7.5 m | no | no |
//! | 101082 | CAPI | 11 kW | 3 | 16 A | tethered Type 2, 7.5 m | no | no |
//! | 999032 | OCPP | 22 kW | 3 | 32 A | Type 2 socket with lock (PP) | yes | no |
//!
//! 999032 is not a real product: it is the reference firmware's socket-with-lock variant for the
//! socket test cases. A tethered cable's rating equals the unit's rated current.

/// The cloud protocol a variant speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    Ocpp16,
    /// The vendor's proprietary cloud API: not available in this firmware.
    Capi,
}

/// How the vehicle is connected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connector {
    /// A fixed cable with a Type 2 vehicle connector; no PP input, fixed cable rating.
    Tethered { cable_rating_a: u32 },
    /// A Type 2 socket outlet with a cable lock; the cable rating comes from PP.
    SocketWithLock,
}

/// Everything the product number fixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Variant {
    pub product_number: u32,
    pub protocol: Protocol,
    pub rated_current_a: u32,
    pub phases: u8,
    pub connector: Connector,
    pub lan: bool,
    pub domestic_socket: bool,
}

/// The socket-with-lock variant of this firmware (not a real product number).
pub const SOCKET_VARIANT: u32 = 999_032;

impl Variant {
    /// The variant of a product number; `None` for an unknown number.
    pub fn from_product_number(n: u32) -> Option<Variant> {
        let tethered = |a| Connector::Tethered { cable_rating_a: a };
        let (protocol, rated, phases, connector, lan, domestic) = match n {
            130577 => (Protocol::Ocpp16, 16, 3, tethered(16), true, false),
            130578 => (Protocol::Ocpp16, 32, 1, tethered(32), true, false),
            130800 => (Protocol::Ocpp16, 16, 1, tethered(16), true, false),
            131134 => (Protocol::Ocpp16, 16, 3, tethered(16), true, true),
            131114 => (Protocol::Ocpp16, 32, 1, tethered(32), true, true),
            131133 => (Protocol::Ocpp16, 16, 1, tethered(16), true, true),
            100307 => (Protocol::Capi, 16, 1, tethered(16), false, false),
            100308 => (Protocol::Capi, 32, 1, tethered(32), false, false),
            101082 => (Protocol::Capi, 16, 3, tethered(16), false, false),
            SOCKET_VARIANT => (
                Protocol::Ocpp16,
                32,
                3,
                Connector::SocketWithLock,
                true,
                false,
            ),
            _ => return None,
        };
        Some(Variant {
            product_number: n,
            protocol,
            rated_current_a: rated,
            phases,
            connector,
            lan,
            domestic_socket: domestic,
        })
    }

    /// Every known product number, for error messages.
    pub const PRODUCT_NUMBERS: [u32; 10] = [
        130577,
        130578,
        130800,
        131134,
        131114,
        131133,
        100307,
        100308,
        101082,
        SOCKET_VARIANT,
    ];

    pub fn has_socket(&self) -> bool {
        self.connector == Connector::SocketWithLock
    }

    /// Nominal power at 230 V per phase, W.
    pub fn rated_power_w(&self) -> u32 {
        230 * self.rated_current_a * u32::from(self.phases)
    }
}
