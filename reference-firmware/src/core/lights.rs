//! What the central light (around the RFID reader) and the ring light show.

use board_link::{LightPattern, LightSetting};

/// The situations the lights distinguish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LightState {
    /// Start-up and self-test.
    Booting,
    /// Idle and ready: solid white.
    Ready,
    /// A vehicle is connected (waiting for authorization or for the vehicle).
    VehicleConnected,
    Charging,
    /// A session is paused (by the vehicle, by a limit below 6 A, or by temperature).
    Paused,
    Fault,
    /// Set unavailable by the operator.
    Unavailable,
}

fn light(pattern: LightPattern, red: u8, green: u8, blue: u8) -> LightSetting {
    LightSetting {
        pattern,
        red,
        green,
        blue,
    }
}

/// (central, ring) for a state.
pub fn lights_for(state: LightState) -> (LightSetting, LightSetting) {
    use LightPattern::*;
    let white = |p| light(p, 255, 255, 255);
    let blue = |p| light(p, 0, 80, 255);
    match state {
        LightState::Booting => (white(Pulse), light(Off, 0, 0, 0)),
        LightState::Ready => (white(Solid), white(Solid)),
        LightState::VehicleConnected => (white(Solid), blue(Solid)),
        LightState::Charging => (white(Solid), blue(Pulse)),
        LightState::Paused => (white(Solid), blue(SlowBlink)),
        LightState::Fault => (light(FastBlink, 255, 0, 0), light(FastBlink, 255, 0, 0)),
        LightState::Unavailable => (light(Solid, 255, 0, 0), light(Off, 0, 0, 0)),
    }
}
