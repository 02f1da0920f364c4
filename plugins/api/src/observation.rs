use serde::{Deserialize, Serialize};

/// Something a plugin observed, kept until the host drains the record after a scenario.
///
/// `kind` says what it is (`cp_sample`, `frame`, `analyser_sample`, …) and `data` carries the
/// kind's own fields; the report generator knows the kinds it plots.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    /// Wall-clock time of the observation, microseconds since the Unix epoch.
    pub t_us: i64,
    pub kind: String,
    pub data: serde_json::Value,
}

impl Observation {
    pub fn new(kind: impl Into<String>, data: serde_json::Value) -> Self {
        Observation {
            t_us: now_us(),
            kind: kind.into(),
            data,
        }
    }
}

/// Microseconds since the Unix epoch. Host and plugins share one process and one clock, so
/// instants taken on either side of the ABI can be compared.
pub fn now_us() -> i64 {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    d.as_micros() as i64
}
