//! Sans-IO login, session and anti-forgery core. Time and randomness are inputs.
//!
//! Rules (product decisions, see `reference-firmware/UI.md`):
//! - the PIN is provisioned per unit; a unit without one refuses every login (there is no default);
//! - after `max_failed_pins` consecutive wrong PINs the unit refuses every PIN, even the right
//!   one, for `lockout`; the counter is per unit, not per client, so an attacker cannot dodge it by
//!   changing address; a right PIN resets the counter; re-entering the PIN for a factory reset
//!   counts the same way;
//! - a session lives `session_idle` after its last authorized request; at most `max_sessions`
//!   exist (the oldest is dropped);
//! - every change presents the session's anti-forgery (CSRF) token.

use std::fmt;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// Tunables of the security rules; [`SecurityConfig::default`] is what the product ships with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityConfig {
    /// Consecutive wrong PINs that trigger the lock-out.
    pub max_failed_pins: u32,
    /// How long the lock-out lasts.
    pub lockout: Duration,
    /// A session expires this long after its last authorized request.
    pub session_idle: Duration,
    /// Sessions kept at once; logging in beyond this drops the oldest.
    pub max_sessions: usize,
    /// The seeded defect `pin-lockout-never` (set only by a firmware built with the
    /// `seeded-defects` feature): wrong PINs are never counted.
    pub seeded_lockout_never: bool,
}

impl Default for SecurityConfig {
    fn default() -> SecurityConfig {
        SecurityConfig {
            max_failed_pins: 5,
            lockout: Duration::from_secs(5 * 60),
            session_idle: Duration::from_secs(15 * 60),
            max_sessions: 8,
            seeded_lockout_never: false,
        }
    }
}

/// Why a PIN was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PinError {
    /// The unit was never provisioned with a PIN; nobody can log in.
    NoPinProvisioned,
    /// Wrong PIN; `attempts_left` more wrong ones before the lock-out.
    WrongPin { attempts_left: u32 },
    /// Too many wrong PINs; every PIN is refused for `retry_after`.
    LockedOut { retry_after: Duration },
}

impl fmt::Display for PinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PinError::NoPinProvisioned => write!(
                f,
                "this unit has no PIN provisioned, so nobody can log in; the PIN is set at the factory"
            ),
            PinError::WrongPin { attempts_left } => write!(
                f,
                "wrong PIN; {attempts_left} more wrong PIN(s) lock the interface"
            ),
            PinError::LockedOut { retry_after } => write!(
                f,
                "too many wrong PINs: locked, try again in {} s",
                ceil_secs(*retry_after)
            ),
        }
    }
}

/// Why a request was not authorized.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthError {
    /// No session cookie, an unknown one, or an expired one.
    NotLoggedIn,
    /// A change without the anti-forgery token.
    CsrfMissing,
    /// A change with a token that is not this session's.
    CsrfMismatch,
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AuthError::NotLoggedIn => "not logged in, or the session expired: log in with the PIN",
            AuthError::CsrfMissing => "anti-forgery token missing: reload the page and try again",
            AuthError::CsrfMismatch => "anti-forgery token does not match this session: refused",
        })
    }
}

/// What a client holds for a live session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionTokens {
    /// The cookie value.
    pub session_id: String,
    /// Presented with every change (header or hidden form field).
    pub csrf_token: String,
    /// Time left before the session expires if unused.
    pub expires_in: Duration,
}

#[derive(Debug, Clone)]
struct Session {
    id: String,
    csrf: String,
    last_used: Instant,
}

/// The state of logins and sessions of one unit.
#[derive(Debug)]
pub struct SessionCore {
    config: SecurityConfig,
    consecutive_failures: u32,
    locked_until: Option<Instant>,
    sessions: Vec<Session>,
}

impl SessionCore {
    pub fn new(config: SecurityConfig) -> SessionCore {
        SessionCore {
            config,
            consecutive_failures: 0,
            locked_until: None,
            sessions: Vec::new(),
        }
    }

    pub fn config(&self) -> &SecurityConfig {
        &self.config
    }

