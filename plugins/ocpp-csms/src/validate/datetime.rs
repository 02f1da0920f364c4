//! RFC 3339 `date-time` check, as JSON Schema's `format: date-time` means it.
//!
//! Hand-written because general date parsers accept more than RFC 3339 (a space instead of `T`,
//! missing offsets, two-digit years), and the CSMS must be stricter than the charge point.

/// Checks `s` against RFC 3339 §5.6 `date-time`; the error says what was wrong.
pub fn check_rfc3339(s: &str) -> Result<(), String> {
    let b = s.as_bytes();
    let digits = |from: usize, n: usize| -> Result<u32, String> {
        let part = b
            .get(from..from + n)
            .ok_or_else(|| format!("too short for RFC 3339 date-time: {s:?}"))?;
        if !part.iter().all(u8::is_ascii_digit) {
            return Err(format!("expected {n} digits at offset {from} in {s:?}"));
        }
        Ok(part.iter().fold(0, |acc, d| acc * 10 + u32::from(d - b'0')))
    };
    let expect = |at: usize, chars: &[u8]| -> Result<(), String> {
        match b.get(at) {
            Some(c) if chars.contains(c) => Ok(()),
            _ => Err(format!(
                "expected {:?} at offset {at} in {s:?}",
                chars.iter().map(|&c| c as char).collect::<String>()
            )),
        }
    };
    let year = digits(0, 4)?;
    expect(4, b"-")?;
    let month = digits(5, 2)?;
    expect(7, b"-")?;
    let day = digits(8, 2)?;
    expect(10, b"Tt")?;
    let hour = digits(11, 2)?;
    expect(13, b":")?;
    let minute = digits(14, 2)?;
    expect(16, b":")?;
    let second = digits(17, 2)?;
    if !(1..=12).contains(&month) {
        return Err(format!("month {month} out of range in {s:?}"));
    }
    if day == 0 || day > days_in_month(year, month) {
        return Err(format!("day {day} out of range in {s:?}"));
    }
    if hour > 23 || minute > 59 || second > 60 {
        return Err(format!("time of day out of range in {s:?}"));
    }
    let mut at = 19;
    if b.get(at) == Some(&b'.') {
        at += 1;
        let start = at;
        while b.get(at).is_some_and(u8::is_ascii_digit) {
            at += 1;
        }
        if at == start {
            return Err(format!("empty fraction of a second in {s:?}"));
        }
    }
    match b.get(at) {
        Some(b'Z' | b'z') if at + 1 == b.len() => Ok(()),
        Some(b'+' | b'-') => {
            let oh = digits(at + 1, 2)?;
            expect(at + 3, b":")?;
            let om = digits(at + 4, 2)?;
            if oh > 23 || om > 59 {
                return Err(format!("offset out of range in {s:?}"));
            }
            if at + 6 != b.len() {
                return Err(format!("trailing characters after the offset in {s:?}"));
            }
            Ok(())
        }
        _ => Err(format!("missing time zone offset (Z or +hh:mm) in {s:?}")),
    }
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::check_rfc3339;

    #[test]
    fn accepts_rfc3339_forms() {
        for ok in [
            "2024-02-29T23:59:60Z",
            "2026-11-28T16:00:00.123Z",
            "2026-11-28t16:00:00+01:00",
            "2026-11-28T16:00:00.1-05:30",
        ] {
            assert_eq!(check_rfc3339(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn rejects_near_misses() {
        for bad in [
            "2026-11-28 16:00:00Z",
            "2026-11-28T16:00:00",
            "2023-02-29T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-11-28T24:00:00Z",
            "2026-11-28T16:00:00.Z",
            "2026-11-28T16:00:00+0100",
            "2026-11-28T16:00:00Zjunk",
            "26-11-28T16:00:00Z",
            "",
        ] {
            assert!(check_rfc3339(bad).is_err(), "{bad}");
        }
    }
}
