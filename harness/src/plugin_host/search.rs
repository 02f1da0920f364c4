//! Where plugin libraries are looked for: `--plugin-path` folders, then `HARNESS_PLUGIN_PATH`
//! (colon separated), then the running executable's `deps/` folder and its own folder, which is
//! where `cargo run` / `cargo test` put the plugin cdylibs.

use std::path::{Path, PathBuf};

/// The environment variable with extra plugin folders.
pub const ENV_VAR: &str = "HARNESS_PLUGIN_PATH";

/// The ordered list of folders searched for plugin libraries.
#[derive(Debug, Clone, Default)]
pub struct SearchPath {
    dirs: Vec<PathBuf>,
}

impl SearchPath {
    /// Command-line folders first, then the environment, then next to the executable.
    pub fn new(cli_dirs: &[PathBuf], env_value: Option<&str>, exe: Option<&Path>) -> Self {
        let mut dirs: Vec<PathBuf> = cli_dirs.to_vec();
        if let Some(value) = env_value {
            dirs.extend(
                value
                    .split(':')
                    .filter(|s| !s.is_empty())
                    .map(PathBuf::from),
            );
        }
        if let Some(exe_dir) = exe.and_then(Path::parent) {
            // `deps/` first: cargo rebuilds plugin cdylibs there as dependencies of the harness,
            // while a copy next to the executable may be left over from an older workspace build.
            dirs.push(exe_dir.join("deps"));
            dirs.push(exe_dir.to_path_buf());
        }
        SearchPath { dirs }
    }

    /// The search path of this process: `cli_dirs`, `$HARNESS_PLUGIN_PATH`, the executable's folder.
    pub fn from_process(cli_dirs: &[PathBuf]) -> Self {
        let env_value = std::env::var(ENV_VAR).ok();
        let exe = std::env::current_exe().ok();
        Self::new(cli_dirs, env_value.as_deref(), exe.as_deref())
    }

    pub fn dirs(&self) -> &[PathBuf] {
        &self.dirs
    }

    /// The first `lib<name>.so` (with `-` spelled `_`) in the search path.
    pub fn find(&self, plugin: &str) -> Result<PathBuf, String> {
        let file = library_file_name(plugin);
        self.dirs
            .iter()
            .map(|d| d.join(&file))
            .find(|p| p.is_file())
            .ok_or_else(|| {
                let searched: Vec<String> = self.dirs.iter().map(|d| d.display().to_string()).collect();
                format!(
                    "plugin `{plugin}`: no {file} in {} (add a folder with --plugin-path or {ENV_VAR})",
                    searched.join(":")
                )
            })
    }
}

/// The shared-library file name of a plugin: `ev-emulator` → `libev_emulator.so`.
pub fn library_file_name(plugin: &str) -> String {
    format!(
        "{}{}{}",
        std::env::consts::DLL_PREFIX,
        plugin.replace('-', "_"),
        std::env::consts::DLL_SUFFIX
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_is_cli_env_deps_exe() {
        let sp = SearchPath::new(
            &[PathBuf::from("/a")],
            Some("/b::/c"),
            Some(Path::new("/t/debug/harness")),
        );
        let dirs: Vec<_> = sp.dirs().iter().map(|d| d.display().to_string()).collect();
        assert_eq!(dirs, ["/a", "/b", "/c", "/t/debug/deps", "/t/debug"]);
    }

    #[test]
    fn missing_library_names_file_and_folders() {
        let sp = SearchPath::new(&[PathBuf::from("/nonexistent")], None, None);
        let e = sp.find("ev-emulator").unwrap_err();
        assert_eq!(
            e,
            "plugin `ev-emulator`: no libev_emulator.so in /nonexistent (add a folder with --plugin-path or HARNESS_PLUGIN_PATH)"
        );
    }
}
