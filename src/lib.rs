//! otop: htop for opencode sessions.
//!
//! Data flows one way: [`source`] (database, processes, tmux, logs) → [`model`] (correlated
//! rows with a status) → views ([`monitor`], [`pick`], [`statusline`], [`cli`]). The collector
//! ([`collect`]) owns the sources and hands out owned snapshots; [`effects`] is what the
//! long-lived views do with each once it is made ([`notify`] watches them for news to tell).

pub mod cli;
pub mod collect;
pub mod companion;
pub mod config;
pub mod drive;
pub mod effects;
pub mod error;
pub mod interact;
pub mod jump;
pub mod model;
pub mod monitor;
pub mod notify;
pub mod paths;
pub mod pick;
pub mod reply;
pub mod restore;
pub mod source;
pub mod statusline;
pub mod stdout;
/// Test support (fixture databases, stand-in processes): only in tests and with the `testkit`
/// feature, never in a release build.
#[cfg(any(test, feature = "testkit"))]
#[doc(hidden)]
pub mod testkit;
pub mod tmux_call;
pub mod tui;
