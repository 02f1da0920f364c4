//! An open plugin instance: calls are serialized by a mutex and run on blocking threads; an
//! ERROR or DEAD status becomes a [`CallError`] naming plugin and method.

use std::ffi::{c_char, c_void, CString};
use std::fmt;
use std::ptr;
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};
use std::time::{Duration, Instant};

use plugin_api::abi::{STATUS_DEAD, STATUS_OK};
use plugin_api::kinds::DrainRecord;
use plugin_api::{Method, Observation};

use super::library::{one_line, PluginLibrary};

/// A failed call, as a step failure shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallError {
    pub plugin: String,
    pub method: String,
    pub message: String,
    /// The plugin panicked (now or earlier); the instance only accepts `close`.
    pub dead: bool,
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.dead {
            write!(
                f,
                "plugin `{}` died in method `{}`: {}",
                self.plugin, self.method, self.message
            )
        } else {
            write!(
                f,
                "plugin `{}` method `{}` failed: {}",
                self.plugin, self.method, self.message
            )
        }
    }
}

impl std::error::Error for CallError {}

struct State {
    handle: *mut c_void,
    dead: bool,
    closed: bool,
}

/// One open instance of a plugin. Shared as `Arc<PluginInstance>` between the World and the
/// blocking threads that make its calls.
pub struct PluginInstance {
    library: Arc<PluginLibrary>,
    state: Mutex<State>,
}

// SAFETY: the raw handle is only used while holding the mutex, so calls on one instance never
// overlap; the ABI allows an instance to be used from any thread.
unsafe impl Send for PluginInstance {}
unsafe impl Sync for PluginInstance {}

impl fmt::Debug for PluginInstance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PluginInstance({})", self.library.name())
    }
}

impl PluginInstance {
    pub(super) fn new(library: Arc<PluginLibrary>, handle: *mut c_void) -> Self {
        PluginInstance {
            library,
            state: Mutex::new(State {
                handle,
                dead: false,
                closed: false,
            }),
        }
    }

    pub fn library(&self) -> &PluginLibrary {
        &self.library
    }

    fn error(&self, method: &str, message: String, dead: bool) -> CallError {
        CallError {
            plugin: self.library.name().to_string(),
            method: method.to_string(),
            message,
            dead,
        }
    }

    /// One raw call: method name and JSON arguments in, JSON result out. Blocks.
    pub fn call_json_blocking(&self, method: &str, args_json: &str) -> Result<String, CallError> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if state.closed {
            return Err(self.error(method, "the instance is closed".into(), false));
        }
        if state.dead {
            return Err(self.error(method, "the instance died in an earlier call".into(), true));
        }
        let c_method = CString::new(method)
            .map_err(|_| self.error(method, "method name contains NUL".into(), false))?;
        let c_args = CString::new(args_json)
            .map_err(|_| self.error(method, "arguments contain NUL".into(), false))?;
        let mut out: *mut c_char = ptr::null_mut();
        // SAFETY: the handle came from `open` and is not closed; the strings outlive the call;
        // the mutex guarantees no other call on this instance runs meanwhile.
        let status = unsafe {
            (self.library.table().call)(state.handle, c_method.as_ptr(), c_args.as_ptr(), &mut out)
        };
        let text = self.library.take_string(out);
        match status {
            STATUS_OK => Ok(text),
            STATUS_DEAD => {
                state.dead = true;
                Err(self.error(method, one_line(&text), true))
            }
            _ => Err(self.error(method, one_line(&text), false)),
        }
    }

    /// A typed call. Blocks.
    pub fn call_blocking<M: Method>(&self, method: &M) -> Result<M::Reply, CallError> {
        let args = serde_json::to_string(method)
            .map_err(|e| self.error(M::NAME, format!("cannot encode arguments: {e}"), false))?;
        let reply = self.call_json_blocking(M::NAME, &args)?;
        plugin_api::decode_reply::<M>(&reply)
            .map_err(|e| self.error(M::NAME, e.message().to_string(), false))
    }

    /// A typed call made on tokio's blocking pool, so a slow instrument never stalls the runtime.
    pub async fn call<M>(self: &Arc<Self>, method: M) -> Result<M::Reply, CallError>
    where
        M: Method + Send + 'static,
        M::Reply: Send + 'static,
    {
        let this = Arc::clone(self);
        match tokio::task::spawn_blocking(move || this.call_blocking(&method)).await {
            Ok(result) => result,
            Err(e) => Err(self.error(M::NAME, format!("the calling thread failed: {e}"), false)),
        }
    }

    /// Everything the instance observed since the last drain.
    pub fn drain_record(&self) -> Result<Vec<Observation>, CallError> {
        self.call_blocking(&DrainRecord {})
    }

    /// Puts the instrument in its safe state and frees the instance; later calls fail. Idempotent.
    pub fn close(&self) {
        let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        self.close_locked(state);
    }

    /// Like [`close`](Self::close), but waits at most `patience` for a call in progress (a step
    /// blocked in a long wait when Ctrl-C arrives). Returns false if the instance stayed busy and
    /// was left open: closing it under a running call would free memory the call still uses.
    pub fn close_within(&self, patience: Duration) -> bool {
        let deadline = Instant::now() + patience;
        loop {
            match self.state.try_lock() {
                Ok(state) => {
                    self.close_locked(state);
                    return true;
                }
                Err(TryLockError::Poisoned(p)) => {
                    self.close_locked(p.into_inner());
                    return true;
                }
                Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(10))
                }
                Err(TryLockError::WouldBlock) => return false,
            }
        }
    }

    fn close_locked(&self, mut state: MutexGuard<'_, State>) {
        if state.closed {
            return;
        }
        state.closed = true;
        // SAFETY: the handle came from `open` and is closed exactly once, under the mutex.
        unsafe { (self.library.table().close)(state.handle) };
        state.handle = ptr::null_mut();
    }
}

impl Drop for PluginInstance {
    fn drop(&mut self) {
        self.close();
    }
}
