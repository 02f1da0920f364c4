//! Loads a plugin's shared library the way the harness does (`dlopen` + the entry symbol), from
//! the directory cargo builds it into next to the test binary (`target/<profile>/deps`).
//! Shared by the three instrument plugins' tests through `#[path]`.

#![allow(dead_code)]

use std::path::PathBuf;

use plugin_api::abi::EntryFn;

/// A loaded library and its entry point; the library stays mapped while this lives.
pub struct LoadedPlugin {
    pub path: PathBuf,
    pub entry: EntryFn,
    _library: libloading::Library,
}

/// Loads `lib<stem>.so` (or the platform's equivalent) built for this test run.
pub fn load(stem: &str) -> LoadedPlugin {
    let exe = std::env::current_exe().expect("test binary path");
    let path = exe.parent().expect("deps directory").join(format!(
        "{}{stem}{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    ));
    // SAFETY: loading our own plugin library, whose initialisers are plain Rust statics.
    let library = unsafe { libloading::Library::new(&path) }
        .unwrap_or_else(|e| panic!("cannot load {}: {e}", path.display()));
    let entry: EntryFn = *unsafe { library.get::<EntryFn>(plugin_api::ENTRY_SYMBOL.as_bytes()) }
        .unwrap_or_else(|e| panic!("{}: no {}: {e}", path.display(), plugin_api::ENTRY_SYMBOL));
    LoadedPlugin {
        path,
        entry,
        _library: library,
    }
}
