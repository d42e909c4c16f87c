//! Which rows the list shows and in which order: visibility toggles, the `/` filter, sorting,
//! and children (subagents, helper processes) placed under their parent.

use std::cmp::Ordering;
use std::collections::HashMap;

use crate::interact::filter::Filter;
use crate::model::row::Row;
use crate::monitor::state::columns::Column;
use crate::monitor::state::today::Today;

/// What identifies a row across refreshes: its session, else its process.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RowKey {
    Session(String),
    /// A pid is one machine's: the host says which.
    Pid(Option<String>, u32),
}

pub fn row_key(row: &Row) -> Option<RowKey> {
    match (row.session_id(), row.pid()) {
        (Some(id), _) => Some(RowKey::Session(id.to_string())),
        (None, Some(pid)) => Some(RowKey::Pid(row.host.clone(), pid)),
        (None, None) => None,
    }
}

/// What the list shows besides interactive sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Visibility {
    /// `a`: non-interactive sessions (`opencode run`, subagents, sessions without a TUI).
    pub all: bool,
    /// `p`: background processes (LSP and MCP servers, tool commands).
    pub procs: bool,
}

impl Visibility {
    pub fn shows(&self, row: &Row) -> bool {
        if row.is_helper() {
            self.procs
        } else {
            row.is_primary() || self.all
        }
    }
}

fn compare(a: &Row, b: &Row, key: Column, today: &Today) -> Ordering {
    let sa = a.session.as_ref();
    let sb = b.session.as_ref();
    let pa = a.process.as_ref();
    let pb = b.process.as_ref();
    match key.sorts_as() {
        Column::Title => a.title().to_lowercase().cmp(&b.title().to_lowercase()),
        Column::Status => a.urgency().cmp(&b.urgency()),
        Column::Waited => today.waited(a).cmp(&today.waited(b)),
        Column::Session => sa.map(|s| &s.id).cmp(&sb.map(|s| &s.id)),
        // Older process = longer uptime = "larger".
        Column::Uptime => pb
            .map(|p| p.info.started_at)
            .cmp(&pa.map(|p| p.info.started_at)),
        Column::Cpu => {
            let ca = pa.and_then(|p| p.cpu_percent).unwrap_or(0.0);
            let cb = pb.and_then(|p| p.cpu_percent).unwrap_or(0.0);
            ca.total_cmp(&cb)
        }
        Column::Context => sa
            .and_then(|s| s.context_tokens)
            .cmp(&sb.and_then(|s| s.context_tokens)),
        Column::Cost => {
            let ca = sa.and_then(|s| s.cost).unwrap_or(0.0);
            let cb = sb.and_then(|s| s.cost).unwrap_or(0.0);
            ca.total_cmp(&cb)
        }
        Column::Model => sa
            .and_then(|s| s.model.as_ref())
            .cmp(&sb.and_then(|s| s.model.as_ref())),
        // By machine first (this one before the hosts), then tmux session and window.
        Column::Tmux | Column::Host => {
            let ta = a.tmux.as_ref().map(|t| (&a.host, &t.session, t.window));
            let tb = b.tmux.as_ref().map(|t| (&b.host, &t.session, t.window));
            ta.cmp(&tb)
        }
    }
}

/// Ties are broken by the most recent activity, then by key, so the order is stable.
fn ordered(a: &Row, b: &Row, key: Column, descending: bool, today: &Today) -> Ordering {
    let primary = compare(a, b, key, today);
    let primary = if descending {
        primary.reverse()
    } else {
        primary
    };
    let act = |r: &Row| r.session.as_ref().and_then(|s| s.last_activity_at);
    primary.then_with(|| act(b).cmp(&act(a))).then_with(|| {
        row_key(a)
            .map(|k| format!("{k:?}"))
            .cmp(&row_key(b).map(|k| format!("{k:?}")))
    })
}

/// A row in display order: its index in the snapshot and how deep it is nested.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shown {
    pub index: usize,
    pub depth: u8,
}

/// The rows to show, in order. A subagent follows its parent session and a helper its owner
/// process, when the parent is shown; otherwise it stands on its own. `today` is what WAITED
/// sorts by.
pub fn arrange(
    rows: &[Row],
    vis: Visibility,
    filter: &str,
    (key, descending): (Column, bool),
    today: &Today,
) -> Vec<Shown> {
    let mut filter = Filter::new(filter);
    let mut kept: Vec<usize> = (0..rows.len())
        .filter(|&i| vis.shows(&rows[i]) && filter.matches(&rows[i]))
        .collect();
    kept.sort_by(|&a, &b| ordered(&rows[a], &rows[b], key, descending, today));

    let by_session: HashMap<&str, usize> = kept
        .iter()
        .filter_map(|&i| rows[i].session_id().map(|id| (id, i)))
        .collect();
    let by_pid: HashMap<u32, usize> = kept
        .iter()
        .filter(|&&i| !rows[i].is_helper())
        .filter_map(|&i| rows[i].pid().map(|pid| (pid, i)))
        .collect();
    let parent_of = |i: usize| -> Option<usize> {
        let row = &rows[i];
        let by_sess = row
            .session
            .as_ref()
            .and_then(|s| s.parent_id.as_deref())
            .and_then(|p| by_session.get(p).copied());
        let by_owner = || {
            row.process
                .as_ref()
                .filter(|_| row.is_helper())
                .and_then(|p| p.owner)
                .and_then(|o| by_pid.get(&o).copied())
        };
        by_sess.or_else(by_owner).filter(|&p| p != i)
    };

    let mut children: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut roots = Vec::new();
    for &i in &kept {
        match parent_of(i) {
            Some(p) => children.entry(p).or_default().push(i),
            None => roots.push(i),
        }
    }
    let mut out = Vec::with_capacity(kept.len());
    let mut seen = vec![false; rows.len()];
    for r in roots {
        push_tree(r, 0, &children, &mut seen, &mut out);
    }
    // Rows caught in a parent cycle (bad data) are still shown.
    for &i in &kept {
        if !seen[i] {
            push_tree(i, 0, &children, &mut seen, &mut out);
        }
    }
    out
}

fn push_tree(
    i: usize,
    depth: u8,
    children: &HashMap<usize, Vec<usize>>,
    seen: &mut [bool],
    out: &mut Vec<Shown>,
) {
    if seen[i] {
        return;
    }
    seen[i] = true;
    out.push(Shown { index: i, depth });
    for &c in children.get(&i).map(Vec::as_slice).unwrap_or_default() {
        push_tree(c, depth.saturating_add(1), children, seen, out);
    }
}