    /// Checks a PIN against the provisioned one, counting failures toward the lock-out.
    pub fn check_pin(
        &mut self,
        now: Instant,
        entered: &str,
        provisioned: Option<&str>,
    ) -> Result<(), PinError> {
        let Some(provisioned) = provisioned.filter(|p| !p.is_empty()) else {
            return Err(PinError::NoPinProvisioned);
        };
        if let Some(until) = self.locked_until {
            if now < until {
                return Err(PinError::LockedOut {
                    retry_after: until - now,
                });
            }
            self.locked_until = None;
            self.consecutive_failures = 0;
        }
        if constant_time_eq(entered.trim().as_bytes(), provisioned.as_bytes()) {
            self.consecutive_failures = 0;
            return Ok(());
        }
        // Seeded defect: the failure counter is never advanced, so the lock-out never comes.
        if !self.config.seeded_lockout_never {
            self.consecutive_failures += 1;
        }
        if self.consecutive_failures >= self.config.max_failed_pins {
            self.consecutive_failures = 0;
            self.locked_until = Some(now + self.config.lockout);
            return Err(PinError::LockedOut {
                retry_after: self.config.lockout,
            });
        }
        Err(PinError::WrongPin {
            attempts_left: self.config.max_failed_pins - self.consecutive_failures,
        })
    }

    /// Logs in: checks the PIN, then opens a session whose tokens come from `random`.
    pub fn login(
        &mut self,
        now: Instant,
        entered: &str,
        provisioned: Option<&str>,
        random: [u8; 32],
    ) -> Result<SessionTokens, PinError> {
        self.check_pin(now, entered, provisioned)?;
        self.drop_expired(now);
        if self.sessions.len() >= self.config.max_sessions.max(1) {
            // Oldest by last use goes first.
            if let Some(oldest) =
                (0..self.sessions.len()).min_by_key(|&i| self.sessions[i].last_used)
            {
                self.sessions.remove(oldest);
            }
        }
        let session = Session {
            id: URL_SAFE_NO_PAD.encode(&random[..16]),
            csrf: URL_SAFE_NO_PAD.encode(&random[16..]),
            last_used: now,
        };
        let tokens = self.tokens(&session, now);
        self.sessions.push(session);
        Ok(tokens)
    }

    /// Authorizes a request. `csrf` is `None` for reads; for changes pass
    /// `Some(presented)` where `presented` is the token the client sent, if any.
    /// A successful call keeps the session alive for another `session_idle`.
    pub fn authorize(
        &mut self,
        now: Instant,
        session_id: Option<&str>,
        csrf: Option<Option<&str>>,
    ) -> Result<SessionTokens, AuthError> {
        self.drop_expired(now);
        let id = session_id.ok_or(AuthError::NotLoggedIn)?;
        let index = self
            .sessions
            .iter()
            .position(|s| constant_time_eq(s.id.as_bytes(), id.as_bytes()))
            .ok_or(AuthError::NotLoggedIn)?;
        if let Some(presented) = csrf {
            let presented = presented.ok_or(AuthError::CsrfMissing)?;
            if !constant_time_eq(presented.as_bytes(), self.sessions[index].csrf.as_bytes()) {
                return Err(AuthError::CsrfMismatch);
            }
        }
        self.sessions[index].last_used = now;
        let session = self.sessions[index].clone();
        Ok(self.tokens(&session, now))
    }

    /// Ends one session (logout). Unknown ids are ignored.
    pub fn logout(&mut self, session_id: &str) {
        self.sessions
            .retain(|s| !constant_time_eq(s.id.as_bytes(), session_id.as_bytes()));
    }

    /// Ends every session (after a factory reset).
    pub fn end_all_sessions(&mut self) {
        self.sessions.clear();
    }

    /// Time left in the lock-out, if one is running.
    pub fn lockout_remaining(&self, now: Instant) -> Option<Duration> {
        self.locked_until
            .filter(|&until| now < until)
            .map(|until| until - now)
    }

    /// Number of live sessions at `now`.
    pub fn session_count(&mut self, now: Instant) -> usize {
        self.drop_expired(now);
        self.sessions.len()
    }

    fn drop_expired(&mut self, now: Instant) {
        let idle = self.config.session_idle;
        self.sessions.retain(|s| now < s.last_used + idle);
    }

