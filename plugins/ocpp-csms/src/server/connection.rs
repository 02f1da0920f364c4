//! One charge point's WebSocket connection: validates what arrives, answers as scripted,
//! carries CSMS-initiated calls and records every frame in both directions.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::{mpsc, Notify};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

use plugin_api::kinds::csms::{CallOutcome, Direction};

use crate::script::Reaction;
use crate::state::Shared;
use crate::validate::{
    self, frame, CallErrorCode, Frame, Inspection, RuleKind, Sender, Session, Violation,
};

enum Outgoing {
    Text(String),
    /// Drop the connection without a closing handshake (a network cut).
    Drop,
    /// Send a Close frame, then end.
    Close,
}

/// A live connection, shared by its reader task, delayed answers and blocking plugin calls.
pub struct Conn {
    pub identity: String,
    /// Distinguishes successive connections of one identity.
    pub number: u64,
    shared: Arc<Shared>,
    session: Mutex<Session>,
    tx: mpsc::UnboundedSender<Outgoing>,
    /// Waiters of CSMS-initiated CALLs; std channels so that the blocking plugin call needs
    /// no runtime context.
    pending: Mutex<HashMap<String, std::sync::mpsc::SyncSender<CallOutcome>>>,
    kill: Notify,
}

impl Conn {
    fn lock_session(&self) -> std::sync::MutexGuard<'_, Session> {
        self.session.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Validates and records a frame the CSMS sends, then queues it. `checked` = false for
    /// CallErrors echoing a malformed CALL (whose id may itself break the rules).
    fn send(&self, frame: Frame, checked: bool) {
        let text = frame.to_text();
        let mut session = self.lock_session();
        let mut ins = validate::inspect_frame(&mut session, Sender::CentralSystem, frame);
        if !checked {
            ins.violations.clear();
        }
        let mono = self.shared.mono_us();
        self.shared.lock().record_frame(
            mono,
            &self.identity,
            Direction::ToChargePoint,
            ins,
            text.clone(),
        );
        let _ = self.tx.send(Outgoing::Text(text));
        drop(session);
        self.shared.changed.notify_all();
    }

