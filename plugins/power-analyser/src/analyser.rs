//! A WT300-style power analyser session: configures numeric items, reads them, runs the
//! integrator, and optionally samples periodically into the observation record.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use plugin_api::kinds::power_analyser::ElementReading;
use plugin_api::{now_us, Observation, PluginError};
use serde_json::json;

use crate::line_link::LineLink;
use crate::scpi;

/// Observations kept between two drains; beyond it the oldest are dropped.
const RECORD_CAPACITY: usize = 100_000;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The link plus what the instrument has been told so far.
pub struct Session {
    link: LineLink,
    /// Elements whose items are configured, in `VALue?` order.
    configured: Vec<u8>,
    /// A failed exchange may leave a late reply in flight; drop it before the next command.
    resync_needed: bool,
}

impl Session {
    pub fn new(link: LineLink) -> Self {
        Self {
            link,
            configured: Vec::new(),
            // A previous client may have left an unread answer; drop it first.
            resync_needed: true,
        }
    }

    pub fn peer(&self) -> &str {
        self.link.peer()
    }

    fn guarded<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T, String>) -> Result<T, String> {
        if self.resync_needed {
            self.link.discard_input();
            self.resync_needed = false;
        }
        let result = f(self);
        self.resync_needed = result.is_err();
        result
    }

    /// A query with a one-line answer.
    pub fn query(&mut self, command: &str) -> Result<String, String> {
        self.guarded(|s| {
            let reply = s.link.request(command).map_err(|e| e.0)?;
            if reply.trim().is_empty() {
                return Err(s.link.error(format_args!("empty reply to `{command}`")).0);
            }
            Ok(reply)
        })
    }

    /// A setting command (no answer), confirmed through the error queue.
    pub fn set(&mut self, command: &str) -> Result<(), String> {
        self.guarded(|s| {
            s.link.send_line(command).map_err(|e| e.0)?;
            let reply = s.link.request(scpi::ERROR_QUERY).map_err(|e| e.0)?;
            match scpi::parse_error_reply(&reply) {
                Ok(Ok(())) => Ok(()),
                Ok(Err(instrument_error)) => Err(s
                    .link
                    .error(format_args!(
                        "the analyser refused `{command}`: {instrument_error}"
                    ))
                    .0),
                Err(garbled) => Err(s.link.error(garbled).0),
            }
        })
    }

    /// Makes sure every element in `elements` is among the configured items.
    fn ensure_items(&mut self, elements: &[u8]) -> Result<(), String> {
        if elements.iter().all(|e| self.configured.contains(e)) {
            return Ok(());
        }
        let mut wanted = self.configured.clone();
        wanted.extend(elements.iter().filter(|e| !self.configured.contains(e)));
        self.configured.clear();
        for command in scpi::item_commands(&wanted) {
            self.set(&command)?;
        }
        self.configured = wanted;
        Ok(())
    }

    /// Readings and energies (Wh) of `elements`, in the order asked.
    pub fn read(&mut self, elements: &[u8]) -> Result<(Vec<ElementReading>, Vec<f64>), String> {
        scpi::check_elements(elements).map_err(|e| format!("{}: {e}", self.peer()))?;
        self.ensure_items(elements)?;
        let reply = self.query(scpi::VALUE_QUERY)?;
        let (readings, energies) = scpi::parse_values(&reply, &self.configured)
            .map_err(|e| format!("{}: {e}", self.peer()))?;
        let pick = |e: &u8| {
            self.configured
                .iter()
                .position(|c| c == e)
                .expect("configured")
        };
        Ok((
            elements.iter().map(|e| readings[pick(e)]).collect(),
            elements.iter().map(|e| energies[pick(e)]).collect(),
        ))
    }
}

/// The record shared with the sampler.
#[derive(Default)]
struct Record {
    observations: VecDeque<Observation>,
    dropped: u64,
}

impl Record {
    fn push(&mut self, o: Observation) {
        if self.observations.len() >= RECORD_CAPACITY {
            self.observations.pop_front();
            self.dropped += 1;
        }
        self.observations.push_back(o);
    }
}

struct Sampler {
    stop: Arc<(Mutex<bool>, Condvar)>,
    thread: JoinHandle<()>,
}

/// An open analyser.
pub struct Analyser {
    peer: String,
    session: Arc<Mutex<Session>>,
    record: Arc<Mutex<Record>>,
    sampler: Option<Sampler>,
    identity: String,
}

impl Analyser {
    /// Identifies the instrument, clears its status and selects ASCII numbers.
    pub fn start(link: LineLink) -> Result<Self, PluginError> {
        let mut session = Session::new(link);
        let peer = session.peer().to_string();
        let identity = session.query(scpi::IDENTIFY).map_err(PluginError::new)?;
        session
            .link
            .send_line(scpi::CLEAR_STATUS)
            .map_err(|e| PluginError::new(e.0))?;
        session.set(scpi::FORMAT_ASCII).map_err(PluginError::new)?;
        Ok(Self {
            peer,
            session: Arc::new(Mutex::new(session)),
            record: Arc::new(Mutex::new(Record::default())),
            sampler: None,
            identity,
        })
    }

