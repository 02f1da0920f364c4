//! Keep-alive and link-loss timing, shared by both ends (sans-IO: the caller passes the time).

/// A keep-alive frame is sent when nothing else was sent for this long.
pub const KEEP_ALIVE_INTERVAL_MS: u64 = 1000;
/// The link is lost when no valid frame arrived for this long.
pub const LINK_TIMEOUT_MS: u64 = 5000;

/// Tracks when the link last carried valid frames in each direction.
#[derive(Debug, Clone)]
pub struct Liveness {
    last_rx_ms: u64,
    last_tx_ms: Option<u64>,
    lost: bool,
}

/// What changed when [`Liveness::poll`] was called.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LivenessEvent {
    /// No valid frame for [`LINK_TIMEOUT_MS`]: enter the safe state.
    Lost,
}

impl Liveness {
    /// Starts the timeout at `now_ms` (so a peer that never speaks is lost after 5 s).
    pub fn new(now_ms: u64) -> Self {
        Liveness {
            last_rx_ms: now_ms,
            last_tx_ms: None,
            lost: false,
        }
    }

    /// A valid frame arrived. Returns true if the link was lost until now (it is back).
    pub fn frame_received(&mut self, now_ms: u64) -> bool {
        self.last_rx_ms = now_ms;
        std::mem::replace(&mut self.lost, false)
    }

    /// A frame was written.
    pub fn frame_sent(&mut self, now_ms: u64) {
        self.last_tx_ms = Some(now_ms);
    }

    /// True when a keep-alive should be sent now.
    pub fn keep_alive_due(&self, now_ms: u64) -> bool {
        match self.last_tx_ms {
            None => true,
            Some(t) => now_ms >= t + KEEP_ALIVE_INTERVAL_MS,
        }
    }

    /// Reports the loss once, when the timeout expires.
    pub fn poll(&mut self, now_ms: u64) -> Option<LivenessEvent> {
        if !self.lost && now_ms >= self.last_rx_ms + LINK_TIMEOUT_MS {
            self.lost = true;
            return Some(LivenessEvent::Lost);
        }
        None
    }

    pub fn is_lost(&self) -> bool {
        self.lost
    }

    /// The next time at which [`Liveness::poll`] or [`Liveness::keep_alive_due`] may change.
    pub fn next_deadline_ms(&self) -> u64 {
        let keep_alive = self.last_tx_ms.map_or(0, |t| t + KEEP_ALIVE_INTERVAL_MS);
        if self.lost {
            keep_alive
        } else {
            keep_alive.min(self.last_rx_ms + LINK_TIMEOUT_MS)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loss_is_reported_once_after_five_seconds_and_recovers() {
        let mut l = Liveness::new(1000);
        assert_eq!(l.poll(5999), None);
        assert_eq!(l.poll(6000), Some(LivenessEvent::Lost));
        assert_eq!(l.poll(7000), None);
        assert!(l.is_lost());
        assert!(l.frame_received(7100));
        assert!(!l.is_lost());
        assert!(!l.frame_received(7200));
        assert_eq!(l.poll(12199), None);
        assert_eq!(l.poll(12200), Some(LivenessEvent::Lost));
    }

    #[test]
    fn keep_alive_every_second_of_silence() {
        let mut l = Liveness::new(0);
        assert!(l.keep_alive_due(0));
        l.frame_sent(0);
        assert!(!l.keep_alive_due(999));
        assert!(l.keep_alive_due(1000));
        assert_eq!(l.next_deadline_ms(), 1000);
        l.frame_sent(1000);
        l.frame_received(1500);
        assert_eq!(l.next_deadline_ms(), 2000);
    }
}
