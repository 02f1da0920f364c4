//! Message-id bookkeeping of one WebSocket connection, for both directions: ids unique per
//! sender, answers matched to the outstanding CALL, and one outstanding CALL per sender
//! (OCPP-J §4.1.1, §4.1.4).

use std::collections::HashSet;

use super::violation::{RuleKind, Violation};

/// Who sent a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sender {
    ChargePoint,
    CentralSystem,
}

impl Sender {
    fn index(self) -> usize {
        match self {
            Sender::ChargePoint => 0,
            Sender::CentralSystem => 1,
        }
    }
    pub fn other(self) -> Sender {
        match self {
            Sender::ChargePoint => Sender::CentralSystem,
            Sender::CentralSystem => Sender::ChargePoint,
        }
    }
}

#[derive(Debug, Clone)]
struct Outstanding {
    id: String,
    action: String,
    /// The peer is not expected to answer any more (we time it out or chose not to answer), so
    /// the sender may move on without it being a synchronicity violation.
    released: bool,
}

/// What an answer frame was matched to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerMatch {
    /// The answer to the outstanding CALL of that action.
    Matched { action: String },
    /// The answer to a CALL that had already been given up (timed out); not a violation.
    Late { action: String },
    /// Nothing outstanding has this id.
    Unmatched(Violation),
}

/// The per-connection state.
#[derive(Debug, Default)]
pub struct Session {
    seen_call_ids: [HashSet<String>; 2],
    outstanding: [Option<Outstanding>; 2],
    given_up: [Vec<(String, String)>; 2],
}

impl Session {
    /// A CALL `id`/`action` sent by `sender`. Returns the violations of the id rules.
    pub fn on_call(&mut self, sender: Sender, id: &str, action: &str) -> Vec<Violation> {
        let i = sender.index();
        let mut out = Vec::new();
        if !self.seen_call_ids[i].insert(id.to_string()) {
            out.push(Violation::new(
                RuleKind::MessageId,
                "[1]",
                format!("message id {id:?} was already used by an earlier CALL on this connection"),
            ));
        }
        if let Some(prev) = &self.outstanding[i] {
            if !prev.released {
                out.push(Violation::new(
                    RuleKind::Synchronicity,
                    "",
                    format!(
                        "CALL {action} sent while the previous CALL {} ({:?}) is still unanswered",
                        prev.action, prev.id
                    ),
                ));
            }
        }
        self.outstanding[i] = Some(Outstanding {
            id: id.to_string(),
            action: action.to_string(),
            released: false,
        });
        out
    }

    /// An answer (CALLRESULT or CALLERROR) with `id` sent by `sender`.
    pub fn on_answer(&mut self, sender: Sender, id: &str) -> AnswerMatch {
        let i = sender.other().index();
        if let Some(o) = &self.outstanding[i] {
            if o.id == id {
                let action = o.action.clone();
                self.outstanding[i] = None;
                return AnswerMatch::Matched { action };
            }
        }
        if let Some(pos) = self.given_up[i].iter().position(|(gid, _)| gid == id) {
            let (_, action) = self.given_up[i].remove(pos);
            return AnswerMatch::Late { action };
        }
        let expected = match &self.outstanding[i] {
            Some(o) => format!("the outstanding CALL {} has id {:?}", o.action, o.id),
            None => "no CALL is outstanding".to_string(),
        };
        AnswerMatch::Unmatched(Violation::new(
            RuleKind::MessageId,
            "[1]",
            format!("answer with id {id:?} matches no CALL: {expected}"),
        ))
    }

    /// The CALL `id` from `sender` will not be answered (or no longer waited for): the sender may
    /// send its next CALL, and a late answer is recognised as such.
    pub fn give_up(&mut self, sender: Sender, id: &str) {
        let i = sender.index();
        if let Some(o) = &mut self.outstanding[i] {
            if o.id == id {
                o.released = true;
                // The answerer's late reply is then matched through `given_up`.
                self.given_up[i].push((o.id.clone(), o.action.clone()));
                if self.given_up[i].len() > 64 {
                    self.given_up[i].remove(0);
                }
            }
        }
    }

    /// Marks the outstanding CALL of `sender` as one the peer will answer late on purpose (the
    /// CSMS delays its answer): the charge point may time out and move on.
    pub fn release(&mut self, sender: Sender, id: &str) {
        if let Some(o) = &mut self.outstanding[sender.index()] {
            if o.id == id {
                o.released = true;
            }
        }
    }

    /// Whether `sender` has a CALL waiting for an answer.
    pub fn has_outstanding(&self, sender: Sender) -> bool {
        self.outstanding[sender.index()].is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_per_sender_not_across_senders() {
        let mut s = Session::default();
        assert!(s.on_call(Sender::ChargePoint, "1", "Heartbeat").is_empty());
        assert_eq!(
            s.on_answer(Sender::CentralSystem, "1"),
            AnswerMatch::Matched {
                action: "Heartbeat".into()
            }
        );
        assert!(s.on_call(Sender::CentralSystem, "1", "Reset").is_empty());
        let v = s.on_call(Sender::ChargePoint, "1", "Heartbeat");
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].rule, RuleKind::MessageId);
    }

    #[test]
    fn second_call_before_answer_is_a_synchronicity_violation() {
        let mut s = Session::default();
        s.on_call(Sender::ChargePoint, "1", "Heartbeat");
        let v = s.on_call(Sender::ChargePoint, "2", "Heartbeat");
        assert_eq!(v[0].rule, RuleKind::Synchronicity);
        s.release(Sender::ChargePoint, "2");
        assert!(s.on_call(Sender::ChargePoint, "3", "Heartbeat").is_empty());
    }

    #[test]
    fn unmatched_and_late_answers() {
        let mut s = Session::default();
        assert!(matches!(
            s.on_answer(Sender::ChargePoint, "x"),
            AnswerMatch::Unmatched(_)
        ));
        s.on_call(Sender::CentralSystem, "c1", "Reset");
        assert!(matches!(
            s.on_answer(Sender::ChargePoint, "c2"),
            AnswerMatch::Unmatched(_)
        ));
        s.give_up(Sender::CentralSystem, "c1");
        assert!(s
            .on_call(Sender::CentralSystem, "c3", "ClearCache")
            .is_empty());
        assert_eq!(
            s.on_answer(Sender::ChargePoint, "c1"),
            AnswerMatch::Late {
                action: "Reset".into()
            }
        );
        assert!(s.has_outstanding(Sender::CentralSystem));
    }
}
