//! Loading a plugin library and checking its table: entry symbol, ABI version, kind.

use std::collections::HashMap;
use std::ffi::{c_char, c_void, CStr, CString};
use std::fmt;
use std::path::{Path, PathBuf};
use std::ptr;
use std::sync::{Arc, Mutex};

use plugin_api::abi::{EntryFn, PluginTableV1, STATUS_DEAD, STATUS_OK};
use plugin_api::{ABI_VERSION, ENTRY_SYMBOL};

use super::instance::PluginInstance;
use super::SearchPath;

/// Why a plugin could not be loaded or opened: one line naming the library file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError(pub String);

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LoadError {}

/// A loaded, checked plugin library. Instances hold an `Arc` to it, so the code stays mapped
/// while any instance lives.
pub struct PluginLibrary {
    path: PathBuf,
    name: String,
    version: String,
    kind: String,
    table: *const PluginTableV1,
    // Dropped last: the table and its functions live inside the library.
    _library: libloading::Library,
}

// SAFETY: the table is static, immutable data inside the library, which stays loaded as long as
// this value; the ABI requires `open`, `call`, `close` and `free_string` to be callable from any
// thread (calls on one instance are serialized by `PluginInstance`).
unsafe impl Send for PluginLibrary {}
unsafe impl Sync for PluginLibrary {}

impl fmt::Debug for PluginLibrary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PluginLibrary")
            .field("path", &self.path)
            .field("name", &self.name)
            .field("version", &self.version)
            .field("kind", &self.kind)
            .finish()
    }
}

impl PluginLibrary {
    /// Loads `path` and checks that it is an ABI v1 plugin of `expected_kind`.
    pub fn load(path: &Path, expected_kind: &str) -> Result<Arc<PluginLibrary>, LoadError> {
        let shown = path.display();
        let fail = |msg: String| LoadError(format!("plugin library {shown}: {msg}"));
        // SAFETY: loading a library runs its initialisers; plugin libraries are trusted code the
        // rig file names, which is the whole point of a plugin.
        let library = unsafe { libloading::Library::new(path) }
            .map_err(|e| fail(format!("cannot load: {}", one_line(&e.to_string()))))?;
        // SAFETY: the symbol's type is fixed by ABI v1.
        let entry: EntryFn = unsafe {
            match library.get::<EntryFn>(ENTRY_SYMBOL.as_bytes()) {
                Ok(symbol) => *symbol,
                Err(_) => {
                    return Err(fail(format!(
                        "not a harness plugin: it exports no `{ENTRY_SYMBOL}` symbol"
                    )))
                }
            }
        };
        // SAFETY: calling the entry point is what ABI v1 asks of the host.
        let table = unsafe { entry() };
        if table.is_null() {
            return Err(fail(format!("`{ENTRY_SYMBOL}` returned a null table")));
        }
        // SAFETY: non-null and, per the ABI, a static table. Only the version is read before it
        // is known to be version 1, as later versions may lay the rest out differently.
        let abi_version = unsafe { ptr::read(ptr::addr_of!((*table).abi_version)) };
        if abi_version != ABI_VERSION {
            return Err(fail(format!("exports plugin ABI version {abi_version}, this harness speaks version {ABI_VERSION}")));
        }
        // SAFETY: a version-1 table.
        let t = unsafe { &*table };
        let text = |p: *const c_char, field: &str| -> Result<String, LoadError> {
            if p.is_null() {
                return Err(fail(format!("table field `{field}` is null")));
            }
            // SAFETY: non-null static NUL-terminated string, per the ABI.
            unsafe { CStr::from_ptr(p) }
                .to_str()
                .map(str::to_string)
                .map_err(|_| fail(format!("table field `{field}` is not UTF-8")))
        };
        let name = text(t.name, "name")?;
        let version = text(t.version, "version")?;
        let kind = text(t.kind, "kind")?;
        if kind != expected_kind {
            return Err(fail(format!("is a `{kind}` plugin (`{name}`), but the rig section needs a `{expected_kind}` plugin")));
        }
        Ok(Arc::new(PluginLibrary {
            path: path.to_path_buf(),
            name,
            version,
            kind,
            table,
            _library: library,
        }))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn version(&self) -> &str {
        &self.version
    }

    pub fn kind(&self) -> &str {
        &self.kind
    }

    pub(super) fn table(&self) -> &PluginTableV1 {
        // SAFETY: checked non-null and version 1 in `load`; lives as long as `_library`.
        unsafe { &*self.table }
    }

    /// Takes ownership of a string the plugin returned and frees it with the plugin's allocator.
    pub(super) fn take_string(&self, s: *mut c_char) -> String {
        if s.is_null() {
            return String::new();
        }
        // SAFETY: a NUL-terminated string the plugin handed out; freed exactly once below.
        let text = unsafe { CStr::from_ptr(s) }.to_string_lossy().into_owned();
        // SAFETY: returned to the plugin that allocated it, as the ABI requires.
        unsafe { (self.table().free_string)(s) };
        text
    }

    /// Opens an instance with `config` (the rig section as JSON).
    pub fn open(self: &Arc<Self>, config: &serde_json::Value) -> Result<PluginInstance, LoadError> {
        let config = CString::new(config.to_string())
            .map_err(|_| self.open_error("config contains a NUL byte".into()))?;
        let mut instance: *mut c_void = ptr::null_mut();
        let mut error: *mut c_char = ptr::null_mut();
        // SAFETY: valid pointers for the duration of the call, per the ABI.
        let status = unsafe { (self.table().open)(config.as_ptr(), &mut instance, &mut error) };
        let message = self.take_string(error);
        match status {
            STATUS_OK if !instance.is_null() => Ok(PluginInstance::new(Arc::clone(self), instance)),
            STATUS_OK => Err(self.open_error("open returned OK but no instance".into())),
            // Rust plugins already say "panicked in open: …"; a C plugin may not.
            STATUS_DEAD if message.contains("panic") => Err(self.open_error(one_line(&message))),
            STATUS_DEAD => Err(self.open_error(format!("the plugin died: {}", one_line(&message)))),
            _ => Err(self.open_error(one_line(&message))),
        }
    }

    fn open_error(&self, message: String) -> LoadError {
        LoadError(format!(
            "plugin `{}` ({}): open failed: {message}",
            self.name,
            self.path.display()
        ))
    }
}

/// Every library loaded in this run, so a library is loaded and checked once.
#[derive(Debug, Default)]
pub struct PluginLibraries {
    search: SearchPath,
    loaded: Mutex<HashMap<(String, String), Arc<PluginLibrary>>>,
}

impl PluginLibraries {
    pub fn new(search: SearchPath) -> Self {
        PluginLibraries {
            search,
            loaded: Mutex::new(HashMap::new()),
        }
    }

    /// The library of plugin `name` (a name from a rig file), checked to be of `kind`.
    pub fn get(&self, name: &str, kind: &str) -> Result<Arc<PluginLibrary>, LoadError> {
        let key = (name.to_string(), kind.to_string());
        let mut loaded = self.loaded.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(lib) = loaded.get(&key) {
            return Ok(Arc::clone(lib));
        }
        let path = self.search.find(name).map_err(LoadError)?;
        let lib = PluginLibrary::load(&path, kind)?;
        loaded.insert(key, Arc::clone(&lib));
        Ok(lib)
    }
}

pub(super) fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