    fn tokens(&self, session: &Session, now: Instant) -> SessionTokens {
        SessionTokens {
            session_id: session.id.clone(),
            csrf_token: session.csrf.clone(),
            expires_in: (session.last_used + self.config.session_idle)
                .saturating_duration_since(now),
        }
    }
}

/// Compares without an early exit on the first differing byte, so response timing does not
/// reveal how much of a PIN or token was right (the length may leak; PINs are short anyway).
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut diff = u8::from(a.len() != b.len());
    for i in 0..a.len().max(b.len()) {
        let x = a.get(i).copied().unwrap_or(0);
        let y = b.get(i).copied().unwrap_or(0xff);
        diff |= x ^ y;
    }
    diff == 0
}

/// Whole seconds, rounded up, so "try again in 0 s" is never shown while still locked.
pub fn ceil_secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PIN: Option<&str> = Some("4711-0815");

    fn random(n: u8) -> [u8; 32] {
        let mut r = [0u8; 32];
        for (i, b) in r.iter_mut().enumerate() {
            *b = n.wrapping_mul(31).wrapping_add(i as u8);
        }
        r
    }

    #[test]
    fn right_pin_opens_a_session_with_distinct_tokens() {
        let t0 = Instant::now();
        let mut core = SessionCore::new(SecurityConfig::default());
        let tokens = core.login(t0, "4711-0815", PIN, random(1)).unwrap();
        assert_ne!(tokens.session_id, tokens.csrf_token);
        assert_eq!(tokens.expires_in, Duration::from_secs(900));
        assert!(core.authorize(t0, Some(&tokens.session_id), None).is_ok());
    }

    #[test]
    fn no_provisioned_pin_refuses_every_login() {
        let t0 = Instant::now();
        let mut core = SessionCore::new(SecurityConfig::default());
        for entered in ["", "0000", "1234"] {
            assert_eq!(
                core.login(t0, entered, None, random(1)),
                Err(PinError::NoPinProvisioned)
            );
        }
        assert_eq!(
            core.login(t0, "", Some(""), random(1)),
            Err(PinError::NoPinProvisioned)
        );
        assert!(PinError::NoPinProvisioned
            .to_string()
            .contains("no PIN provisioned"));
        assert_eq!(
            core.lockout_remaining(t0),
            None,
            "no PIN is not a wrong PIN"
        );
    }

    #[test]
    fn five_wrong_pins_lock_for_five_minutes_then_the_right_pin_works() {
        let t0 = Instant::now();
        let mut core = SessionCore::new(SecurityConfig::default());
        for left in (1..=4).rev() {
            assert_eq!(
                core.login(t0, "0000", PIN, random(1)),
                Err(PinError::WrongPin {
                    attempts_left: left
                })
            );
        }
        assert_eq!(
            core.login(t0, "0000", PIN, random(1)),
            Err(PinError::LockedOut {
                retry_after: Duration::from_secs(300)
            })
        );
        // Even the right PIN is refused during the lock-out.
        let t1 = t0 + Duration::from_secs(299);
        assert_eq!(
            core.login(t1, "4711-0815", PIN, random(2)),
            Err(PinError::LockedOut {
                retry_after: Duration::from_secs(1)
            })
        );
        let t2 = t0 + Duration::from_secs(300);
        assert!(core.login(t2, "4711-0815", PIN, random(3)).is_ok());
    }

    #[test]
    fn seeded_defect_never_locks_out() {
        let mut core = SessionCore::new(SecurityConfig {
            seeded_lockout_never: true,
            ..SecurityConfig::default()
        });
        let t0 = Instant::now();
        for _ in 0..20 {
            assert!(matches!(
                core.check_pin(t0, "0000", Some("123456")),
                Err(PinError::WrongPin { .. })
            ));
        }
        assert_eq!(core.lockout_remaining(t0), None);
        assert_eq!(core.check_pin(t0, "123456", Some("123456")), Ok(()));
    }

    #[test]
    fn lockout_expiry_restarts_the_count_and_success_resets_it() {
        let t0 = Instant::now();
        let config = SecurityConfig {
            max_failed_pins: 3,
            lockout: Duration::from_secs(10),
            ..SecurityConfig::default()
        };
        let mut core = SessionCore::new(config);
        core.check_pin(t0, "1", PIN).unwrap_err();
        core.check_pin(t0, "4711-0815", PIN).unwrap();
        assert_eq!(
            core.check_pin(t0, "1", PIN),
            Err(PinError::WrongPin { attempts_left: 2 }),
            "a right PIN resets the count"
        );
        core.check_pin(t0, "1", PIN).unwrap_err();
        assert!(matches!(
            core.check_pin(t0, "1", PIN),
            Err(PinError::LockedOut { .. })
        ));
        let after = t0 + Duration::from_secs(10);
        assert_eq!(core.lockout_remaining(after), None);
        assert_eq!(
            core.check_pin(after, "1", PIN),
            Err(PinError::WrongPin { attempts_left: 2 }),
            "a fresh count after the lock-out"
        );
    }

    #[test]
    fn session_expires_after_idle_time_and_use_extends_it() {
        let t0 = Instant::now();
        let mut core = SessionCore::new(SecurityConfig::default());
        let s = core.login(t0, "4711-0815", PIN, random(1)).unwrap();
        let t1 = t0 + Duration::from_secs(600);
        assert!(core.authorize(t1, Some(&s.session_id), None).is_ok());
        let t2 = t1 + Duration::from_secs(899);
        assert!(core.authorize(t2, Some(&s.session_id), None).is_ok());
        let t3 = t2 + Duration::from_secs(900);
        assert_eq!(
            core.authorize(t3, Some(&s.session_id), None),
            Err(AuthError::NotLoggedIn)
        );
        assert_eq!(core.session_count(t3), 0);
    }

    #[test]
    fn changes_need_the_sessions_csrf_token() {
        let t0 = Instant::now();
        let mut core = SessionCore::new(SecurityConfig::default());
        let a = core.login(t0, "4711-0815", PIN, random(1)).unwrap();
        let b = core.login(t0, "4711-0815", PIN, random(2)).unwrap();
        let id = Some(a.session_id.as_str());
        assert_eq!(
            core.authorize(t0, id, Some(None)),
            Err(AuthError::CsrfMissing)
        );
        assert_eq!(
            core.authorize(t0, id, Some(Some("forged"))),
            Err(AuthError::CsrfMismatch)
        );
        assert_eq!(
            core.authorize(t0, id, Some(Some(&b.csrf_token))),
            Err(AuthError::CsrfMismatch),
            "another session's token is not this one's"
        );
        assert!(core.authorize(t0, id, Some(Some(&a.csrf_token))).is_ok());
        assert_eq!(
            core.authorize(t0, None, Some(Some(&a.csrf_token))),
            Err(AuthError::NotLoggedIn)
        );
    }

    #[test]
    fn logout_and_session_cap() {
        let t0 = Instant::now();
        let config = SecurityConfig {
            max_sessions: 2,
            ..SecurityConfig::default()
        };
        let mut core = SessionCore::new(config);
        let a = core.login(t0, "4711-0815", PIN, random(1)).unwrap();
        let b = core
            .login(t0 + Duration::from_secs(1), "4711-0815", PIN, random(2))
            .unwrap();
        let c = core
            .login(t0 + Duration::from_secs(2), "4711-0815", PIN, random(3))
            .unwrap();
        let t = t0 + Duration::from_secs(3);
        assert_eq!(
            core.authorize(t, Some(&a.session_id), None),
            Err(AuthError::NotLoggedIn),
            "the oldest session made room"
        );
        core.logout(&b.session_id);
        assert_eq!(
            core.authorize(t, Some(&b.session_id), None),
            Err(AuthError::NotLoggedIn)
        );
        assert!(core.authorize(t, Some(&c.session_id), None).is_ok());
        core.end_all_sessions();
        assert_eq!(core.session_count(t), 0);
    }

    #[test]
    fn constant_time_eq_is_equality() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
        assert!(!constant_time_eq(b"", b"a"));
        assert!(constant_time_eq(b"", b""));
        assert!(!constant_time_eq(&[0u8; 256], &[]));
    }
}