    /// Sends a CALL and returns the receiver of its outcome. `checked` = false records the
    /// frame without judging it (a deliberately malformed CALL of a robustness test).
    pub fn start_call(
        &self,
        id: String,
        action: &str,
        payload: serde_json::Value,
        checked: bool,
    ) -> std::sync::mpsc::Receiver<CallOutcome> {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        self.pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id.clone(), tx);
        if action == "TriggerMessage" || action == "ExtendedTriggerMessage" {
            if let Some(requested) = payload.get("requestedMessage").and_then(|v| v.as_str()) {
                // ExtendedTriggerMessage names the certificate request differently.
                let requested = match requested {
                    "SignChargePointCertificate" => "SignCertificate",
                    other => other,
                };
                self.shared
                    .lock()
                    .script
                    .note_trigger(&self.identity, requested);
            }
        }
        self.send(
            Frame::Call {
                id,
                action: action.to_string(),
                payload,
            },
            checked,
        );
        rx
    }

    /// The CSMS stops waiting for the answer to its CALL `id`.
    pub fn give_up_call(&self, id: &str) {
        self.pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(id);
        self.lock_session().give_up(Sender::CentralSystem, id);
    }

    /// Cuts the connection (no closing handshake).
    pub fn cut(&self) {
        let _ = self.tx.send(Outgoing::Drop);
        self.kill.notify_one();
    }

    fn on_text(self: &Arc<Self>, text: &str) {
        let now = Instant::now();
        let mono = self.shared.mono_us();
        let mut ins = {
            let mut session = self.lock_session();
            validate::inspect(&mut session, Sender::ChargePoint, text)
        };
        let reaction = self.decide(&mut ins, now);
        let answer_to_csms = match &ins.frame {
            Some(f @ (Frame::CallResult { .. } | Frame::CallError { .. })) => Some(f.clone()),
            _ => None,
        };
        let id = ins.id.clone();
        let call_was_valid = ins.violations.is_empty();
        self.shared.lock().record_frame(
            mono,
            &self.identity,
            Direction::FromChargePoint,
            ins,
            text.to_string(),
        );
        self.shared.changed.notify_all();
        if let Some(f) = &answer_to_csms {
            self.resolve_pending(f);
        }
        if let (Some(reaction), Some(id)) = (reaction, id) {
            self.answer(id, reaction, call_was_valid);
        }
    }

    /// What to answer to a frame from the charge point (`None` for answers and unaddressable
    /// frames); adds registration violations to `ins`.
    fn decide(&self, ins: &mut Inspection, now: Instant) -> Option<Reaction> {
        if matches!(ins.message_type, Some(frame::CALLRESULT | frame::CALLERROR)) {
            let state = self.shared.lock();
            if let Some(v) = state.script.check_answer_allowed(&self.identity, now) {
                ins.violations.push(v);
            }
            return None;
        }
        if ins.message_type != Some(frame::CALL) || ins.id.is_none() {
            return None;
        }
        if let Some((code, v)) = ins.call_error() {
            return Some(Reaction::Error {
                code,
                description: format!("{v}"),
                delay: Duration::ZERO,
            });
        }
        let action = ins.action.clone().unwrap_or_default();
        let mut state = self.shared.lock();
        if let Some(v) = state
            .script
            .check_registration(&self.identity, &action, now)
        {
            let description = v.message.clone();
            ins.violations.push(v);
            // OCPP-J errata 3.8: SecurityError is the CSMS answer to CALLs before Accepted.
            return Some(Reaction::Error {
                code: CallErrorCode::SecurityError,
                description,
                delay: Duration::ZERO,
            });
        }
        let null = serde_json::Value::Null;
        let payload = ins.payload().unwrap_or(&null);
        Some(
            state
                .script
                .react(&self.identity, &action, payload, now, chrono::Utc::now()),
        )
    }

    fn answer(self: &Arc<Self>, id: String, reaction: Reaction, call_was_valid: bool) {
        let (frame, delay) = match reaction {
            Reaction::Silence => {
                self.lock_session().release(Sender::ChargePoint, &id);
                return;
            }
            Reaction::Result { payload, delay } => (Frame::CallResult { id, payload }, delay),
            Reaction::Error {
                code,
                description,
                delay,
            } => (Frame::call_error(&id, code, description), delay),
        };
        if delay.is_zero() {
            self.send(frame, call_was_valid);
            return;
        }
        self.lock_session().release(Sender::ChargePoint, frame.id());
        let conn = Arc::clone(self);
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            if !conn.tx.is_closed() {
                conn.send(frame, call_was_valid);
            }
        });
    }

    fn resolve_pending(&self, f: &Frame) {
        let outcome = match f {
            Frame::CallResult { payload, .. } => CallOutcome::Result {
                payload: payload.clone(),
            },
            Frame::CallError {
                code,
                description,
                details,
                ..
            } => CallOutcome::Error {
                code: code.clone(),
                description: description.clone(),
                details: details.clone(),
            },
            Frame::Call { .. } => return,
        };
        let waiter = self
            .pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(f.id());
        if let Some(w) = waiter {
            let _ = w.try_send(outcome);
        }
    }

    fn on_transport_problem(&self, rule: RuleKind, message: String) {
        let ins = Inspection {
            violations: vec![Violation::new(rule, "", message)],
            ..Default::default()
        };
        let mono = self.shared.mono_us();
        self.shared.lock().record_frame(
            mono,
            &self.identity,
            Direction::FromChargePoint,
            ins,
            String::new(),
        );
        self.shared.changed.notify_all();
    }
}

