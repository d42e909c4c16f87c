//! The tmux status-line segment: counts by state ([`counts`]), formatted by a small template
//! language ([`format`](mod@format)), and the tmux options `otop watch --tmux` keeps current
//! ([`tmux_options`]).

pub mod counts;
pub mod format;
pub mod tmux_options;
