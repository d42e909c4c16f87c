//! otop: htop for opencode sessions.
//!
//! Data flows one way: [`source`] (database, processes, tmux, logs) → [`model`] (correlated
//! rows with a status) → views ([`ui`], [`pick`], [`statusline`], [`cli`]). The collector
//! ([`collect`]) owns the sources and hands out owned snapshots.

pub mod cli;
pub mod collect;
pub mod colour;
pub mod companion;
pub mod config;
pub mod demo;
#[doc(hidden)]
pub mod fixture;
pub mod jump;
pub mod keys;
pub mod model;
pub mod pick;
pub mod source;
pub mod statusline;
pub mod ui;
