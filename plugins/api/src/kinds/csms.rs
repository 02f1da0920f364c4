//! Kind `csms`: the central system the charger under test connects to, and the judge of
//! everything it says over OCPP 1.6J.

use serde::{Deserialize, Serialize};

crate::method_set! {
    kind = "csms";
    /// What a mock CSMS plugin does.
    trait Csms {
        /// Where charge points connect, and the file server.
        fn endpoint(Endpoint) -> EndpointInfo;
        /// The answer to the next BootNotifications.
        fn set_boot_response(SetBootResponse) -> Done;
        /// How Authorize / StartTransaction answer for one idTag.
        fn set_authorization(SetAuthorization) -> Done;
        /// How idTags not in the table are answered.
        fn set_unknown_authorization(SetUnknownAuthorization) -> Done;
        /// Answer the next `times` CALLs of `action` with a CallError.
        fn fail_action(FailAction) -> Done;
        /// Delay the answers to `action`, or never answer them.
        fn delay_action(DelayAction) -> Done;
        /// Drop the connections and refuse new ones until `go_online` (or for a while).
        fn go_offline(GoOffline) -> Done;
        fn go_online(GoOnline) -> Done;
        /// A CSMS-initiated CALL; the outcome says whether and how the charge point answered.
        fn send_call(SendCall) -> CallOutcome;
        /// The sequence number of the latest recorded frame, to wait for frames after it.
        fn mark(MarkNow) -> Mark;
        /// Waits until every matcher matched a distinct frame after the mark, in any order.
        fn wait_for(WaitForFrames) -> Vec<RecordedFrame>;
        /// The frames of an action that arrive during a period (the step expects none).
        fn expect_none(ExpectNone) -> Vec<RecordedFrame>;
        /// Every protocol violation recorded after the mark.
        fn violations(Violations) -> Vec<Violation>;
        /// The charge points and their connection state.
        fn connections(Connections) -> Vec<ConnectionInfo>;
        /// Waits until the charge point is connected.
        fn wait_connected(WaitConnected) -> ConnectionInfo;
        /// What arrived at the file server (diagnostics uploads, firmware downloads).
        fn file_transfers(FileTransfers) -> Vec<FileTransfer>;
        /// The AuthorizationKey the CSMS expects from now on (after the scenario changed it on
        /// the charger with ChangeConfiguration), for one charge point or all.
        fn set_authorization_key(SetAuthorizationKey) -> Done;
        /// Back to the configured behaviour (boot answer, authorization table, no forced errors
        /// or delays, online) for the next scenario; registrations and connections stay.
        fn reset_script(ResetScript) -> Done;
    }
}

/// An empty reply.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Done {}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EndpointInfo {
    /// The URL a charge point appends `/<identity>` to, e.g. `ws://127.0.0.1:40123/ocpp`.
    pub url: String,
    pub port: u16,
    pub security_profile: u8,
    /// PEM file of the CA that signed the server certificate (profile 2), for the DUT to trust.
    pub ca_cert_path: Option<String>,
    /// Base URL of the file server (`http://127.0.0.1:port`).
    pub file_server_url: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RegistrationStatus {
    Accepted,
    Pending,
    Rejected,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetBootResponse {
    pub status: RegistrationStatus,
    pub interval_s: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuthorizationStatus {
    Accepted,
    Blocked,
    Expired,
    Invalid,
    ConcurrentTx,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetAuthorization {
    pub id_tag: String,
    pub status: AuthorizationStatus,
    #[serde(default)]
    pub parent_id_tag: Option<String>,
    /// RFC 3339.
    #[serde(default)]
    pub expiry_date: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetUnknownAuthorization {
    pub status: AuthorizationStatus,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FailAction {
    pub action: String,
    pub times: u32,
    /// A 1.6 CallError code, e.g. `InternalError`.
    pub error_code: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DelayAction {
    pub action: String,
    /// `None`: never answer.
    pub delay_ms: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoOffline {
    /// Refuse reconnections for this long, then accept again; `None`: until `go_online`.
    #[serde(default)]
    pub for_ms: Option<u64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoOnline {}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendCall {
    /// `None`: the only connected charge point.
    #[serde(default)]
    pub charge_point: Option<String>,
    pub action: String,
    pub payload: serde_json::Value,
    pub timeout_ms: u64,
    /// Send the payload even if it breaks the 1.6 schema (robustness tests of the charge
    /// point); by default an invalid payload is refused before sending.
    #[serde(default)]
    pub unchecked: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallOutcome {
    Result {
        payload: serde_json::Value,
    },
    Error {
        code: String,
        description: String,
        details: serde_json::Value,
    },
    Timeout,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarkNow {}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mark {
    pub seq: u64,
}

/// A CALL of `action` (or, with `message_type`, another frame) whose payload contains
/// `payload_subset` (objects: every key matches recursively; other values: equal).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrameMatcher {
    pub action: String,
    #[serde(default)]
    pub payload_subset: serde_json::Value,
    #[serde(default)]
    pub direction: Option<Direction>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaitForFrames {
    #[serde(default)]
    pub charge_point: Option<String>,
    pub matchers: Vec<FrameMatcher>,
    /// Only frames with a sequence number greater than this.
    pub after: u64,
    pub timeout_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectNone {
    #[serde(default)]
    pub charge_point: Option<String>,
    pub action: String,
    pub after: u64,
    pub during_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Violations {
    pub after: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Connections {}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaitConnected {
    #[serde(default)]
    pub charge_point: Option<String>,
    pub timeout_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnectionInfo {
    pub charge_point: String,
    pub connected: bool,
    pub security_profile: u8,
    /// The subprotocol agreed, if any.
    pub subprotocol: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileTransfers {}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResetScript {}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetAuthorizationKey {
    /// `None`: every charge point.
    #[serde(default)]
    pub charge_point: Option<String>,
    pub authorization_key: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileTransfer {
    pub t_us: i64,
    /// `GET` (a download by the charger) or `PUT`/`POST` (an upload).
    pub method: String,
    pub path: String,
    pub bytes: u64,
    pub status: u16,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Charge point → CSMS.
    FromChargePoint,
    /// CSMS → charge point.
    ToChargePoint,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageType {
    Call,
    CallResult,
    CallError,
    /// Not a valid OCPP-J frame at all.
    Malformed,
}

/// One frame as the CSMS saw it; also the line format of `traces/*.jsonl`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedFrame {
    pub seq: u64,
    /// µs since the Unix epoch.
    pub t_us: i64,
    /// µs on the plugin's monotonic clock, for intervals.
    pub mono_us: u64,
    pub charge_point: String,
    pub direction: Direction,
    pub message_type: MessageType,
    pub unique_id: Option<String>,
    /// For CALLs, and for answers the action of the CALL they answer.
    pub action: Option<String>,
    pub payload: serde_json::Value,
    pub raw: String,
    /// Empty when the frame passed every check.
    pub violations: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Violation {
    pub seq: u64,
    pub t_us: i64,
    pub charge_point: String,
    pub direction: Direction,
    /// The rule broken, e.g. `schema.required`, `framing.unique_id`.
    pub rule: String,
    pub message: String,
    pub raw: String,
}
