//! What `otop watch --tmux` keeps in tmux: the global `@otop_status` segment and each pane's
//! `@otop_state` (its state, or `done` for an idle session that finished since you looked), and the fewest `set-option` commands that bring tmux from one refresh's values
//! to the next.

use std::collections::BTreeMap;

use crate::model::row::Row;
use crate::model::select;
use crate::statusline::counts;
use crate::statusline::format::{self, Style};

/// The option values one refresh produces.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    pub status: String,
    /// pane id → state (or `done`), for panes of this server that run a session.
    pub panes: BTreeMap<String, String>,
}

/// What `rows` mean for one tmux server (`on_server` says whether a socket path is that
/// server's: a filesystem question, asked by the caller): the segment and each pane's most
/// urgent state.
pub fn options_for(
    rows: &[Row],
    unreachable: usize,
    waited_ms: i64,
    on_server: impl Fn(&str) -> bool,
    template: &str,
    style: &Style,
    empty: &str,
) -> Options {
    let rows = select::sessions(rows.to_vec(), false);
    let counts = counts::Counts {
        unreachable,
        waited_ms,
        ..counts::count(&rows)
    };
    let status = if counts.total() == 0 && unreachable == 0 {
        empty.to_string()
    } else {
        format::render(template, &counts, style).unwrap_or_default()
    };
    let mut panes = BTreeMap::new();
    for r in &rows {
        // Another machine's pane is never this server's, whatever its socket's path.
        if let Some(t) = r
            .tmux
            .as_ref()
            .filter(|t| t.host.is_none() && on_server(&t.socket))
        {
            // Most urgent first: the first row of a pane decides its state.
            let state = if r.is_done() {
                "done"
            } else {
                r.status.state.as_str()
            };
            panes
                .entry(t.pane_id.clone())
                .or_insert_with(|| state.to_string());
        }
    }
    Options { status, panes }
}

/// The tmux commands that turn `old` into `new`; empty when nothing changed.
pub fn changes(old: Option<&Options>, new: &Options) -> Vec<Vec<String>> {
    let mut cmds: Vec<Vec<String>> = Vec::new();
    let s = |x: &str| x.to_string();
    if old.is_none_or(|o| o.status != new.status) {
        cmds.push(vec![
            s("set-option"),
            s("-gq"),
            s("@otop_status"),
            new.status.clone(),
        ]);
    }
    for (pane, state) in &new.panes {
        if old.and_then(|o| o.panes.get(pane)) != Some(state) {
            cmds.push(vec![
                s("set-option"),
                s("-pq"),
                s("-t"),
                pane.clone(),
                s("@otop_state"),
                state.clone(),
            ]);
        }
    }
    if let Some(o) = old {
        for pane in o.panes.keys().filter(|p| !new.panes.contains_key(*p)) {
            // -q: the pane may be gone already.
            cmds.push(vec![
                s("set-option"),
                s("-pqu"),
                s("-t"),
                pane.clone(),
                s("@otop_state"),
            ]);
        }
    }
    cmds
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(status: &str, panes: &[(&str, &str)]) -> Options {
        Options {
            status: status.into(),
            panes: panes
                .iter()
                .map(|(p, s)| (p.to_string(), s.to_string()))
                .collect(),
        }
    }

    #[test]
    fn only_what_changed_is_written() {
        let a = opts("◆1", &[("%1", "waiting"), ("%2", "idle")]);
        let line = |c: Vec<Vec<String>>| c.join(&[";".to_string()][..]).join(" ");
        let first = line(changes(None, &a));
        assert_eq!(
            first,
            "set-option -gq @otop_status ◆1 ; set-option -pq -t %1 @otop_state waiting ; \
             set-option -pq -t %2 @otop_state idle"
        );
        assert!(changes(Some(&a), &a).is_empty());
        let b = opts("◆1", &[("%1", "working")]);
        assert_eq!(
            line(changes(Some(&a), &b)),
            "set-option -pq -t %1 @otop_state working ; set-option -pqu -t %2 @otop_state"
        );
    }
}
