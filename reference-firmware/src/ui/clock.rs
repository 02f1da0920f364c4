//! The clock the server reads before it feeds the sans-IO cores.
//!
//! The cores ([`super::session`], [`super::access_point`]) take the time as an input and never
//! read a clock. The server reads this one; tests use [`Clock::manual`] and jump forward (five
//! minutes of lock-out, a session's idle timeout) without waiting.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Monotonic time plus an offset that only [`Clock::advance`] changes.
#[derive(Debug, Clone)]
pub struct Clock {
    offset_ms: Arc<AtomicU64>,
}

impl Clock {
    /// The system's monotonic clock.
    pub fn system() -> Clock {
        Clock {
            offset_ms: Arc::new(AtomicU64::new(0)),
        }
    }

    /// A clock that tests can move forward with [`Clock::advance`] (clones share the offset).
    pub fn manual() -> Clock {
        Clock::system()
    }

    pub fn now(&self) -> Instant {
        Instant::now() + Duration::from_millis(self.offset_ms.load(Ordering::SeqCst))
    }

    /// Moves this clock (and all its clones) forward.
    pub fn advance(&self, by: Duration) {
        let ms = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
        self.offset_ms.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Default for Clock {
    fn default() -> Clock {
        Clock::system()
    }
}
