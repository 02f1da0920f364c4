//! Crash-safe storage in the state directory: every file is replaced atomically (write a
//! temporary file, fsync it, rename it over the old one, fsync the directory), so a crash at
//! any moment leaves either the old or the new content, never a torn file.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::core::{Installation, Settings, StoreRequest, Stored};

const SETTINGS: &str = "settings.json";
const INSTALLATION: &str = "installation.json";
const ENERGY: &str = "energy.json";
const OFFLINE_CARDS: &str = "offline-cards.json";

#[derive(Debug, Serialize, Deserialize)]
struct EnergyFile {
    energy_mwh: u64,
}

/// The state directory.
#[derive(Debug, Clone)]
pub struct StateDir {
    dir: PathBuf,
}

impl StateDir {
    /// Opens (and creates if missing) the directory and checks that it is writable.
    pub fn open(dir: &Path) -> Result<StateDir, String> {
        fs::create_dir_all(dir)
            .map_err(|e| format!("state directory {}: cannot create: {e}", dir.display()))?;
        let probe = dir.join(".write-probe");
        write_atomic(&probe, b"ok")
            .map_err(|e| format!("state directory {}: not writable: {e}", dir.display()))?;
        let _ = fs::remove_file(&probe);
        Ok(StateDir {
            dir: dir.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// `settings.json` (optional; defaults when missing), validated.
    pub fn load_settings(&self) -> Result<Settings, String> {
        let settings: Settings = self.load(SETTINGS)?.unwrap_or_default();
        settings
            .validate()
            .map_err(|e| format!("{}: {e}", self.dir.join(SETTINGS).display()))?;
        Ok(settings)
    }

    /// Everything the core persisted.
    pub fn load_stored(&self) -> Result<Stored, String> {
        Ok(Stored {
            installation: self.load::<Installation>(INSTALLATION)?,
            energy_mwh: self.load::<EnergyFile>(ENERGY)?.map_or(0, |e| e.energy_mwh),
            offline_cards: self.load::<Vec<String>>(OFFLINE_CARDS)?.unwrap_or_default(),
        })
    }

    /// Performs a core store request; returns only once the data is durable.
    pub fn store(&self, req: &StoreRequest) -> Result<(), String> {
        match req {
            StoreRequest::EnergyRegister { mwh } => {
                self.save(ENERGY, &EnergyFile { energy_mwh: *mwh })
            }
            StoreRequest::Installation(i) => self.save(INSTALLATION, i),
            StoreRequest::OfflineCards(cards) => self.save(OFFLINE_CARDS, cards),
        }
    }

    fn load<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>, String> {
        load_json(&self.dir, name)
    }

    fn save<T: Serialize>(&self, name: &str, value: &T) -> Result<(), String> {
        save_json(&self.dir, name, value)
    }
}

/// Reads the JSON file `name` in `dir`; `None` when it does not exist yet.
pub(crate) fn load_json<T: DeserializeOwned>(dir: &Path, name: &str) -> Result<Option<T>, String> {
    let path = dir.join(name);
    match fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| format!("{}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{}: cannot read: {e}", path.display())),
    }
}

/// Writes `value` as the JSON file `name` in `dir`, crash-safe (see [`write_atomic`]).
pub(crate) fn save_json<T: Serialize>(dir: &Path, name: &str, value: &T) -> Result<(), String> {
    let path = dir.join(name);
    let bytes = serde_json::to_vec_pretty(value).expect("stored types serialise");
    write_atomic(&path, &bytes).map_err(|e| format!("{}: cannot write: {e}", path.display()))
}

/// Replaces `path` atomically with `bytes`.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = dir.join(format!(".{name}.tmp.{}", std::process::id()));
    {
        let mut f = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    fs::rename(&tmp, path)?;
    File::open(dir)?.sync_all()
}
