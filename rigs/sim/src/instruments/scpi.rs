//! The generic half of SCPI: splitting a program message into units, resolving headers that are
//! relative to the previous one, and matching headers in short or long form, case-insensitively.

/// One command or query of a program message, with its full header resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    /// Header nodes without colons, e.g. `["NUM", "NORM", "ITEM3"]`, or `["*IDN"]`.
    pub nodes: Vec<String>,
    pub query: bool,
    /// Parameters split at commas, trimmed.
    pub params: Vec<String>,
}

/// Why a unit could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError(pub String);

/// Splits a line into units at `;`, resolving a header without a leading colon against the
/// path of the previous unit (IEEE 488.2 / SCPI compound command rule).
pub fn parse_message(line: &str) -> Vec<Result<Unit, SyntaxError>> {
    let mut units = Vec::new();
    let mut base: Vec<String> = Vec::new();
    for text in line.split(';') {
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        let parsed = parse_unit(text, &base);
        if let Ok(unit) = &parsed {
            if !unit.nodes[0].starts_with('*') {
                base = unit.nodes[..unit.nodes.len() - 1].to_vec();
            }
        }
        units.push(parsed);
    }
    units
}

fn parse_unit(text: &str, base: &[String]) -> Result<Unit, SyntaxError> {
    let (header, rest) = match text.find(char::is_whitespace) {
        Some(at) => (&text[..at], text[at..].trim()),
        None => (text, ""),
    };
    let (header, query) = match header.strip_suffix('?') {
        Some(h) => (h, true),
        None => (header, false),
    };
    if header.is_empty() {
        return Err(SyntaxError(format!("empty header in '{text}'")));
    }
    let valid = |c: char| c.is_ascii_alphanumeric() || c == ':' || c == '*' || c == '_';
    if !header.chars().all(valid) {
        return Err(SyntaxError(format!(
            "invalid character in header '{header}'"
        )));
    }
    let nodes: Vec<String> = if header.starts_with('*') {
        vec![header.to_ascii_uppercase()]
    } else {
        let absolute = header.starts_with(':');
        let parts: Vec<String> = header
            .trim_start_matches(':')
            .split(':')
            .map(|n| n.to_ascii_uppercase())
            .collect();
        if parts.iter().any(|p| p.is_empty()) {
            return Err(SyntaxError(format!("empty node in header '{header}'")));
        }
        if absolute {
            parts
        } else {
            base.iter().cloned().chain(parts).collect()
        }
    };
    let params = if rest.is_empty() {
        Vec::new()
    } else {
        rest.split(',').map(|p| p.trim().to_string()).collect()
    };
    Ok(Unit {
        nodes,
        query,
        params,
    })
}

/// Whether `word` (upper-cased input) names the mnemonic `spec`, written with its short form in
/// capitals (`NUMeric` accepts `NUM` and `NUMERIC`).
pub fn mnemonic_matches(spec: &str, word: &str) -> bool {
    let short: String = spec.chars().filter(|c| !c.is_ascii_lowercase()).collect();
    word == short || word == spec.to_ascii_uppercase()
}

/// Matches resolved header nodes against a pattern such as `NUMeric:[NORMal]:ITEM#`, where `[..]`
/// marks an optional node and a trailing `#` a numeric suffix. Returns the suffix (1 when the
/// input omits it) of the `#` node, or 0 when the pattern has none.
pub fn match_header(pattern: &str, nodes: &[String]) -> Option<u32> {
    let specs: Vec<&str> = pattern.split(':').collect();
    match_from(&specs, nodes)
}

fn match_from(specs: &[&str], nodes: &[String]) -> Option<u32> {
    let Some((&spec, rest_specs)) = specs.split_first() else {
        return nodes.is_empty().then_some(0);
    };
    if let Some(inner) = spec.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
        // Either present or skipped.
        if let Some((node, rest_nodes)) = nodes.split_first() {
            if let Some(n) = match_node(inner, node) {
                if let Some(m) = match_from(rest_specs, rest_nodes) {
                    return Some(n.max(m));
                }
            }
        }
        return match_from(rest_specs, nodes);
    }
    let (node, rest_nodes) = nodes.split_first()?;
    let n = match_node(spec, node)?;
    match_from(rest_specs, rest_nodes).map(|m| n.max(m))
}

fn match_node(spec: &str, node: &str) -> Option<u32> {
    match spec.strip_suffix('#') {
        Some(base) => {
            let digits_at = node
                .rfind(|c: char| !c.is_ascii_digit())
                .map_or(0, |i| i + 1);
            let (word, digits) = node.split_at(digits_at);
            if !mnemonic_matches(base, word) {
                return None;
            }
            if digits.is_empty() {
                Some(1)
            } else {
                digits.parse().ok().filter(|n| *n > 0)
            }
        }
        None => mnemonic_matches(spec, node).then_some(0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nodes(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn compound_messages_resolve_relative_headers() {
        let units = parse_message(":num:norm:item1 U,1;ITEM2 i,2;*OPC?;:INTEG:STAR");
        let u: Vec<Unit> = units.into_iter().map(Result::unwrap).collect();
        assert_eq!(u[0].nodes, nodes(&["NUM", "NORM", "ITEM1"]));
        assert_eq!(u[0].params, vec!["U", "1"]);
        assert_eq!(u[1].nodes, nodes(&["NUM", "NORM", "ITEM2"]));
        assert_eq!(u[2].nodes, nodes(&["*OPC"]));
        assert!(u[2].query);
        assert_eq!(u[3].nodes, nodes(&["INTEG", "STAR"]));
    }

    #[test]
    fn short_long_optional_and_suffix_forms_match() {
        let p = "NUMeric:[NORMal]:ITEM#";
        assert_eq!(
            match_header(p, &nodes(&["NUM", "NORM", "ITEM12"])),
            Some(12)
        );
        assert_eq!(match_header(p, &nodes(&["NUMERIC", "ITEM"])), Some(1));
        assert_eq!(match_header(p, &nodes(&["NUMER", "ITEM1"])), None);
        assert_eq!(
            match_header("SYSTem:ERRor:[NEXT]", &nodes(&["SYST", "ERR"])),
            Some(0)
        );
        assert_eq!(
            match_header("SYSTem:ERRor:[NEXT]", &nodes(&["SYSTEM", "ERROR", "NEXT"])),
            Some(0)
        );
    }

    #[test]
    fn bad_headers_are_syntax_errors() {
        assert!(parse_message(":NUM::ITEM1").remove(0).is_err());
        assert!(parse_message("NUM$").remove(0).is_err());
    }
}
