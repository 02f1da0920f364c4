//! The WT300-style SCPI this plugin speaks: the command strings and how replies are read.
//!
//! Pure functions only; README.md lists every command sent.

use plugin_api::kinds::power_analyser::ElementReading;

/// The numeric items configured per element, in this order.
pub const ITEMS_PER_ELEMENT: [&str; 8] = ["U", "I", "P", "S", "Q", "LAMBda", "FU", "WH"];

/// The highest element number a WT300-family analyser has (WT333: 3; leave room for others).
pub const MAX_ELEMENT: u8 = 6;

/// The value SCPI instruments send for "no data" (IEEE 488.2 NaN).
const SCPI_NAN: f64 = 9.91e37;

pub const IDENTIFY: &str = "*IDN?";
pub const CLEAR_STATUS: &str = "*CLS";
pub const ERROR_QUERY: &str = ":SYSTem:ERRor?";
pub const FORMAT_ASCII: &str = ":NUMeric:FORMat ASCII";
pub const VALUE_QUERY: &str = ":NUMeric:NORMal:VALue?";
pub const INTEGRATE_START: &str = ":INTEGrate:STARt";
pub const INTEGRATE_STOP: &str = ":INTEGrate:STOP";
pub const INTEGRATE_RESET: &str = ":INTEGrate:RESet";
pub const INTEGRATE_STATE: &str = ":INTEGrate:STATe?";

/// Checks a list of 1-based elements: non-empty, in range, no repeats.
pub fn check_elements(elements: &[u8]) -> Result<(), String> {
    if elements.is_empty() {
        return Err("no elements given; name at least one (1-based)".into());
    }
    for (i, e) in elements.iter().enumerate() {
        if *e == 0 || *e > MAX_ELEMENT {
            return Err(format!("element {e} is outside 1..{MAX_ELEMENT}"));
        }
        if elements[..i].contains(e) {
            return Err(format!("element {e} is named twice"));
        }
    }
    Ok(())
}

/// The commands that make `:NUMeric:NORMal:VALue?` return all items of `elements`, in order:
/// for each element U, I, P, S, Q, LAMBda, FU, WH.
pub fn item_commands(elements: &[u8]) -> Vec<String> {
    let mut commands = vec![format!(
        ":NUMeric:NORMal:NUMber {}",
        elements.len() * ITEMS_PER_ELEMENT.len()
    )];
    let mut k = 1;
    for element in elements {
        for item in ITEMS_PER_ELEMENT {
            commands.push(format!(":NUMeric:NORMal:ITEM{k} {item},{element}"));
            k += 1;
        }
    }
    commands
}

/// Reads the answer to `:SYSTem:ERRor?`: `Ok(())` for code 0, the instrument's error otherwise.
pub fn parse_error_reply(reply: &str) -> Result<Result<(), String>, String> {
    let (code, text) = reply.split_once(',').ok_or_else(|| {
        format!("garbled reply {reply:?} to `{ERROR_QUERY}`: expected `<code>,\"<text>\"`")
    })?;
    let code: i32 = code.trim().parse().map_err(|_| {
        format!("garbled reply {reply:?} to `{ERROR_QUERY}`: expected a numeric code")
    })?;
    let text = text.trim().trim_matches('"');
    Ok(if code == 0 {
        Ok(())
    } else {
        Err(format!("{code},\"{text}\""))
    })
}

/// One numeric value; `None` for the instrument's "no data" (NAN, INF, 9.91E+37, `-`).
fn parse_value(field: &str) -> Result<Option<f64>, String> {
    let field = field.trim();
    let upper = field.to_ascii_uppercase();
    if ["NAN", "INF", "-INF", "+INF", "-"].contains(&upper.as_str()) {
        return Ok(None);
    }
    let value: f64 = field
        .parse()
        .map_err(|_| format!("value {field:?} is not a number"))?;
    Ok((value.is_finite() && value.abs() < SCPI_NAN * 0.99).then_some(value))
}

