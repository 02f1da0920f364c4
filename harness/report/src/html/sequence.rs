//! The OCPP message sequence diagram: two lifelines, one arrow per message, drawn as SVG by hand
//! (plotters has no notion of a sequence diagram, and text placement matters more here).

use crate::escape::xml;
use crate::model::{Direction, OcppMessage, OcppMessageKind};
use std::fmt::Write;

/// More arrows than this make the page slow and unreadable; the trace file has them all.
pub const MAX_ARROWS: usize = 120;

const WIDTH: u32 = 760;
const CP_X: u32 = 170;
const CSMS_X: u32 = 650;
const HEAD: u32 = 40;
const ROW: u32 = 24;

const CALL: &str = "#1f3b73";
const RESULT: &str = "#555555";
const BAD: &str = "#d62728";

/// Arrow heads, one per colour (ids are shared by all diagrams of a page; they are identical).
fn markers() -> String {
    [("seq-call", CALL), ("seq-result", RESULT), ("seq-bad", BAD)]
        .iter()
        .map(|(id, colour)| {
            format!(
                "<marker id=\"{id}\" markerWidth=\"8\" markerHeight=\"8\" refX=\"8\" refY=\"4\" \
                 orient=\"auto\"><path d=\"M0,0 L8,4 L0,8 z\" fill=\"{colour}\"/></marker>"
            )
        })
        .collect()
}

/// The diagram for `messages`, times in seconds since `t0_us`.
pub fn sequence_svg(messages: &[OcppMessage], t0_us: i64) -> String {
    let shown = &messages[..messages.len().min(MAX_ARROWS)];
    let hidden = messages.len() - shown.len();
    let height = HEAD + ROW * (shown.len() as u32 + 1) + if hidden > 0 { ROW } else { 0 };
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{height}\" \
         viewBox=\"0 0 {WIDTH} {height}\" font-family=\"sans-serif\" font-size=\"12\" \
         role=\"img\" aria-label=\"OCPP message sequence\">\
         <defs>{}</defs><rect width=\"100%\" height=\"100%\" fill=\"white\"/>",
        markers()
    );
    for (x, label) in [(CP_X, "Charge point"), (CSMS_X, "CSMS")] {
        let _ = write!(
            svg,
            "<text x=\"{x}\" y=\"20\" text-anchor=\"middle\" font-weight=\"bold\">{label}</text>\
             <line x1=\"{x}\" y1=\"28\" x2=\"{x}\" y2=\"{}\" stroke=\"#888\" stroke-dasharray=\"4 3\"/>",
            height - 6
        );
    }
    let _ = write!(svg, "<text x=\"8\" y=\"20\" fill=\"#555\">t / s</text>");
    for (i, message) in shown.iter().enumerate() {
        let y = HEAD + ROW * (i as u32 + 1);
        let (x1, x2) = match message.direction {
            Direction::ToCsms => (CP_X, CSMS_X),
            Direction::ToChargePoint => (CSMS_X, CP_X),
        };
        let bad = !message.valid
            || matches!(
                message.kind,
                OcppMessageKind::CallError | OcppMessageKind::Malformed
            );
        let (colour, marker) = if bad {
            (BAD, "seq-bad")
        } else if message.kind == OcppMessageKind::Call {
            (CALL, "seq-call")
        } else {
            (RESULT, "seq-result")
        };
        let dash = if message.kind == OcppMessageKind::Call {
            ""
        } else {
            " stroke-dasharray=\"6 4\""
        };
        let label = match (message.kind, message.valid) {
            (OcppMessageKind::Call, true) => message.action.clone(),
            (OcppMessageKind::CallResult, true) => format!("{} result", message.action),
            (OcppMessageKind::CallError, true) => format!("{} CallError", message.action),
            (OcppMessageKind::Malformed, true) => format!("{} malformed frame", message.action),
            (kind, false) => format!("{} {kind:?} \u{2717} schema violation", message.action),
        };
        let t = (message.t_us - t0_us) as f64 / 1e6;
        let _ = write!(
            svg,
            "<text x=\"8\" y=\"{}\" fill=\"#555\">{t:.3}</text>\
             <line x1=\"{x1}\" y1=\"{y}\" x2=\"{x2}\" y2=\"{y}\" stroke=\"{colour}\" stroke-width=\"1.5\"{dash} marker-end=\"url(#{marker})\"/>\
             <text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{colour}\">{}</text>",
            y + 4,
            (CP_X + CSMS_X) / 2,
            y - 5,
            xml(&label)
        );
    }
    if hidden > 0 {
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#555\">\u{2026} {hidden} more messages: see the trace file</text>",
            (CP_X + CSMS_X) / 2,
            HEAD + ROW * (shown.len() as u32 + 1) + 4
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(i: i64, kind: OcppMessageKind, valid: bool) -> OcppMessage {
        OcppMessage {
            t_us: i * 1000,
            direction: if i % 2 == 0 {
                Direction::ToCsms
            } else {
                Direction::ToChargePoint
            },
            action: "Boot<Notification>".into(),
            kind,
            valid,
        }
    }

    #[test]
    fn arrows_are_labelled_escaped_and_capped() {
        let svg = sequence_svg(
            &[
                message(0, OcppMessageKind::Call, true),
                message(1, OcppMessageKind::CallResult, false),
            ],
            0,
        );
        assert!(svg.contains("Boot&lt;Notification&gt;"));
        assert!(svg.contains("schema violation"));
        assert_eq!(svg.matches("marker-end").count(), 2);
        let many: Vec<_> = (0..MAX_ARROWS as i64 + 5)
            .map(|i| message(i, OcppMessageKind::Call, true))
            .collect();
        let svg = sequence_svg(&many, 0);
        assert_eq!(svg.matches("marker-end").count(), MAX_ARROWS);
        assert!(svg.contains("5 more messages"));
    }
}