    pub fn identity(&self) -> &str {
        &self.identity
    }

    /// Runs `f` on the session and notes the command in the record.
    fn with_session<T>(
        &self,
        what: &str,
        f: impl FnOnce(&mut Session) -> Result<T, String>,
    ) -> Result<T, PluginError> {
        let result = f(&mut lock(&self.session));
        let data = match &result {
            Ok(_) => json!({"command": what}),
            Err(e) => json!({"command": what, "error": e}),
        };
        lock(&self.record).push(Observation::new("analyser_command", data));
        result.map_err(PluginError::new)
    }

    pub fn measure(&self, elements: &[u8]) -> Result<(i64, Vec<ElementReading>), PluginError> {
        let (t, readings) = self.with_session("measure", |s| {
            let sent = now_us();
            let (readings, _) = s.read(elements)?;
            Ok(((sent + now_us()) / 2, readings))
        })?;
        Ok((t, readings))
    }

    pub fn integration(&self, command: &'static str) -> Result<(), PluginError> {
        self.with_session(command, |s| s.set(command))
    }

    pub fn energies(&self, elements: &[u8]) -> Result<(i64, Vec<f64>), PluginError> {
        self.with_session("integration_read", |s| {
            let sent = now_us();
            let (_, energies) = s.read(elements)?;
            Ok(((sent + now_us()) / 2, energies))
        })
    }

    /// Starts (or restarts) periodic sampling of `elements` into the record.
    pub fn start_sampling(
        &mut self,
        elements: Vec<u8>,
        interval: Duration,
    ) -> Result<(), PluginError> {
        scpi::check_elements(&elements)
            .map_err(|e| PluginError::new(format!("{}: start_sampling: {e}", self.peer)))?;
        if interval < Duration::from_millis(10) {
            return Err(PluginError::new(format!(
                "{}: start_sampling: interval {} ms is below the 10 ms minimum",
                self.peer,
                interval.as_millis()
            )));
        }
        self.stop_sampling();
        // Configure the items now, so a bad element fails this call rather than the thread.
        self.with_session("start_sampling", |s| s.read(&elements).map(|_| ()))?;
        let stop = Arc::new((Mutex::new(false), Condvar::new()));
        let (session, record, stop2) = (self.session.clone(), self.record.clone(), stop.clone());
        let thread = std::thread::Builder::new()
            .name("power-analyser-sampler".into())
            .spawn(move || sample_loop(session, record, stop2, elements, interval))
            .map_err(|e| PluginError::new(format!("cannot start the sampler thread: {e}")))?;
        self.sampler = Some(Sampler { stop, thread });
        Ok(())
    }

    pub fn stop_sampling(&mut self) {
        if let Some(sampler) = self.sampler.take() {
            *lock(&sampler.stop.0) = true;
            sampler.stop.1.notify_all();
            let _ = sampler.thread.join();
        }
    }

    pub fn drain_record(&mut self) -> Vec<Observation> {
        let mut record = lock(&self.record);
        let mut out = Vec::new();
        if record.dropped > 0 {
            out.push(Observation::new(
                "record_overflow",
                json!({"dropped": std::mem::take(&mut record.dropped)}),
            ));
        }
        out.extend(record.observations.drain(..));
        out
    }

    /// Safe state: sampling stopped, integration stopped. Best effort. Stopping an integrator
    /// that is not running is an error on a WT300, so ask first; if the instrument cannot say,
    /// stop anyway.
    pub fn shut_down(&mut self) -> Option<String> {
        self.stop_sampling();
        let state = lock(&self.session).query(scpi::INTEGRATE_STATE);
        let running = match &state {
            Ok(s) => s.trim().to_ascii_uppercase().starts_with("STAR"),
            Err(_) => true,
        };
        if !running {
            return None;
        }
        self.integration(scpi::INTEGRATE_STOP)
            .err()
            .map(|e| e.to_string())
    }
}

impl Drop for Analyser {
    fn drop(&mut self) {
        self.stop_sampling();
    }
}

fn sample_loop(
    session: Arc<Mutex<Session>>,
    record: Arc<Mutex<Record>>,
    stop: Arc<(Mutex<bool>, Condvar)>,
    elements: Vec<u8>,
    interval: Duration,
) {
    let mut failing = false;
    loop {
        let sent = now_us();
        let result = lock(&session).read(&elements);
        let t_us = (sent + now_us()) / 2;
        match result {
            Ok((readings, energies)) => {
                failing = false;
                lock(&record).push(Observation {
                    t_us,
                    kind: "analyser_sample".into(),
                    data: json!({"elements": readings, "energy_wh": energies}),
                });
            }
            Err(e) => {
                // One entry per streak of failures, not one per interval.
                if !failing {
                    lock(&record).push(Observation {
                        t_us,
                        kind: "analyser_error".into(),
                        data: json!({"error": e}),
                    });
                }
                failing = true;
            }
        }
        let stopped = lock(&stop.0);
        if *stopped {
            return;
        }
        let (stopped, _) = stop
            .1
            .wait_timeout(stopped, interval)
            .unwrap_or_else(|p| p.into_inner());
        if *stopped {
            return;
        }
    }
}
