//! Sources: synchronous readers of the outside world (database, processes, tmux, logs,
//! plugin files). Each returns owned facts; parsing lives in pure functions tested on literals.

pub mod db;
pub mod dialog;
pub mod file;
pub mod log;
pub mod opencode2;
pub mod opencode_config;
pub mod plugin;
pub mod process;
pub mod remote;
pub mod tmux;
pub mod unseen;
