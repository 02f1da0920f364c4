//! Crash-safe storage of the OCPP charge point's `Store { key, bytes }` outputs: one file per
//! key in `<state dir>/ocpp/`, each replaced atomically, all handed back as a `StoredState` at
//! the next start.

use std::fs;
use std::path::{Path, PathBuf};

use ocpp_charge_point::StoredState;

use super::storage::write_atomic;

/// The folder of the OCPP charge point's stored state.
#[derive(Debug, Clone)]
pub struct OcppStore {
    dir: PathBuf,
}

impl OcppStore {
    /// Opens (and creates if missing) `<state_dir>/ocpp`.
    pub fn open(state_dir: &Path) -> Result<OcppStore, String> {
        let dir = state_dir.join("ocpp");
        fs::create_dir_all(&dir).map_err(|e| format!("{}: cannot create: {e}", dir.display()))?;
        Ok(OcppStore { dir })
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
