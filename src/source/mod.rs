//! Sources: synchronous readers of the outside world (database, processes, tmux, logs,
//! plugin files). Each returns owned facts; parsing lives in pure functions tested on literals.

pub mod db;
mod db_facts;
mod db_history;
pub mod db_info;
mod db_json;
mod db_schema;
#[cfg(test)]
mod db_tests;
mod db_totals;
pub mod db_types;
pub mod log;
pub mod log_parse;
pub mod log_types;
pub mod plugin;
pub mod process;
#[cfg(target_os = "linux")]
mod process_linux;
#[cfg(target_os = "macos")]
mod process_macos;
pub mod process_types;
#[doc(hidden)]
pub mod standin;
pub mod tmux;
pub mod tmux_types;
