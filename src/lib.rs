//! otop: htop for opencode sessions.
//!
//! Data flows one way: [`source`] (database, processes, tmux, logs) → [`model`] (correlated
//! rows with a status) → views (`ui`, `cli`). The collector owns the sources and hands out
//! owned snapshots.

pub mod cli;
pub mod collect;
pub mod demo;
pub mod jump;
pub mod model;
pub mod source;
pub mod ui;
