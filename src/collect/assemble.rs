//! Building rows from process and tmux facts.

use std::collections::HashMap;

use crate::model::row::{ProcessRow, Row, TmuxLocation};
use crate::model::state::{State, Status};
use crate::source::process::types::{Kind, OpencodeProcess};
use crate::source::process::{self};
use crate::source::tmux;
use crate::source::tmux::types::Pane;

/// Panes of every tmux server an opencode process lives in, plus the default server.
pub(super) fn tmux_panes(procs: &[OpencodeProcess], extra: &[String]) -> Vec<Pane> {
    let mut sockets: Vec<String> = procs
        .iter()
        .filter_map(|p| p.info.env.tmux.as_deref().and_then(tmux::socket_of))
        .collect();
    sockets.extend(tmux::default_socket());
    sockets.extend(extra.iter().cloned());
    sockets.sort();
    sockets.dedup();
    if procs.is_empty() {
        return Vec::new();
    }
    sockets
        .iter()
        .filter_map(|s| tmux::list_panes(s).ok())
        .flatten()
        .collect()
}

pub(super) fn pane_of(p: &OpencodeProcess, panes: &[Pane]) -> Option<TmuxLocation> {
    if panes.is_empty() {
        return None;
    }
    // The parent chain (a /proc read per ancestor) only when TMUX_PANE and the TTY say nothing.
    tmux::pane_for(&p.info, &[], panes)
        .or_else(|| tmux::pane_for(&p.info, &process::ancestors(p.info.pid), panes))
        .map(TmuxLocation::from)
}

pub(super) fn process_row(p: &OpencodeProcess, cpu: &HashMap<u32, f32>) -> ProcessRow {
    ProcessRow {
        info: p.info.clone(),
        kind: p.kind,
        cpu_percent: cpu.get(&p.info.pid).copied(),
        owner: p.owner,
        // Set once every database's plugin files are read (`Collector::collect`).
        plugin: false,
    }
}

/// A process without a session: a TUI that has not started a conversation yet, a server,
/// or a helper.
pub(super) fn bare_row(p: &OpencodeProcess, cpu: &HashMap<u32, f32>, panes: &[Pane]) -> Row {
    let status = match p.kind {
        Kind::Helper => Status::new(State::Idle, "helper"),
        Kind::Serve => Status::new(State::Idle, "serving"),
        _ => Status::new(State::Idle, "no session"),
    };
    Row {
        process: Some(process_row(p, cpu)),
        session: None,
        status,
        matched: None,
        tmux: if p.kind == Kind::Helper {
            None
        } else {
            pane_of(p, panes)
        },
    }
}
