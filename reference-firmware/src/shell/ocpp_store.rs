//! Crash-safe storage of the OCPP charge point's `Store { key, bytes }` outputs: one file per
//! key in `<state dir>/ocpp/`, each replaced atomically, all handed back as a `StoredState` at
//! the next start.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use ocpp_charge_point::StoredState;

use super::storage::write_atomic;

/// The folder of the OCPP charge point's stored state.
#[derive(Debug, Clone)]
pub struct OcppStore {
    dir: PathBuf,
    /// Test hook (`--test-hooks`): a file naming, one per line, the keys whose storage fails.
    fault_hook: Option<PathBuf>,
}

/// Where the storage fault test hook is read, relative to the state directory.
pub const STORAGE_FAULT_HOOK: &str = "test-hooks/storage-faults";

impl OcppStore {
    /// Opens (and creates if missing) `<state_dir>/ocpp`.
    pub fn open(state_dir: &Path) -> Result<OcppStore, String> {
        let dir = state_dir.join("ocpp");
        fs::create_dir_all(&dir).map_err(|e| format!("{}: cannot create: {e}", dir.display()))?;
        Ok(OcppStore {
            dir,
            fault_hook: None,
        })
    }

    /// Enables the storage fault test hook: keys listed in `<state_dir>/test-hooks/storage-faults`
    /// cannot be saved, as if their flash sector had worn out (OCTT TC_043_3).
    pub fn with_fault_hook(mut self, state_dir: &Path) -> OcppStore {
        self.fault_hook = Some(state_dir.join(STORAGE_FAULT_HOOK));
        self
    }

    /// The keys the test hook makes fail now (none without the hook or its file).
    pub fn hooked_faults(&self) -> BTreeSet<String> {
        let Some(path) = &self.fault_hook else {
            return BTreeSet::new();
        };
        fs::read_to_string(path)
            .map(|text| {
                text.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Every stored key. Temporary files of an interrupted write are skipped (the rename never
    /// happened, so the old content is still in place).
    pub fn load(&self) -> Result<StoredState, String> {
        let mut state = StoredState::default();
        let entries = fs::read_dir(&self.dir)
            .map_err(|e| format!("{}: cannot list: {e}", self.dir.display()))?;
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            let Some(key) = name.strip_suffix(".json") else {
                continue;
            };
            if key.starts_with('.') || !valid_key(key) {
                continue;
            }
            let bytes = fs::read(entry.path())
                .map_err(|e| format!("{}: cannot read: {e}", entry.path().display()))?;
            state.apply(key, bytes);
        }
        Ok(state)
    }

    /// Stores `bytes` under `key`; returns once durable.
    pub fn save(&self, key: &str, bytes: &[u8]) -> Result<(), String> {
        if !valid_key(key) {
            return Err(format!("OCPP storage key `{key}` is not a plain name"));
        }
        if self.hooked_faults().contains(key) {
            return Err(format!(
                "OCPP storage key `{key}` fails (test hook {STORAGE_FAULT_HOOK})"
            ));
        }
        let path = self.dir.join(format!("{key}.json"));
        write_atomic(&path, bytes).map_err(|e| format!("{}: cannot write: {e}", path.display()))
    }

    /// Removes everything (factory reset).
    pub fn wipe(&self) -> Result<(), String> {
        match fs::remove_dir_all(&self.dir) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(format!("{}: cannot remove: {e}", self.dir.display())),
        }
    }
}

/// Keys are the charge point's fixed names (`config`, `tx_queue`, ...): letters, digits, `_`.
fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fault_hook_fails_only_the_listed_keys_and_only_when_enabled() {
        let dir = tempfile::tempdir().unwrap();
        let hook = dir.path().join(STORAGE_FAULT_HOOK);
        fs::create_dir_all(hook.parent().unwrap()).unwrap();
        fs::write(&hook, "local_list\n\n").unwrap();
        let plain = OcppStore::open(dir.path()).unwrap();
        assert!(plain.hooked_faults().is_empty());
        plain.save("local_list", b"[]").unwrap();
        let hooked = OcppStore::open(dir.path())
            .unwrap()
            .with_fault_hook(dir.path());
        assert_eq!(
            hooked.hooked_faults().into_iter().collect::<Vec<_>>(),
            ["local_list"]
        );
        assert!(hooked
            .save("local_list", b"[1]")
            .unwrap_err()
            .contains("test hook"));
        hooked.save("config", b"{}").unwrap();
        fs::remove_file(&hook).unwrap();
        hooked.save("local_list", b"[2]").unwrap();
    }

    #[test]
    fn stored_keys_come_back_and_temporary_files_are_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let store = OcppStore::open(dir.path()).unwrap();
        store.save("tx_queue", b"[1,2]").unwrap();
        store.save("config", b"{}").unwrap();
        store.save("config", b"{\"a\":1}").unwrap();
        fs::write(store.path().join(".config.json.tmp.1"), b"torn").unwrap();
        let loaded = store.load().unwrap();
        assert_eq!(loaded.get("tx_queue"), Some(&b"[1,2]"[..]));
        assert_eq!(loaded.get("config"), Some(&b"{\"a\":1}"[..]));
        assert_eq!(loaded.entries.len(), 2);
        assert!(store.save("../x", b"1").is_err());
        store.wipe().unwrap();
        assert!(OcppStore::open(dir.path())
            .unwrap()
            .load()
            .unwrap()
            .entries
            .is_empty());
    }
}
