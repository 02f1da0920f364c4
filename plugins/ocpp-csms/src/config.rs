//! The plugin's configuration: the rig file's `[csms]` section, as JSON.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;

use serde::Deserialize;

use plugin_api::kinds::csms::AuthorizationStatus;
use plugin_api::PluginError;

/// Every key of the `[csms]` section; unknown keys are refused with their name.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CsmsConfig {
    /// The plugin name, consumed by the host; accepted and ignored here.
    #[serde(default)]
    pub plugin: Option<String>,
    /// WebSocket listen address; port 0 picks a free port (reported by `endpoint`).
    #[serde(default = "default_listen")]
    pub listen: String,
    /// Path prefix of the endpoint URL; the charge point appends `/<identity>`.
    #[serde(default = "default_path")]
    pub path: String,
    /// 0 = plain ws, 1 = ws + HTTP Basic, 2 = wss (TLS ≥ 1.2) + HTTP Basic.
    #[serde(default)]
    pub security_profile: u8,
    /// The AuthorizationKey (Basic password) every charge point must present (profiles 1, 2).
    #[serde(default)]
    pub authorization_key: Option<String>,
    /// Per-identity keys; override `authorization_key`.
    #[serde(default)]
    pub authorization_keys: BTreeMap<String, String>,
    /// Allow-list of charge point identities; others get HTTP 404. Empty: everyone.
    #[serde(default)]
    pub charge_points: Vec<String>,
    /// Profile 2 with files (benches): PEM certificate chain and private key.
    #[serde(default)]
    pub tls_cert: Option<PathBuf>,
    #[serde(default)]
    pub tls_key: Option<PathBuf>,
    /// Profile 2 with generated certificates: where to write the CA certificate (PEM) for the
    /// charge point to trust; default `<temp dir>/ocpp-csms-<pid>-<port>-ca.pem`.
    #[serde(default)]
    pub ca_cert_out: Option<PathBuf>,
    /// Names the generated server certificate is valid for.
    #[serde(default = "default_hostnames")]
    pub tls_hostnames: Vec<String>,
    /// File server listen address (firmware downloads, diagnostics uploads); `"off"` disables.
    #[serde(default = "default_listen")]
    pub file_server_listen: String,
    /// Directory whose files the file server also serves under `/files/`.
    #[serde(default)]
    pub file_root: Option<PathBuf>,
    /// Initial BootNotification answer.
    #[serde(default = "default_boot_status")]
    pub boot_status: String,
    #[serde(default = "default_interval")]
    pub heartbeat_interval_s: u32,
    /// How idTags missing from the authorization table are answered.
    #[serde(default = "default_unknown")]
    pub unknown_id_tag_status: AuthorizationStatus,
    /// Accepted idTags known from the start.
    #[serde(default)]
    pub accepted_id_tags: Vec<String>,
    #[serde(default = "default_first_tx")]
    pub first_transaction_id: i32,
    /// A charge point must be Accepted (through BootNotification on this instance) before it
    /// may send any other CALL; otherwise the CALL is a violation answered with SecurityError.
    #[serde(default = "default_true")]
    pub require_boot: bool,
    /// Frames kept for matching between drains (oldest dropped first).
    #[serde(default = "default_log_limit")]
    pub log_limit: usize,
    /// Threads of the plugin's own tokio runtime.
    #[serde(default = "default_workers")]
    pub worker_threads: usize,
}

fn default_listen() -> String {
    "127.0.0.1:0".into()
}
fn default_path() -> String {
    "/ocpp".into()
}
fn default_hostnames() -> Vec<String> {
    vec!["localhost".into(), "127.0.0.1".into()]
}
fn default_boot_status() -> String {
    "Accepted".into()
}
fn default_interval() -> u32 {
    300
}
fn default_unknown() -> AuthorizationStatus {
    AuthorizationStatus::Invalid
}
fn default_first_tx() -> i32 {
    1
}
fn default_true() -> bool {
    true
}
fn default_log_limit() -> usize {
    200_000
}
fn default_workers() -> usize {
    // One thread answers 20 000 CALLs/s (see the benchmark); rigs run several instances at once.
    1
}

impl CsmsConfig {
    /// Parses and checks a configuration; errors name the key.
    pub fn from_json(value: serde_json::Value) -> Result<Self, PluginError> {
        let cfg: CsmsConfig = serde_json::from_value(value)
            .map_err(|e| PluginError::new(format!("csms config: {e}")))?;
        cfg.check()?;
        Ok(cfg)
    }

    fn check(&self) -> Result<(), PluginError> {
        let bad = |key: &str, msg: String| {
            Err(PluginError::new(format!("csms config key `{key}`: {msg}")))
        };
        if self.listen_addr().is_err() {
            return bad("listen", format!("{:?} is not host:port", self.listen));
        }
        if self.file_server_listen != "off"
            && self.file_server_listen.parse::<SocketAddr>().is_err()
        {
            return bad(
                "file_server_listen",
                format!("{:?} is not host:port or \"off\"", self.file_server_listen),
            );
        }
        if self.security_profile > 2 {
            return bad(
                "security_profile",
                format!("{} is not supported (0, 1 or 2)", self.security_profile),
            );
        }
        if self.security_profile >= 1
            && self.authorization_key.is_none()
            && self.authorization_keys.is_empty()
        {
            return bad(
                "authorization_key",
                format!("required for security_profile {}", self.security_profile),
            );
        }
        if self.tls_cert.is_some() != self.tls_key.is_some() {
            return bad("tls_cert", "tls_cert and tls_key go together".into());
        }
        if !["Accepted", "Pending", "Rejected"].contains(&self.boot_status.as_str()) {
            return bad(
                "boot_status",
                format!(
                    "{:?} is not Accepted, Pending or Rejected",
                    self.boot_status
                ),
            );
        }
        if !self.path.starts_with('/') {
            return bad("path", format!("{:?} must start with /", self.path));
        }
        if self.worker_threads == 0 {
            return bad("worker_threads", "must be at least 1".into());
        }
        Ok(())
    }

    pub fn listen_addr(&self) -> Result<SocketAddr, std::net::AddrParseError> {
        self.listen.parse()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn defaults_and_errors_name_the_key() {
        let c = CsmsConfig::from_json(json!({})).unwrap();
        assert_eq!(c.listen, "127.0.0.1:0");
        assert_eq!(c.security_profile, 0);
        let e = CsmsConfig::from_json(json!({"lisen": "x"})).unwrap_err();
        assert!(e.message().contains("lisen"), "{e}");
        let e = CsmsConfig::from_json(json!({"security_profile": 1})).unwrap_err();
        assert!(e.message().contains("authorization_key"), "{e}");
        let e = CsmsConfig::from_json(json!({"listen": "nowhere"})).unwrap_err();
        assert!(e.message().contains("`listen`"), "{e}");
        let c = CsmsConfig::from_json(json!({"security_profile": 1,
            "authorization_keys": {"A": "ka"}}))
        .unwrap();
        assert_eq!(c.authorization_keys["A"], "ka");
    }
}
