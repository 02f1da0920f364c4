//! The ready light: after its start-up self-test the unit shows a solid white central light.
//! On the emulated station the light is read from the simulator's `STATE?` answer
//! (`central_light=solid:255,255,255`); a real station reads it with a colour sensor that
//! reports the same `pattern:r,g,b` text.

use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Light {
    /// `off`, `solid`, `slow_blink`, `fast_blink`, `pulse`.
    pub pattern: Pattern,
    pub rgb: [u8; 3],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pattern {
    Off,
    Solid,
    SlowBlink,
    FastBlink,
    Pulse,
}

/// `solid:255,255,255` → a light; `off` alone is accepted too.
pub fn parse_light(text: &str) -> Result<Light, String> {
    let bad = || format!("light `{text}` is not `pattern:r,g,b`");
    let (pattern, rgb) = match text.split_once(':') {
        Some((p, rgb)) => (p, Some(rgb)),
        None => (text, None),
    };
    let pattern = match pattern {
        "off" => Pattern::Off,
        "solid" => Pattern::Solid,
        "slow_blink" => Pattern::SlowBlink,
        "fast_blink" => Pattern::FastBlink,
        "pulse" => Pattern::Pulse,
        _ => return Err(bad()),
    };
    let rgb = match rgb {
        None => [0, 0, 0],
        Some(rgb) => {
            let parts: Vec<u8> = rgb
                .split(',')
                .map(|c| c.trim().parse::<u8>())
                .collect::<Result<_, _>>()
                .map_err(|_| bad())?;
            <[u8; 3]>::try_from(parts).map_err(|_| bad())?
        }
    };
    Ok(Light { pattern, rgb })
}

impl Light {
    /// Solid and white: every channel bright and the three within 15 % of each other (an LED's
    /// white is never exactly 255,255,255 through a sensor).
    pub fn is_ready_white(&self) -> bool {
        let max = *self.rgb.iter().max().unwrap_or(&0) as f64;
        let min = *self.rgb.iter().min().unwrap_or(&0) as f64;
        self.pattern == Pattern::Solid && min >= 180.0 && (max - min) <= 0.15 * max
    }
}

/// The simulator's `STATE?` data: space-separated `key=value` pairs.
pub fn parse_state(data: &str) -> BTreeMap<String, String> {
    data.split_whitespace()
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_white() {
        assert!(parse_light("solid:255,255,255").unwrap().is_ready_white());
        assert!(parse_light("solid:240,250,230").unwrap().is_ready_white());
        assert!(!parse_light("slow_blink:255,255,255")
            .unwrap()
            .is_ready_white());
        assert!(!parse_light("solid:0,0,255").unwrap().is_ready_white());
        assert!(!parse_light("off").unwrap().is_ready_white());
        assert!(parse_light("solid:255,255").is_err());
        assert!(parse_light("glow:1,2,3").is_err());
    }

    #[test]
    fn state_pairs() {
        let s = parse_state("t_us=5 central_light=solid:255,255,255 ring_light=off:0,0,0");
        assert_eq!(s["central_light"], "solid:255,255,255");
        assert_eq!(s.len(), 3);
    }
}
