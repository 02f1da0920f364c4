//! The EV emulator as seen by the plugin: commands, a background sampler and `wait_for`.
//!
//! The sampler thread polls `MEAS?` every `sample_period` and keeps the samples in a ring
//! buffer; `wait_for` evaluates conditions on those samples, so the instant a condition became
//! true is taken where the samples are taken, not where the harness happens to look. Commands
//! and samples share the link through a mutex, so they never interleave on the wire.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use plugin_api::kinds::ev_emulator::{PilotCondition, PilotMeasurement, WaitOutcome};
use plugin_api::{now_us, Observation, PluginError};
use serde_json::json;

use crate::condition::find_onset;
use crate::link::EvLink;
use crate::protocol::{parse_measurement, Command, Reply};

/// Samples kept for `wait_for` (at 2 ms per sample, about two minutes).
const RING_CAPACITY: usize = 60_000;
/// Observations kept between two drains; beyond it the oldest are dropped (and counted).
const RECORD_CAPACITY: usize = 200_000;
/// How long the sampler rests after a failed `MEAS?` before trying again.
const ERROR_BACKOFF: Duration = Duration::from_millis(100);
/// A changed sample is always recorded; an unchanged one at least this often, for plots.
const RECORD_HEARTBEAT_US: i64 = 1_000_000;

/// Maps the monotonic clock to Unix-epoch microseconds with one anchor taken at open, so
/// timestamps are comparable with the host's `now_us()` and never jump backwards.
#[derive(Clone, Copy)]
struct Clock {
    anchor: Instant,
    anchor_us: i64,
}

impl Clock {
    fn new() -> Self {
        Self {
            anchor: Instant::now(),
            anchor_us: now_us(),
        }
    }

    fn us(&self, at: Instant) -> i64 {
        self.anchor_us + at.saturating_duration_since(self.anchor).as_micros() as i64
    }
}

/// What the sampler and the calls share.
#[derive(Default)]
struct Shared {
    samples: VecDeque<(Instant, PilotMeasurement)>,
    /// The sampler's latest failure and when it happened; cleared by the next good sample.
    failure: Option<(Instant, String)>,
    record: VecDeque<Observation>,
    dropped_observations: u64,
    last_recorded: Option<PilotMeasurement>,
    stop: bool,
}

impl Shared {
    fn observe(&mut self, observation: Observation) {
        if self.record.len() >= RECORD_CAPACITY {
            self.record.pop_front();
            self.dropped_observations += 1;
        }
        self.record.push_back(observation);
    }

    /// Records a sample when it differs from the last recorded one, or after a heartbeat.
    fn record_sample(&mut self, m: &PilotMeasurement) {
        let due = match &self.last_recorded {
            None => true,
            Some(last) => changed(last, m) || m.t_us - last.t_us >= RECORD_HEARTBEAT_US,
        };
        if due {
            self.last_recorded = Some(*m);
            self.observe(Observation {
                t_us: m.t_us,
                kind: "cp_sample".into(),
                data: serde_json::to_value(m).unwrap_or_default(),
            });
        }
    }
}

/// Whether two samples differ by more than measurement noise.
fn changed(a: &PilotMeasurement, b: &PilotMeasurement) -> bool {
    let differs = |x: f64, y: f64, eps: f64| (x - y).abs() > eps;
    a.state != b.state
        || differs(a.cp_high_v, b.cp_high_v, 0.1)
        || differs(a.cp_low_v, b.cp_low_v, 0.1)
        || differs(a.pwm_frequency_hz, b.pwm_frequency_hz, 5.0)
        || differs(a.duty_percent, b.duty_percent, 0.1)
        || (0..3).any(|i| {
            differs(a.supply_v[i], b.supply_v[i], 2.0)
                || differs(a.current_a[i], b.current_a[i], 0.1)
        })
}

type SharedLink = Arc<Mutex<Box<dyn EvLink>>>;
type SharedState = Arc<(Mutex<Shared>, Condvar)>;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic elsewhere poisons the lock but leaves the data usable for shutting down safely.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// An open EV emulator with its sampler running.
pub struct EvInstrument {
    peer: String,
    link: SharedLink,
    state: SharedState,
    clock: Clock,
    sampler: Option<JoinHandle<()>>,
    /// When the last command was acknowledged; `wait_for` looks at samples from here on.
    last_command_ack: Instant,
    /// The instrument's `*IDN?` answer.
    identity: String,
}

