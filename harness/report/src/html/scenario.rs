//! The scenarios part of the page: one collapsible block per scenario, failed ones first, with
//! steps, measurements against limits, plots and the OCPP sequence.

use super::{plots, sequence};
use crate::escape::xml;
use crate::model::{MeasurementVerdict, Scenario, Verdict};
use std::fmt::Write;

/// Failed first, then not run, then passed; finishing order within each.
fn display_order(scenarios: &[Scenario]) -> Vec<&Scenario> {
    let rank = |s: &Scenario| match s.verdict {
        Verdict::Failed => 0,
        Verdict::Skipped { .. } => 1,
        Verdict::Passed => 2,
    };
    let mut ordered: Vec<&Scenario> = scenarios.iter().collect();
    ordered.sort_by_key(|s| rank(s));
    ordered
}

pub(super) fn scenarios_section(page: &mut String, scenarios: &[Scenario]) {
    page.push_str("<section id=\"scenarios\"><h2>Scenarios (failures first)</h2>\n");
    if scenarios.is_empty() {
        page.push_str("<p class=\"note\">No scenario has finished.</p>");
    }
    for scenario in display_order(scenarios) {
        scenario_block(page, scenario);
    }
    page.push_str("</section>\n");
}

fn scenario_block(page: &mut String, scenario: &Scenario) {
    let (class, label) = match scenario.verdict {
        Verdict::Passed => ("passed", "PASSED"),
        Verdict::Failed => ("failed", "FAILED"),
        Verdict::Skipped { .. } => ("skipped", "NOT RUN"),
    };
    let open = if scenario.verdict == Verdict::Failed {
        " open"
    } else {
        ""
    };
    let _ = write!(
        page,
        "<details class=\"scenario {class}\" id=\"s-{}\" data-verdict=\"{}\"{open}><summary>\
         <span class=\"badge\">{label}</span> <span class=\"name\">{}</span> \
         <span class=\"where\">{}:{} \u{00b7} {:.2} s</span></summary><div class=\"body\">",
        xml(&scenario.id),
        scenario.verdict.as_str(),
        xml(&scenario.name),
        xml(&scenario.feature_path),
        scenario.line,
        scenario.duration_s
    );
    match &scenario.verdict {
        Verdict::Failed => {
            if let Some(known) = &scenario.known_failure {
                let _ = write!(
                    page,
                    "<p class=\"why\">Known failure of this DUT: {}</p>",
                    xml(known)
                );
            }
            let _ = write!(
                page,
                "<p class=\"why\">{}</p>",
                xml(&crate::junit::failure_message(scenario))
            );
        }
        Verdict::Skipped { reason } => {
            let _ = write!(page, "<p class=\"why\">Not run: {}</p>", xml(reason));
        }
        Verdict::Passed => {}
    }
    // The scenario-level error, unless it is already the failure message shown above.
    if let Some(error) = &scenario.error {
        if scenario.verdict != Verdict::Failed || crate::junit::failure_message(scenario) != *error
        {
            let _ = write!(page, "<p class=\"why\">{}</p>", xml(error));
        }
    }
    if !scenario.tags.is_empty() {
        page.push_str("<p class=\"tags\">");
        for tag in &scenario.tags {
            let _ = write!(page, "<span class=\"tag\">{}</span> ", xml(tag));
        }
        page.push_str("</p>");
    }
    steps_table(page, scenario);
    measurements_table(page, scenario);
    plots_block(page, scenario);
    if let Some(trace) = &scenario.trace {
        let _ = write!(
            page,
            "<p class=\"trace\">OCPP trace: <a href=\"{0}\">{0}</a></p>",
            xml(trace)
        );
    }
    page.push_str("</div></details>\n");
}

fn steps_table(page: &mut String, scenario: &Scenario) {
    if scenario.steps.is_empty() {
        return;
    }
    page.push_str("<table class=\"steps\"><thead><tr><th>Step</th><th>Line</th><th>Result</th><th>Time</th></tr></thead><tbody>");
    for step in &scenario.steps {
        let _ = write!(
            page,
            "<tr class=\"{0}\"><td><b>{1}</b> {2}{3}</td><td>{4}</td><td class=\"status\">{0}</td><td>{5:.3} s</td></tr>",
            step.status.as_str(),
            xml(&step.keyword),
            xml(&step.text),
            step.error
                .as_ref()
                .map(|e| format!("<div class=\"error\">{}</div>", xml(e)))
                .unwrap_or_default(),
            step.line,
            step.duration_s
        );
    }
    page.push_str("</tbody></table>");
}