/// Runs an accepted WebSocket until either side ends it. `close_at_once` is for handshakes
/// without a shared subprotocol, which OCPP-J says to complete and then close.
pub async fn run<S>(
    shared: Arc<Shared>,
    ws: WebSocketStream<S>,
    identity: String,
    number: u64,
    security_profile: u8,
    subprotocol: Option<&'static str>,
) where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (mut sink, mut stream) = ws.split();
    if subprotocol.is_none() {
        let _ = sink.send(Message::Close(None)).await;
        return;
    }
    let (tx, mut rx) = mpsc::unbounded_channel();
    let conn = Arc::new(Conn {
        identity: identity.clone(),
        number,
        shared: Arc::clone(&shared),
        session: Mutex::new(Session::default()),
        tx,
        pending: Mutex::new(HashMap::new()),
        kill: Notify::new(),
    });
    register(&shared, &conn, security_profile, subprotocol);

    let writer = tokio::spawn(async move {
        while let Some(out) = rx.recv().await {
            match out {
                Outgoing::Text(t) => {
                    if sink.send(Message::Text(t.into())).await.is_err() {
                        break;
                    }
                }
                Outgoing::Close => {
                    let _ = sink.send(Message::Close(None)).await;
                    break;
                }
                Outgoing::Drop => break,
            }
        }
    });

    let end = loop {
        let msg = tokio::select! {
            _ = conn.kill.notified() => break "cut by the CSMS".to_string(),
            m = stream.next() => m,
        };
        match msg {
            None => break "closed by the charge point".to_string(),
            Some(Ok(Message::Text(t))) => conn.on_text(t.as_str()),
            Some(Ok(Message::Binary(b))) => conn.on_transport_problem(
                RuleKind::Encoding,
                format!(
                    "binary WebSocket message of {} bytes; OCPP-J uses text frames",
                    b.len()
                ),
            ),
            Some(Ok(Message::Close(c))) => {
                break format!("closed by the charge point ({c:?})");
            }
            Some(Ok(_)) => {} // ping/pong are answered by tungstenite
            Some(Err(e)) => {
                use tokio_tungstenite::tungstenite::error::{Error, ProtocolError};
                // A dropped TCP connection (power cut, network loss) is not a protocol
                // violation; broken UTF-8 and RFC 6455 breaches are.
                let rule = match &e {
                    Error::Utf8(_) => Some(RuleKind::Encoding),
                    Error::Protocol(ProtocolError::ResetWithoutClosingHandshake) => None,
                    Error::Protocol(_) | Error::Capacity(_) => Some(RuleKind::Framing),
                    _ => None,
                };
                if let Some(rule) = rule {
                    conn.on_transport_problem(rule, format!("WebSocket error: {e}"));
                }
                break format!("WebSocket error: {e}");
            }
        }
    };
    let _ = conn.tx.send(Outgoing::Close);
    let _ = writer.await;
    unregister(&shared, &conn, &end);
}

fn register(
    shared: &Arc<Shared>,
    conn: &Arc<Conn>,
    profile: u8,
    subprotocol: Option<&'static str>,
) {
    let mut state = shared.lock();
    let previous = state.connections.insert(
        conn.identity.clone(),
        crate::state::ConnEntry {
            info: plugin_api::kinds::csms::ConnectionInfo {
                charge_point: conn.identity.clone(),
                connected: true,
                security_profile: profile,
                subprotocol: subprotocol.map(str::to_string),
            },
            conn: Some(Arc::clone(conn)),
        },
    );
    // A charge point that reconnects has lost its previous connection.
    if let Some(old) = previous.and_then(|e| e.conn) {
        old.cut();
    }
    state.record_event(
        "ws_connected",
        json!({"charge_point": conn.identity, "connection": conn.number,
            "security_profile": profile, "subprotocol": subprotocol}),
    );
    drop(state);
    shared.changed.notify_all();
}

fn unregister(shared: &Arc<Shared>, conn: &Arc<Conn>, why: &str) {
    let mut state = shared.lock();
    if let Some(e) = state.connections.get_mut(&conn.identity) {
        if e.conn.as_ref().is_some_and(|c| c.number == conn.number) {
            e.conn = None;
            e.info.connected = false;
        }
    }
    state.record_event(
        "ws_disconnected",
        json!({"charge_point": conn.identity, "connection": conn.number, "reason": why}),
    );
    drop(state);
    conn.pending
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clear();
    shared.changed.notify_all();
}