impl EvInstrument {
    /// Identifies the instrument (which proves it answers) and starts sampling.
    pub fn start(link: Box<dyn EvLink>, sample_period: Duration) -> Result<Self, PluginError> {
        let peer = link.peer().to_string();
        let mut instrument = Self {
            peer,
            link: Arc::new(Mutex::new(link)),
            state: Arc::new((Mutex::new(Shared::default()), Condvar::new())),
            clock: Clock::new(),
            sampler: None,
            last_command_ack: Instant::now(),
            identity: String::new(),
        };
        instrument.identity = instrument.command(&Command::Identify)?;
        lock(&instrument.state.0).observe(Observation::new(
            "ev_identity",
            json!({"idn": instrument.identity, "port": instrument.peer}),
        ));
        let (link, state, clock) = (
            instrument.link.clone(),
            instrument.state.clone(),
            instrument.clock,
        );
        let handle = std::thread::Builder::new()
            .name("ev-emulator-sampler".into())
            .spawn(move || sample_loop(link, state, clock, sample_period))
            .map_err(|e| PluginError::new(format!("cannot start the sampler thread: {e}")))?;
        instrument.sampler = Some(handle);
        Ok(instrument)
    }

    pub fn identity(&self) -> &str {
        &self.identity
    }

    /// Sends one command (not `MEAS?`, see [`Self::measure`]); returns the reply's data. An
    /// `ERR` reply is an error naming it.
    pub fn command(&mut self, command: &Command) -> Result<String, PluginError> {
        command
            .validate()
            .map_err(|e| PluginError::new(format!("{}: not sent `{command}`: {e}", self.peer)))?;
        // The acknowledgement instant is taken while the link is still held, so every sample
        // the sampler takes afterwards is stamped later than it.
        let (reply, acked) = {
            let mut link = lock(&self.link);
            let reply = link.exchange(command);
            (reply, Instant::now())
        };
        let outcome = match reply {
            Ok(Reply::Ok(data)) => {
                self.last_command_ack = acked;
                Ok(data)
            }
            Ok(Reply::Err { code, text }) => Err(format!(
                "{}: the EV emulator refused `{command}`: ERR {code} {text}",
                self.peer
            )),
            Err(e) => Err(e.0),
        };
        let data = match &outcome {
            Ok(data) => json!({"command": command.to_line(), "reply": data}),
            Err(e) => json!({"command": command.to_line(), "error": e}),
        };
        lock(&self.state.0).observe(Observation {
            t_us: self.clock.us(acked),
            kind: "ev_command".into(),
            data,
        });
        outcome.map_err(PluginError::new)
    }

    /// When the last command was acknowledged, µs since the Unix epoch.
    pub fn last_command_ack_us(&self) -> i64 {
        self.clock.us(self.last_command_ack)
    }

    /// A fresh measurement: one `MEAS?` now (not a buffered sample). It also joins the
    /// sampler's buffer, so polling with `measure` never hides samples from `wait_for`.
    pub fn measure(&mut self) -> Result<PilotMeasurement, PluginError> {
        poll_once(&self.link, &self.state, self.clock).map_err(PluginError::new)
    }

    /// Waits until `condition` holds on the samples taken since the last command, at most
    /// `timeout`. Never an error for an unmet condition; an error when the sampler fails.
    pub fn wait_for(
        &mut self,
        condition: &PilotCondition,
        timeout: Duration,
    ) -> Result<WaitOutcome, PluginError> {
        let started = Instant::now();
        let deadline = started + timeout;
        let since = self.last_command_ack;
        let (mutex, wakeup) = &*self.state;
        let mut shared = lock(mutex);
        let outcome = loop {
            let window = shared.samples.iter().filter(|(at, _)| *at >= since);
            let onset = find_onset(condition, window.clone().map(|(_, m)| m));
            if let Some(index) = onset {
                let (at, sample) = *window.clone().nth(index).expect("onset within window");
                break self.outcome(true, at, sample, started);
            }
            if let Some((at, failure)) = &shared.failure {
                if *at >= since {
                    return Err(PluginError::new(format!(
                        "while waiting for {condition:?}: {failure}"
                    )));
                }
            }
            let now = Instant::now();
            if now >= deadline {
                match window.clone().next_back() {
                    Some((at, sample)) => break self.outcome(false, *at, *sample, started),
                    None => {
                        return Err(PluginError::new(format!(
                        "{}: no measurement arrived within {} ms while waiting for {condition:?}",
                        self.peer,
                        timeout.as_millis()
                    )))
                    }
                }
            }
            shared = wakeup
                .wait_timeout(shared, deadline - now)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        };
        shared.observe(Observation::new(
            "ev_wait",
            json!({
                "condition": condition,
                "met": outcome.met,
                "at_us": outcome.sample.t_us,
                "since_last_command_ms": outcome.since_last_command_ms,
                "waited_ms": outcome.waited_ms,
            }),
        ));
        Ok(outcome)
    }

