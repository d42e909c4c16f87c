//! The plain-text table of `otop sessions`.

use crate::model::row::Row;
use crate::model::sanitize::clean;
use crate::tui::text::{cut, width};

/// Widest title shown; longer ones are cut by display width.
const TITLE_WIDTH: usize = 50;

/// One line per row, aligned; every untrusted string sanitised.
pub fn render(rows: &[Row], _now: i64) -> String {
    let header = [
        "PID", "STATE", "STATUS", "TMUX", "MATCH", "SESSION", "TITLE",
    ];
    let mut table: Vec<Vec<String>> = vec![header.iter().map(|s| s.to_string()).collect()];
    for r in rows {
        let s = r.session.as_ref();
        table.push(vec![
            r.pid().map_or("-".into(), |p| p.to_string()),
            r.status.state.as_str().to_string(),
            cut(&clean(&r.status.detail), 30).into_owned(),
            r.tmux
                .as_ref()
                .map_or("-".into(), |t| clean(&t.target).into_owned()),
            r.matched
                .map_or("-".into(), |m| format!("{m:?}").to_lowercase()),
            s.map_or("-".into(), |s| clean(&s.id).into_owned()),
            s.and_then(|s| s.title.as_deref())
                .map_or("-".into(), |t| cut(&clean(t), TITLE_WIDTH).into_owned()),
        ]);
    }
    let mut widths = vec![0; header.len()];
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