/// Turns the answer to `:NUMeric:NORMal:VALue?` into readings for `configured` elements, and
/// the integrated energy per element. Frequency and power factor without data read 0 (no
/// signal, no defined phase angle); any other item without data is an error.
pub fn parse_values(
    reply: &str,
    configured: &[u8],
) -> Result<(Vec<ElementReading>, Vec<f64>), String> {
    let fields: Vec<&str> = reply.trim().split(',').collect();
    let expected = configured.len() * ITEMS_PER_ELEMENT.len();
    if fields.len() != expected {
        return Err(format!(
            "garbled reply to `{VALUE_QUERY}`: {} values, expected {expected} ({} elements x U,I,P,S,Q,LAMBda,FU,WH)",
            fields.len(),
            configured.len()
        ));
    }
    let mut readings = Vec::with_capacity(configured.len());
    let mut energies = Vec::with_capacity(configured.len());
    for (chunk, element) in fields.chunks(ITEMS_PER_ELEMENT.len()).zip(configured) {
        let mut v = [0.0; 8];
        for (i, field) in chunk.iter().enumerate() {
            let item = ITEMS_PER_ELEMENT[i];
            v[i] = match parse_value(field).map_err(|e| format!("{item},{element}: {e}"))? {
                Some(x) => x,
                None if item == "FU" || item == "LAMBda" => 0.0,
                None => {
                    return Err(format!(
                        "the analyser has no valid {item} for element {element} (sent {field:?})"
                    ))
                }
            };
        }
        readings.push(ElementReading {
            element: *element,
            voltage_v: v[0],
            current_a: v[1],
            power_w: v[2],
            apparent_va: v[3],
            reactive_var: v[4],
            power_factor: v[5],
            frequency_hz: v[6],
        });
        energies.push(v[7]);
    }
    Ok((readings, energies))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_for_two_elements() {
        let c = item_commands(&[1, 3]);
        assert_eq!(c.len(), 17);
        assert_eq!(c[0], ":NUMeric:NORMal:NUMber 16");
        assert_eq!(c[1], ":NUMeric:NORMal:ITEM1 U,1");
        assert_eq!(c[6], ":NUMeric:NORMal:ITEM6 LAMBda,1");
        assert_eq!(c[9], ":NUMeric:NORMal:ITEM9 U,3");
        assert_eq!(c[16], ":NUMeric:NORMal:ITEM16 WH,3");
    }

    #[test]
    fn elements_are_checked() {
        assert!(check_elements(&[]).is_err());
        assert!(check_elements(&[0]).is_err());
        assert!(check_elements(&[1, 1]).unwrap_err().contains("twice"));
        assert!(check_elements(&[1, 2, 3]).is_ok());
    }

    #[test]
    fn error_queue_replies() {
        assert_eq!(parse_error_reply("0,\"No error\"").unwrap(), Ok(()));
        assert_eq!(
            parse_error_reply("-113,\"Undefined header\"").unwrap(),
            Err("-113,\"Undefined header\"".into())
        );
        assert!(parse_error_reply("fine").is_err());
        assert!(parse_error_reply("x,\"y\"").is_err());
    }

    #[test]
    fn values_with_and_without_data() {
        let (r, wh) = parse_values(
            "2.3012E+02,1.6001E+01,3.6800E+03,3.6822E+03,1.2E+02,0.9994E+00,5.0000E+01,1.234E+00",
            &[2],
        )
        .unwrap();
        assert_eq!(r[0].element, 2);
        assert_eq!(r[0].voltage_v, 230.12);
        assert_eq!(r[0].frequency_hz, 50.0);
        assert_eq!(wh, [1.234]);
        let (r, _) = parse_values("0,0,0,0,0,NAN,9.91E+37,0", &[1]).unwrap();
        assert_eq!((r[0].power_factor, r[0].frequency_hz), (0.0, 0.0));
        assert!(parse_values("NAN,0,0,0,0,0,0,0", &[1])
            .unwrap_err()
            .contains("no valid U for element 1"));
        assert!(parse_values("1,2,3", &[1])
            .unwrap_err()
            .contains("3 values, expected 8"));
        assert!(parse_values("1,2,3,4,5,6,7,x", &[1])
            .unwrap_err()
            .contains("WH,1"));
    }
}
