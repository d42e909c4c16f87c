//! Sources: synchronous readers of the outside world (database, processes, tmux, logs,
//! plugin files). Each returns owned facts; parsing lives in pure functions tested on literals.

pub mod db;
pub mod db_types;
pub mod log;
pub mod log_parse;
pub mod log_types;
pub mod plugin;
pub mod process;
pub mod process_types;
pub mod tmux;
pub mod tmux_types;
