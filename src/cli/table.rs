//! The plain-text table of `otop sessions`.

use crate::model::row::Row;
use crate::model::sanitize::clean;
use crate::tui::text::{cut, width};

/// Widest title shown; longer ones are cut by display width.
const TITLE_WIDTH: usize = 50;
/// Widest status shown: room for a retry's attempt, countdown and the start of the provider's
/// error (`retrying (attempt 2, next in 4 s): mock upstream failure`).
const STATUS_WIDTH: usize = 64;

/// One line per row, aligned; every untrusted string sanitised. With `hosts` (any host is
/// read), a HOST column first.
pub fn render(rows: &[Row], hosts: bool) -> String {
    let header = [
        "HOST", "PID", "STATE", "STATUS", "TMUX", "MATCH", "SESSION", "TITLE",
    ];
    let skip = usize::from(!hosts);
    let mut table: Vec<Vec<String>> = vec![header[skip..].iter().map(|s| s.to_string()).collect()];
    for r in rows {
        let s = r.session.as_ref();
        let mut line = vec![
            r.host.clone().unwrap_or_else(|| "local".into()),
            r.pid().map_or("-".into(), |p| p.to_string()),
            r.state_word().to_string(),
            cut(&clean(&r.status.detail), STATUS_WIDTH).into_owned(),
            r.tmux
                .as_ref()
                .map_or("-".into(), |t| clean(&t.target).into_owned()),
            r.matched
                .map_or("-".into(), |m| format!("{m:?}").to_lowercase()),
            s.map_or("-".into(), |s| clean(&s.id).into_owned()),
            s.and_then(|s| s.title.as_deref())
                .map_or("-".into(), |t| cut(&clean(t), TITLE_WIDTH).into_owned()),
        ];
        line.drain(..skip);
        table.push(line);
    }
    let mut widths = vec![0; header.len() - skip];
    for line in &table {
        for (w, cell) in widths.iter_mut().zip(line) {
            *w = (*w).max(width(cell));
        }
    }
    let mut out = String::new();
    for line in &table {
        let last = line.len() - 1;
        for (i, cell) in line.iter().enumerate() {
            out.push_str(cell);
            if i < last {
                out.push_str(&" ".repeat(widths[i] - width(cell) + 2));
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::state::{State, Status};

    /// `done` is one word in every view: the table's STATE too, not `idle` (issue 28).
    #[test]
    fn a_done_session_reads_done() {
        let done = Row {
            unseen: true,
            ..Row::bare(Status::new(State::Idle, "idle"))
        };
        let idle = Row {
            unseen: false,
            ..done.clone()
        };
        let table = render(&[done, idle], false);
        let states: Vec<&str> = table
            .lines()
            .skip(1)
            .filter_map(|l| l.split_whitespace().nth(1))
            .collect();
        assert_eq!(states, ["done", "idle"], "{table}");
    }
}
