//! The session list: two screen lines per row, columns paired top/bottom. Columns that do not
//! fit are dropped from the right; TITLE/LAST takes what is left.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::model::row::Row;
use crate::model::sanitize::clean;
use crate::model::state::State;
use crate::monitor::state::App;
use crate::monitor::state::columns::Column;
use crate::monitor::state::list::{self, Shown};
use crate::tui::text::{self, fit, fit_right};

impl Column {
    fn labels(self) -> (&'static str, &'static str) {
        match self {
            Column::Title => ("TITLE", "LAST"),
            Column::Status => ("STATUS", "MSGS"),
            Column::Session => ("SID", "PID"),
            Column::Time => ("UP", "ROUND"),
            Column::Cpu => ("CPU", "MEM"),
            Column::Tokens => ("CTX", "OUT"),
            Column::Model => ("MODEL", "TTY"),
            Column::Tmux => ("TMUX", "WINDOW"),
        }
    }

    fn right_aligned(self) -> bool {
        matches!(self, Column::Time | Column::Cpu | Column::Tokens)
    }

    /// Fixed width; for TITLE the minimum. SID is as wide as the longest id: never cut.
    fn width(self, sid: usize) -> usize {
        match self {
            Column::Title => 24,
            Column::Status => 12,
            Column::Session => sid.max(7),
            Column::Time => 6,
            Column::Cpu => 6,
            Column::Tokens => 6,
            Column::Model => 18,
            Column::Tmux => 12,
        }
    }
}

/// TITLE and then `after` (the configured columns) as far as they fit in `total` columns, with
/// their widths.
pub fn layout(total: usize, sid: usize, after: &[Column]) -> Vec<(Column, usize)> {
    let mut cols: Vec<(Column, usize)> = std::iter::once(&Column::Title)
        .chain(after.iter().filter(|c| **c != Column::Title))
        .map(|c| (*c, c.width(sid)))
        .collect();
    let need = |cols: &[(Column, usize)]| -> usize {
        cols.iter().map(|c| c.1).sum::<usize>() + cols.len().saturating_sub(1)
    };
    while cols.len() > 1 && need(&cols) > total {
        cols.pop();
    }
    let spare = total.saturating_sub(need(&cols));
    if let Some(title) = cols.first_mut() {
        // Alone and narrower than its minimum, TITLE takes the whole width.
        title.1 = if total < title.1 {
            total
        } else {
            title.1 + spare
        };
    }
    cols
}

fn sid_width(app: &App) -> usize {
    app.shown
        .iter()
        .filter_map(|s| app.snapshot.rows[s.index].session_id())
        .map(text::width)
        .max()
        .unwrap_or(0)
}

pub fn render_header(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    buf.set_style(area, t.column_header());
    let cols = layout(usize::from(area.width), sid_width(app), &app.columns);
    let arrow = if app.descending { "▼" } else { "▲" };
    for (line, y) in [(0, area.y), (1, area.y + 1)] {
        if y >= area.bottom() {
            break;
        }
        let mut x = area.x;
        for (col, w) in &cols {
            let (top, bottom) = col.labels();
            let active = col.sort_key() == app.sort && line == 0;
            let label = if active {
                format!("{top}{arrow}")
            } else {
                [top, bottom][line].to_string()
            };
            let cell = if col.right_aligned() {
                fit_right(&label, *w)
            } else {
                fit(&label, *w)
            };
            let style = if active {
                t.sort_header()
            } else {
                t.column_header()
            };
            buf.set_stringn(x, y, &cell, *w, style);
            x = x.saturating_add(*w as u16 + 1);
        }
    }
}

/// `anthropic/claude-sonnet-4-5` → `claude-sonnet-4-5`: the provider rarely matters at a glance.
fn short_model(m: &str) -> &str {
    m.rsplit_once('/').map_or(m, |(_, model)| model)
}

/// What the row is doing now, for the LAST line: a pending question or permission, the running
/// tool, else the model's last output.
fn last_line(row: &Row) -> String {
    if row.is_helper() {
        return list::cwd(row)
            .map(|c| clean(c).into_owned())
            .unwrap_or_default();
    }
    let Some(s) = &row.session else {
        return list::cwd(row)
            .map(|c| clean(c).into_owned())
            .unwrap_or_default();
    };
    if let Some(tool) = s.tools.first() {
        let what = tool
            .title
            .as_deref()
            .or(tool.input_summary.as_deref())
            .unwrap_or("");
        let what = clean(what);
        return match row.status.detail.as_str() {
            "asking" => format!("? {what}"),
            "permission" => format!("permission: {} {what}", clean(&tool.tool)),
            _ if row.status.state == State::Working => format!("⚙ {}: {what}", clean(&tool.tool)),
            _ => clean(s.last_output.as_deref().unwrap_or("")).into_owned(),
        };
    }
    clean(s.last_output.as_deref().unwrap_or("")).into_owned()
}

