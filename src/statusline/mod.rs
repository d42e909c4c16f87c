//! The tmux status-line segment: counts by state, formatted by a small template language.

pub mod format;
