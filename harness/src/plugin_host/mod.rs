//! The host side of the plugin ABI v1: finding plugin libraries, loading and checking them, and
//! calling instances from blocking threads, one call at a time per instance.

mod instance;
mod library;
mod search;

pub use instance::{CallError, PluginInstance};
pub use library::{LoadError, PluginLibraries, PluginLibrary};
pub use search::{library_file_name, SearchPath};