/// (top, bottom) text of one cell.
fn cell(app: &App, row: &Row, depth: u8, col: Column) -> (String, String) {
    let p = row.process.as_ref();
    let s = row.session.as_ref();
    let dash = || "-".to_string();
    match col {
        Column::Title => {
            let indent = "  ".repeat(usize::from(depth.saturating_sub(1)));
            let (mark, cont) = if depth > 0 { ("└ ", "  ") } else { ("", "") };
            (
                format!("{indent}{mark}{}", list::title(row)),
                format!("{indent}{cont}{}", last_line(row)),
            )
        }
        Column::Status => {
            let done = format!("{} done", crate::model::unseen::SYMBOL);
            let detail = if row.is_done() {
                &done
            } else if row.status.detail.is_empty() {
                row.status.state.as_str()
            } else {
                &row.status.detail
            };
            let msgs = s.map_or(String::new(), |s| format!("{} msgs", s.message_count));
            (clean(detail).into_owned(), msgs)
        }
        Column::Session => (
            s.map_or_else(dash, |s| clean(&s.id).into_owned()),
            p.map_or_else(dash, |p| p.info.pid.to_string()),
        ),
        Column::Time => (
            p.map_or_else(dash, |p| text::duration(app.now - p.info.started_at)),
            s.and_then(|s| s.round_started_at)
                .map_or_else(dash, |r| text::duration(app.now - r)),
        ),
        Column::Cpu => (
            p.and_then(|p| p.cpu_percent)
                .map_or_else(dash, |c| format!("{c:.1}%")),
            p.map_or_else(dash, |p| text::bytes(p.info.rss_bytes)),
        ),
        Column::Tokens => (
            s.and_then(|s| s.context_tokens)
                .map_or_else(dash, text::count),
            s.map_or_else(dash, |s| text::count(s.tokens.output)),
        ),
        Column::Model => (
            s.and_then(|s| s.model.as_deref())
                .map_or_else(dash, |m| clean(short_model(m)).into_owned()),
            p.and_then(|p| p.info.tty.as_deref())
                .map_or_else(dash, |t| clean(t.trim_start_matches("/dev/")).into_owned()),
        ),
        Column::Tmux => match &row.tmux {
            Some(t) => (
                clean(&t.short()).into_owned(),
                clean(&t.window_name).into_owned(),
            ),
            None => (dash(), String::new()),
        },
    }
}

pub fn render_rows(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let cols = layout(usize::from(area.width), sid_width(app), &app.columns);
    let page = usize::from(area.height / 2);
    let offset = crate::monitor::layout::clamp_offset(
        app.offset,
        app.selected,
        page.max(1),
        app.shown.len(),
    );
    let visible = app.shown.iter().enumerate().skip(offset).take(page);
    for (k, (i, shown)) in visible.enumerate() {
        let Shown { index, depth } = *shown;
        let Some(row) = app.snapshot.rows.get(index) else {
            continue;
        };
        let y = area.y + 2 * k as u16;
        let mut top = Vec::new();
        let mut bottom = Vec::new();
        for (col, w) in &cols {
            let (a, b) = cell(app, row, depth, *col);
            let (a, b) = if col.right_aligned() {
                (fit_right(&a, *w), fit_right(&b, *w))
            } else {
                (fit(&a, *w), fit(&b, *w))
            };
            let top_style = match col {
                Column::Status => t.status(&row.status),
                _ if row.is_helper() || row.status.state == State::Stalled => t.secondary(),
                _ => Style::new(),
            };
            top.push(Span::styled(a, top_style));
            top.push(Span::raw(" "));
            bottom.push(Span::styled(b, t.secondary()));
            bottom.push(Span::raw(" "));
        }
        top.pop();
        bottom.pop();
        buf.set_line(area.x, y, &Line::from(top), area.width);
        if y + 1 < area.bottom() {
            buf.set_line(area.x, y + 1, &Line::from(bottom), area.width);
        }
        if i == app.selected {
            let h = if y + 1 < area.bottom() { 2 } else { 1 };
            buf.set_style(Rect::new(area.x, y, area.width, h), t.selected());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_drop_from_the_right_and_title_takes_the_rest() {
        let all = Column::default_after_title();
        let wide = layout(160, 30, &all);
        assert_eq!(wide.len(), 8);
        let used: usize = wide.iter().map(|c| c.1).sum::<usize>() + wide.len() - 1;
        assert_eq!(used, 160);
        let narrow = layout(80, 30, &all);
        assert_eq!(
            narrow.iter().map(|c| c.0).collect::<Vec<_>>(),
            Column::ALL[..4]
        );
        let tiny = layout(10, 30, &all);
        assert_eq!(tiny, vec![(Column::Title, 10)]);
        let chosen = layout(160, 30, &[Column::Model, Column::Status]);
        assert_eq!(
            chosen.iter().map(|c| c.0).collect::<Vec<_>>(),
            [Column::Title, Column::Model, Column::Status]
        );
    }

    #[test]
    fn provider_is_dropped_from_models() {
        assert_eq!(
            short_model("anthropic/claude-sonnet-4-5"),
            "claude-sonnet-4-5"
        );
        assert_eq!(short_model("local"), "local");
    }
}