fn measurements_table(page: &mut String, scenario: &Scenario) {
    if scenario.measurements.is_empty() {
        return;
    }
    page.push_str(
        "<table class=\"measurements\"><thead><tr><th>Measurement</th><th>Value</th><th>Low</th>\
         <th>High</th><th>Result</th><th>Position in limits</th></tr></thead><tbody>",
    );
    for m in &scenario.measurements {
        let class = match m.verdict {
            MeasurementVerdict::Passed => "passed",
            MeasurementVerdict::Failed => "failed",
        };
        let limit = |v: Option<f64>| {
            v.map(|v| format!("{} {}", number(v), xml(&m.unit)))
                .unwrap_or_else(|| "\u{2014}".into())
        };
        let _ = write!(
            page,
            "<tr class=\"{class}\"><td>{}</td><td class=\"num\">{} {}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"status\">{class}</td><td>{}</td></tr>",
            xml(&m.name),
            number(m.value),
            xml(&m.unit),
            limit(m.low),
            limit(m.high),
            limit_gauge(m.value, m.low, m.high, class)
        );
    }
    page.push_str("</tbody></table>");
}

/// A small bar showing where the value lies between its limits (only with both limits).
fn limit_gauge(value: f64, low: Option<f64>, high: Option<f64>, class: &str) -> String {
    let (Some(low), Some(high)) = (low, high) else {
        return String::new();
    };
    if high <= low || high.is_nan() || low.is_nan() || !value.is_finite() {
        return String::new();
    }
    let span = high - low;
    let position = ((value - (low - span * 0.25)) / (span * 1.5)).clamp(0.0, 1.0) * 150.0;
    format!(
        "<svg class=\"gauge\" width=\"160\" height=\"14\" viewBox=\"0 0 160 14\" role=\"img\" aria-label=\"value within limits\">\
         <rect x=\"5\" y=\"5\" width=\"150\" height=\"4\" fill=\"#ddd\"/>\
         <rect x=\"42.5\" y=\"3\" width=\"75\" height=\"8\" fill=\"#cfe8cf\"/>\
         <circle cx=\"{:.1}\" cy=\"7\" r=\"5\" class=\"dot {class}\"/></svg>",
        5.0 + position
    )
}

fn number(v: f64) -> String {
    if v.is_finite() && v.fract() == 0.0 && v.abs() < 1e12 {
        format!("{v:.0}")
    } else if v.is_finite() {
        let text = format!("{v:.4}");
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        v.to_string()
    }
}

fn plots_block(page: &mut String, scenario: &Scenario) {
    let obs = &scenario.observations;
    if obs.is_empty() {
        return;
    }
    let t0 = scenario.started.timestamp_micros();
    page.push_str("<div class=\"plots\">");
    for plot in plots::plots(obs, t0) {
        let _ = write!(page, "<figure><figcaption>{}</figcaption>", xml(plot.title));
        match plot.svg {
            Ok(svg) => page.push_str(&svg),
            Err(error) => {
                let _ = write!(
                    page,
                    "<p class=\"note\">Plot not drawn: {}</p>",
                    xml(&error)
                );
            }
        }
        page.push_str("</figure>");
    }
    if !obs.ocpp.is_empty() {
        page.push_str("<figure><figcaption>OCPP message sequence</figcaption>");
        page.push_str(&sequence::sequence_svg(&obs.ocpp, t0));
        page.push_str("</figure>");
    }
    page.push_str("</div>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short() {
        assert_eq!(number(32.0), "32");
        assert_eq!(number(0.1250), "0.125");
        assert_eq!(number(f64::NAN), "NaN");
    }

    #[test]
    fn gauge_only_with_both_limits() {
        assert!(limit_gauge(5.0, Some(0.0), None, "passed").is_empty());
        assert!(limit_gauge(5.0, Some(0.0), Some(10.0), "passed").contains("cx=\"80.0\""));
    }
}