    fn outcome(
        &self,
        met: bool,
        at: Instant,
        sample: PilotMeasurement,
        started: Instant,
    ) -> WaitOutcome {
        WaitOutcome {
            met,
            sample,
            since_last_command_ms: millis(at.saturating_duration_since(self.last_command_ack)),
            waited_ms: millis(started.elapsed()),
        }
    }

    /// Hands over what was observed since the last drain.
    pub fn drain_record(&mut self) -> Vec<Observation> {
        let mut shared = lock(&self.state.0);
        if shared.dropped_observations > 0 {
            let dropped = std::mem::take(&mut shared.dropped_observations);
            shared.record.push_front(Observation::new(
                "record_overflow",
                json!({"dropped": dropped}),
            ));
        }
        std::mem::take(&mut shared.record).into()
    }

    /// Safe state: the vehicle follows the pilot, faults and residual current cleared, then the vehicle unplugged (which
    /// switches the load off, PROTOCOL.md), then the sampler stopped. Best effort: the link may
    /// already be gone; the problems are returned for the log.
    pub fn shut_down(&mut self) -> Vec<String> {
        let mut problems = Vec::new();
        for command in [
            Command::IgnorePilot(false),
            Command::Fault(crate::protocol::Fault::None),
            Command::ResidualCurrent { dc_ma: 0.0 },
            Command::Unplug,
        ] {
            if let Err(e) = self.command(&command) {
                problems.push(e.message().to_string());
            }
        }
        self.stop_sampler();
        problems
    }

    fn stop_sampler(&mut self) {
        lock(&self.state.0).stop = true;
        self.state.1.notify_all();
        if let Some(handle) = self.sampler.take() {
            let _ = handle.join();
        }
    }
}

impl Drop for EvInstrument {
    fn drop(&mut self) {
        self.stop_sampler();
    }
}

fn midpoint(a: Instant, b: Instant) -> Instant {
    a + b.saturating_duration_since(a) / 2
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// One `MEAS?`: the sample goes into the ring buffer and the record, a failure into
/// `failure`. Both happen while the link is still held, so samples enter the buffer in the
/// order they were taken whoever polled. A sample is stamped with the midpoint between sending
/// the query and receiving the answer (the instrument measured in between).
fn poll_once(
    link: &SharedLink,
    state: &SharedState,
    clock: Clock,
) -> Result<PilotMeasurement, String> {
    let (mutex, wakeup) = &**state;
    let mut link = lock(link);
    let sent = Instant::now();
    let reply = link.exchange(&Command::Measure);
    let received = Instant::now();
    let at = midpoint(sent, received);
    let parsed = match reply {
        Ok(Reply::Ok(data)) => {
            parse_measurement(&data, clock.us(at)).map_err(|e| format!("{}: {e}", link.peer()))
        }
        Ok(Reply::Err { code, text }) => Err(format!(
            "{}: `MEAS?` answered ERR {code} {text}",
            link.peer()
        )),
        Err(e) => Err(e.0),
    };
    let mut shared = lock(mutex);
    match &parsed {
        Ok(m) => {
            if shared.samples.len() >= RING_CAPACITY {
                shared.samples.pop_front();
            }
            shared.samples.push_back((at, *m));
            shared.failure = None;
            shared.record_sample(m);
        }
        Err(message) => {
            if shared.failure.is_none() {
                shared.observe(Observation {
                    t_us: clock.us(at),
                    kind: "ev_error".into(),
                    data: json!({"error": message}),
                });
            }
            shared.failure = Some((received, message.clone()));
        }
    }
    drop(shared);
    drop(link);
    wakeup.notify_all();
    parsed
}

/// The sampler thread: `MEAS?` every `period` until told to stop; after a failure it rests
/// longer before trying again.
fn sample_loop(link: SharedLink, state: SharedState, clock: Clock, period: Duration) {
    let (mutex, wakeup) = &*state;
    loop {
        if lock(mutex).stop {
            return;
        }
        let rest = match poll_once(&link, &state, clock) {
            Ok(_) => period,
            Err(_) => ERROR_BACKOFF,
        };
        // Wait for the next poll, waking early when told to stop.
        let shared = lock(mutex);
        if shared.stop {
            return;
        }
        drop(wakeup.wait_timeout(shared, rest));
    }
}
