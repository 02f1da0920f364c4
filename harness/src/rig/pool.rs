//! The rig pool: `rig.parallel` slots, each able to run one rig instance. A scenario leases a
//! slot for its whole run, gets a freshly started instance, and the instance is torn down when the
//! lease is released (or dropped, or on Ctrl-C through [`RigPool::teardown_all`]).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::instance::{RigInstance, StartError};
use super::ui_access::UiEndpoint;
use super::{emulated, DutKind, Instrument, Rig};
use crate::plugin_host::{PluginInstance, PluginLibraries};

type Shared = Arc<Mutex<Option<RigInstance>>>;

struct PoolState {
    free_slots: Vec<usize>,
    live: HashMap<usize, Shared>,
    /// The first configuration error an instance met; the run ends with exit status 2.
    config_error: Option<String>,
}

/// The rig's instances, shared by all scenarios of a run.
pub struct RigPool {
    rig: Arc<Rig>,
    libraries: Arc<PluginLibraries>,
    exe: PathBuf,
    permits: Arc<Semaphore>,
    state: Mutex<PoolState>,
}

impl std::fmt::Debug for RigPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RigPool({} x {})", self.rig.name, self.rig.parallel)
    }
}

impl RigPool {
    /// `exe` is the program started as `exe __rig-sim` / `exe __firmware` for emulated rigs.
    pub fn new(rig: Arc<Rig>, libraries: Arc<PluginLibraries>, exe: PathBuf) -> Arc<Self> {
        let slots = rig.parallel;
        Arc::new(RigPool {
            rig,
            libraries,
            exe,
            permits: Arc::new(Semaphore::new(slots)),
            state: Mutex::new(PoolState {
                free_slots: (0..slots).rev().collect(),
                live: HashMap::new(),
                config_error: None,
            }),
        })
    }

    pub fn rig(&self) -> &Arc<Rig> {
        &self.rig
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, PoolState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits for a free slot and starts an instance in it.
    pub async fn acquire(self: &Arc<Self>) -> Result<RigLease, String> {
        let permit = Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .map_err(|_| match self.config_error() {
                Some(e) => e,
                None => "the run was interrupted; no new rig instance starts".to_string(),
            })?;
        let slot = self
            .lock()
            .free_slots
            .pop()
            .ok_or("no free rig slot although a permit was granted")?;
        let pool = Arc::clone(self);
        let started = tokio::task::spawn_blocking(move || pool.start_instance(slot)).await;
        let instance = match started {
            Ok(Ok(instance)) => instance,
            Ok(Err(e)) => {
                let message = format!(
                    "rig \"{}\" instance {slot} did not start: {}",
                    self.rig.name,
                    e.message()
                );
                let mut state = self.lock();
                state.free_slots.push(slot);
                if let StartError::Config(_) = e {
                    // Every other instance would fail the same way: stop here.
                    state.config_error.get_or_insert_with(|| message.clone());
                    self.permits.close();
                }
                return Err(message);
            }
            Err(e) => {
                self.lock().free_slots.push(slot);
                return Err(format!(
                    "rig \"{}\" instance {slot} did not start: {e}",
                    self.rig.name
                ));
            }
        };
        let shared: Shared = Arc::new(Mutex::new(Some(instance)));
        self.lock().live.insert(slot, Arc::clone(&shared));
        Ok(RigLease {
            pool: Arc::clone(self),
            slot,
            instance: shared,
            _permit: permit,
        })
    }

    fn start_instance(&self, slot: usize) -> Result<RigInstance, StartError> {
        match self.rig.dut.kind {
            DutKind::Emulated => emulated::start(&self.rig, &self.libraries, &self.exe, slot),
            DutKind::External => {
                let mut instance = RigInstance::new(slot);
                instance.ui = self.rig.dut.ui_addr.map(|addr| UiEndpoint {
                    addr,
                    pin: self.rig.dut.pin.clone(),
                });
                for instrument in Instrument::ALL {
                    instance.open_plugin(&self.rig, &self.libraries, instrument)?;
                }
                Ok(instance)
            }
        }
    }

    /// The first configuration error met while starting an instance, if any.
    pub fn config_error(&self) -> Option<String> {
        self.lock().config_error.clone()
    }

    /// Refuses further leases (after Ctrl-C, no new instance may start).
    pub fn close(&self) {
        self.permits.close();
    }

    /// Tears every live instance down (Ctrl-C, fatal error). Blocks.
    pub fn teardown_all(&self) {
        let live: Vec<Shared> = self.lock().live.drain().map(|(_, s)| s).collect();
        let taken: Vec<RigInstance> = live
            .iter()
            .filter_map(|shared| shared.lock().unwrap_or_else(|p| p.into_inner()).take())
            .collect();
        // In parallel: each teardown may wait for a busy plugin and for processes to end.
        std::thread::scope(|scope| {
            for mut instance in taken {
                scope.spawn(move || instance.teardown());
            }
        });
    }

    /// How many instances are running now.
    pub fn live_count(&self) -> usize {
        self.lock().live.len()
    }

    fn give_back(&self, slot: usize) {
        let mut state = self.lock();
        state.live.remove(&slot);
        state.free_slots.push(slot);
    }
}

/// A scenario's hold on one running instance.
pub struct RigLease {
    pool: Arc<RigPool>,
    slot: usize,
    instance: Shared,
    _permit: OwnedSemaphorePermit,
}

impl std::fmt::Debug for RigLease {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RigLease(slot {})", self.slot)
    }
}

impl RigLease {
    pub fn slot(&self) -> usize {
        self.slot
    }

    /// Runs `f` on the instance; fails if it was already torn down (Ctrl-C).
    pub fn with<T>(&self, f: impl FnOnce(&mut RigInstance) -> T) -> Result<T, String> {
        let mut guard = self.instance.lock().unwrap_or_else(|p| p.into_inner());
        guard
            .as_mut()
            .map(f)
            .ok_or_else(|| format!("rig instance {} was torn down", self.slot))
    }

    /// [`RigLease::with`] on a blocking thread, for work that waits (a firmware restart).
    pub async fn with_blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut RigInstance) -> T + Send + 'static,
    ) -> Result<T, String> {
        let instance = Arc::clone(&self.instance);
        let slot = self.slot;
        tokio::task::spawn_blocking(move || {
            let mut guard = instance.lock().unwrap_or_else(|p| p.into_inner());
            guard
                .as_mut()
                .map(f)
                .ok_or_else(|| format!("rig instance {slot} was torn down"))
        })
        .await
        .map_err(|e| format!("rig instance {slot}: {e}"))?
    }

    /// The plugin serving `instrument` in this instance.
    pub fn plugin(&self, instrument: Instrument) -> Result<Arc<PluginInstance>, String> {
        self.with(|i| i.plugin(instrument))?
    }

    /// Tears the instance down on a blocking thread and frees the slot.
    pub async fn release(self) {
        let taken = self
            .instance
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(mut instance) = taken {
            // Teardown waits for processes to end; keep it off the async threads.
            let _ = tokio::task::spawn_blocking(move || instance.teardown()).await;
        }
        // Dropping `self` gives the slot back.
    }
}

impl Drop for RigLease {
    fn drop(&mut self) {
        let taken = self
            .instance
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(mut instance) = taken {
            instance.teardown();
        }
        self.pool.give_back(self.slot);
    }
}
