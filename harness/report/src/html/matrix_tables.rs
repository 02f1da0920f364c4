//! The conformance matrix part of the page: counts per group, then the OCTT and IEC tables.

use crate::escape::xml;
use crate::matrix::{ConformanceMatrix, MatrixRow, MatrixStatus};
use std::fmt::Write;

pub(super) fn matrix_section(page: &mut String, matrix: &ConformanceMatrix) {
    let (passed, failed, not_run) = matrix.counts();
    let _ = write!(
        page,
        "<section id=\"matrix\"><h2>Conformance matrix</h2>\
         <p>{passed} passed, {failed} failed, {not_run} not run. A requirement fails when any \
         scenario tagged with it fails; it passes when none fails and one passed.</p>"
    );
    group_counts(page, matrix);
    matrix_table(
        page,
        "OCTT OCPP 1.6 charge point test cases",
        "octt",
        &matrix.octt,
    );
    if matrix.iec.is_empty() {
        page.push_str(
            "<h3>IEC 61851-1</h3><p class=\"note\">No scenario in this run is tagged @IEC61851-1.</p>",
        );
    } else {
        matrix_table(
            page,
            "IEC 61851-1 rules covered by the features",
            "iec",
            &matrix.iec,
        );
    }
    page.push_str("</section>\n");
}

/// Passed / failed / not run per OCTT profile and for IEC 61851-1, as one small table.
fn group_counts(page: &mut String, matrix: &ConformanceMatrix) {
    let mut groups: Vec<(&str, [usize; 3])> = Vec::new();
    for row in matrix.octt.iter().chain(&matrix.iec) {
        let index = match groups.iter().position(|(g, _)| *g == row.group) {
            Some(index) => index,
            None => {
                groups.push((&row.group, [0; 3]));
                groups.len() - 1
            }
        };
        let column = match row.status {
            MatrixStatus::Passed => 0,
            MatrixStatus::Failed => 1,
            MatrixStatus::NotRun => 2,
        };
        groups[index].1[column] += 1;
    }
    page.push_str(
        "<table class=\"groups\"><thead><tr><th>Group</th><th>Passed</th><th>Failed</th>\
         <th>Not run</th></tr></thead><tbody>",
    );
    for (group, [passed, failed, not_run]) in groups {
        let class = if failed > 0 { " class=\"failed\"" } else { "" };
        let _ = write!(
            page,
            "<tr{class}><td>{}</td><td class=\"num\">{passed}</td><td class=\"num\">{failed}</td>\
             <td class=\"num\">{not_run}</td></tr>",
            xml(group)
        );
    }
    page.push_str("</tbody></table>");
}

fn matrix_table(page: &mut String, title: &str, id: &str, rows: &[MatrixRow]) {
    let _ = write!(
        page,
        "<details class=\"matrix\" open><summary><h3>{} ({} rows)</h3></summary>\
         <table class=\"matrix\" id=\"matrix-{id}\"><thead><tr><th>Id</th><th>Group</th>\
         <th>Name</th><th>Result</th><th>Scenarios / reason</th></tr></thead><tbody>",
        xml(title),
        rows.len()
    );
    for row in rows {
        let class = match row.status {
            MatrixStatus::Passed => "passed",
            MatrixStatus::Failed => "failed",
            MatrixStatus::NotRun => "notrun",
        };
        let links: Vec<String> = row
            .scenarios
            .iter()
            .map(|s| format!("<a href=\"#s-{0}\">{0}</a>", xml(s)))
            .collect();
        let _ = write!(
            page,
            "<tr class=\"{class}\"><td class=\"id\">{}</td><td>{}</td><td>{}</td>\
             <td class=\"status\">{}</td><td>{}{}{}</td></tr>",
            xml(&row.id),
            xml(&row.group),
            xml(&row.name),
            row.status.label(),
            xml(&row.note),
            if row.note.is_empty() || links.is_empty() {
                ""
            } else {
                "<br>"
            },
            links.join(" ")
        );
    }
    page.push_str("</tbody></table></details>");
}
