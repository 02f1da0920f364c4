//! Request-target and form decoding: percent-decoding, path segments with traversal refused,
//! `application/x-www-form-urlencoded` bodies.

/// Percent-decodes `input` (and `+` as a space when `plus_is_space`, for form bodies).
pub fn percent_decode(input: &str, plus_is_space: bool) -> Result<String, String> {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| format!("bad percent escape at byte {i} of {input:?}"))?;
                out.push(hex);
                i += 3;
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| format!("{input:?} does not decode to UTF-8"))
}

/// Splits an origin-form path (`/api/rfid/04A22B1A`) into decoded segments, dropping empty
/// ones. Refuses `.` and `..` segments (also when encoded as `%2e%2e`), and decoded segments
/// that contain `/`, `\` or control characters, so no segment can climb out of its place.
pub fn path_segments(path: &str) -> Result<Vec<String>, String> {
    if !path.starts_with('/') {
        return Err(format!("request target {path:?} must start with '/'"));
    }
    let mut segments = Vec::new();
    for raw in path.split('/') {
        let segment = percent_decode(raw, false)?;
        if segment == "." || segment == ".." {
            return Err(format!("path traversal refused in {path:?}"));
        }
        if segment.contains(['/', '\\']) || segment.chars().any(char::is_control) {
            return Err(format!(
                "path segment {raw:?} of {path:?} decodes to a separator or control character"
            ));
        }
        if !segment.is_empty() {
            segments.push(segment);
        }
    }
    Ok(segments)
}

/// Parses `a=1&b=x+y` into decoded pairs.
pub fn parse_form(body: &str) -> Result<Vec<(String, String)>, String> {
    body.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            Ok((percent_decode(name, true)?, percent_decode(value, true)?))
        })
        .collect()
}

/// The first value of `name` in decoded pairs.
pub fn field<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_decoded() {
        assert_eq!(path_segments("/"), Ok(vec![]));
        assert_eq!(
            path_segments("/api/rfid/04%3AA2"),
            Ok(vec!["api".into(), "rfid".into(), "04:A2".into()])
        );
        assert_eq!(path_segments("/status/"), Ok(vec!["status".into()]));
    }

    #[test]
    fn traversal_is_refused_in_every_spelling() {
        for path in [
            "/../etc/passwd",
            "/api/../status",
            "/%2e%2e/etc/passwd",
            "/%2E%2E/x",
            "/.%2e/x",
            "/./status",
            "/a/%2F/b",
            "/a%2f..%2fb",
            "/a%5c..%5cb",
            "/a%00b",
        ] {
            assert!(path_segments(path).is_err(), "{path} accepted");
        }
        assert!(path_segments("/%zz").is_err());
        assert!(path_segments("status").is_err());
        assert!(path_segments("http://evil/").is_err());
    }

    #[test]
    fn forms_decode_plus_and_escapes() {
        let pairs = parse_form("ssid=My+Net%21&pass=a%26b&empty=&flag").unwrap();
        assert_eq!(field(&pairs, "ssid"), Some("My Net!"));
        assert_eq!(field(&pairs, "pass"), Some("a&b"));
        assert_eq!(field(&pairs, "empty"), Some(""));
        assert_eq!(field(&pairs, "flag"), Some(""));
        assert_eq!(field(&pairs, "missing"), None);
        assert!(parse_form("a=%E2%28").is_err(), "invalid UTF-8");
    }
}
