//! The session list: two screen lines per row, columns paired top/bottom. STATUS is as wide as
//! its widest status (up to [`STATUS_MAX`]); columns that do not fit are dropped least
//! important first; TITLE/LAST takes what is left.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::model::row::Row;
use crate::model::sanitize::clean;
use crate::model::state::State;
use crate::monitor::state::App;
use crate::monitor::state::columns::Column;
use crate::monitor::state::list::Shown;
use crate::tui::text::{self, STATUS_MAX, fit, fit_right};

impl Column {
    /// Fixed width; for TITLE and STATUS the minimum. SID is as wide as the longest id: never
    /// cut.
    fn width(self, fit: &Fit) -> usize {
        match self {
            Column::Title => 24,
            Column::Status => fit.status.clamp(STATUS_MIN, STATUS_MAX),
            Column::Session => fit.sid.max(7),
            // `WAITED▼`, `LONGEST`.
            Column::Waited => 7,
            Column::Uptime => 6,
            Column::Cpu => 6,
            Column::Context => 6,
            Column::Cost => 7,
            Column::Model => 18,
            Column::Tmux => 12,
            Column::Host => fit.host,
        }
    }

    /// Which columns a narrow terminal gives up first: SID (30 characters that say little at a
    /// glance), then TMUX, COST, MODEL, WAITED, CTX, CPU and UP; STATUS, what a user looks for,
    /// last.
    fn drop_order(self) -> u8 {
        match self {
            Column::Session => 0,
            Column::Tmux => 1,
            Column::Cost => 2,
            Column::Model => 3,
            Column::Waited => 4,
            Column::Context => 5,
            Column::Cpu => 6,
            Column::Uptime => 7,
            // Which machine a waiting session is on matters nearly as much as that it waits.
            Column::Host => 8,
            Column::Status => 9,
            Column::Title => u8::MAX,
        }
    }
}

/// STATUS never narrower than its label and sort arrow, and `permission`.
const STATUS_MIN: usize = 12;

/// What follows the rows shown: the longest session id and status, and whether any session
/// cost anything (most local and subscription providers record 0: no COST column then).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Fit {
    pub sid: usize,
    pub status: usize,
    pub cost: bool,
    /// The HOST column's width; 0 (no column) when no host is read.
    pub host: usize,
}

impl Fit {
    fn of(app: &App) -> Fit {
        let rows = || {
            app.shown
                .iter()
                .filter_map(|s| app.snapshot.rows.get(s.index))
        };
        Fit {
            sid: rows()
                .filter_map(Row::session_id)
                .map(text::width)
                .max()
                .unwrap_or(0),
            status: rows()
                .map(|r| text::width(&clean(r.status_text())))
                .max()
                .unwrap_or(0),
            cost: rows().any(|r| r.session.as_ref().and_then(|s| s.cost) > Some(0.0)),
            host: if app.snapshot.hosts.is_empty() {
                0
            } else {
                rows()
                    .map(|r| text::width(host_name(r)))
                    .chain([4])
                    .max()
                    .unwrap_or(4)
            },
        }
    }
}

/// TITLE and then `after` (the configured columns, in their order) as far as they fit in
/// `total` columns, with their widths. Too wide, STATUS first gives back what it took beyond its
/// minimum, then the least important column goes ([`Column::drop_order`]).
pub fn layout(total: usize, fit: &Fit, after: &[Column]) -> Vec<(Column, usize)> {
    let host = (fit.host > 0).then_some(&Column::Host);
    let mut cols: Vec<(Column, usize)> = std::iter::once(&Column::Title)
        .chain(host)
        .chain(
            after
                .iter()
                .filter(|c| **c != Column::Title && **c != Column::Host),
        )
        .filter(|c| **c != Column::Cost || fit.cost)
        .map(|c| (*c, c.width(fit)))
        .collect();
    let need = |cols: &[(Column, usize)]| -> usize {
        cols.iter().map(|c| c.1).sum::<usize>() + cols.len().saturating_sub(1)
    };
    while cols.len() > 1 && need(&cols) > total {
        let least = (1..cols.len()).min_by_key(|&i| cols[i].0.drop_order());
        let Some(i) = least else { break };
        let over = need(&cols) - total;
        match cols[i] {
            (Column::Status, w) if w > STATUS_MIN => {
                cols[i].1 = w.saturating_sub(over).max(STATUS_MIN);
            }
            _ => {
                cols.remove(i);
            }
        }
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

pub fn render_header(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    buf.set_style(area, t.column_header());
    let cols = layout(usize::from(area.width), &Fit::of(app), &app.columns);
    let arrow = if app.descending { "▼" } else { "▲" };
    for (line, y) in [(0, area.y), (1, area.y + 1)] {
        if y >= area.bottom() {
            break;
        }
        let mut x = area.x;
        for (col, w) in &cols {
            let (top, bottom) = col.labels();
            // HOST sorts with TMUX; the arrow shows on TMUX only.
            let active = col.sorts_as() == app.sort.sorts_as() && line == 0 && *col != Column::Host;
            let label = if active {
                format!("{top}{arrow}")
            } else {
                [top, bottom][line].to_string()
            };
            let cell = if col.numeric() {
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

/// The HOST cell: a `[[hosts]]` name (checked to be plain when configured), or `local`.
fn host_name(row: &Row) -> &str {
    row.host.as_deref().unwrap_or("local")
}

/// `anthropic/claude-sonnet-4-5` → `claude-sonnet-4-5`: the provider rarely matters at a glance.
fn short_model(m: &str) -> &str {
    m.rsplit_once('/').map_or(m, |(_, model)| model)
}

/// What the row is doing now, for the LAST line: a pending question or permission, a retry
/// with its attempt and the provider's error (which STATUS cuts), the running tool, else the
/// model's last output.
fn last_line(row: &Row) -> String {
    if row.is_helper() {
        return row.cwd().map(|c| clean(c).into_owned()).unwrap_or_default();
    }
    let Some(s) = &row.session else {
        return row.cwd().map(|c| clean(c).into_owned()).unwrap_or_default();
    };
    if let Some(r) = row.status.request.as_deref() {
        return clean(&r.headline()).into_owned();
    }
    if row.status.is_retrying() {
        return clean(&row.status.detail).into_owned();
    }
    if let Some(tool) = s.tools.first() {
        let what = tool
            .title
            .as_deref()
            .or(tool.input_summary.as_deref())
            .unwrap_or("");
        let what = clean(what);
        // `asking` alone, or with the question's header (`asking: Colour`).
        let detail = row.status.detail.as_str();
        let is = |head: &str| detail == head || detail.starts_with(&format!("{head}:"));
        return match () {
            _ if is("asking") => format!("? {what}"),
            _ if is("permission") => format!("permission: {} {what}", clean(&tool.tool)),
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
                format!("{indent}{mark}{}", row.title()),
                format!("{indent}{cont}{}", last_line(row)),
            )
        }
        Column::Status => {
            let done = format!("{} done", crate::model::unseen::SYMBOL);
            let detail = if row.is_done() {
                done.as_str()
            } else {
                row.status_text()
            };
            let msgs = s.map_or(String::new(), |s| format!("{} msgs", s.message_count));
            (clean(detail).into_owned(), msgs)
        }
        Column::Waited => {
            let today = app.today();
            (
                today.waited(row).map_or_else(dash, text::duration),
                today.longest(row).map_or_else(String::new, text::duration),
            )
        }
        Column::Session => (
            s.map_or_else(dash, |s| clean(&s.id).into_owned()),
            p.map_or_else(dash, |p| p.info.pid.to_string()),
        ),
        Column::Uptime => (
            p.map_or_else(dash, |p| text::duration(app.now - p.info.started_at)),
            row.round_ms(app.now).map_or_else(dash, text::duration),
        ),
        Column::Cpu => (
            p.and_then(|p| p.cpu_percent)
                .map_or_else(dash, |c| format!("{c:.1}%")),
            p.map_or_else(dash, |p| text::bytes(p.info.rss_bytes)),
        ),
        Column::Context => (
            s.and_then(|s| s.context_tokens)
                .map_or_else(dash, text::count),
            s.map_or_else(dash, |s| text::count(s.tokens.output)),
        ),
        Column::Cost => (
            s.and_then(|s| s.cost)
                .filter(|c| *c > 0.0)
                .map_or_else(dash, text::dollars),
            String::new(),
        ),
        Column::Model => (
            s.and_then(|s| s.model.as_deref())
                .map_or_else(dash, |m| clean(short_model(m)).into_owned()),
            p.and_then(|p| p.info.tty.as_deref())
                .map_or_else(dash, |t| clean(t.trim_start_matches("/dev/")).into_owned()),
        ),
        Column::Host => (host_name(row).to_string(), String::new()),
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
    let cols = layout(usize::from(area.width), &Fit::of(app), &app.columns);
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
            let (a, b) = if col.numeric() {
                (fit_right(&a, *w), fit_right(&b, *w))
            } else {
                (fit(&a, *w), fit(&b, *w))
            };
            let top_style = match col {
                Column::Status => t.row_status(row),
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

    fn names(cols: &[(Column, usize)]) -> Vec<Column> {
        cols.iter().map(|c| c.0).collect()
    }

    #[test]
    fn narrow_terminals_drop_sid_first_and_title_takes_the_rest() {
        use Column::*;
        let all = Column::default_after_title();
        let short = Fit {
            sid: 30,
            status: 10,
            cost: false,
            host: 0,
        };
        let wide = layout(160, &short, &all);
        assert_eq!(wide.len(), 9);
        let used: usize = wide.iter().map(|c| c.1).sum::<usize>() + wide.len() - 1;
        assert_eq!(used, 160);
        // The 30-character SID goes before CPU, CTX and WAITED; TMUX and MODEL with it.
        assert_eq!(
            names(&layout(80, &short, &all)),
            [Title, Status, Waited, Uptime, Cpu, Context]
        );
        assert_eq!(layout(10, &short, &all), vec![(Title, 10)]);
        // The configured order stays.
        assert_eq!(
            names(&layout(160, &short, &[Model, Status])),
            [Title, Model, Status]
        );
    }

    /// `permission: bash rm -rf build` is what a user needs to read: STATUS gets its room
    /// before less important columns keep theirs.
    #[test]
    fn status_is_as_wide_as_its_widest_status_before_other_columns() {
        use Column::*;
        let all = Column::default_after_title();
        let long = Fit {
            sid: 30,
            status: 29,
            cost: false,
            host: 0,
        };
        let cols = layout(80, &long, &all);
        assert_eq!(names(&cols), [Title, Status, Uptime, Cpu, Context]);
        assert_eq!(cols[1], (Status, 29));
        let capped = layout(
            200,
            &Fit {
                sid: 30,
                status: 90,
                cost: false,
                host: 0,
            },
            &all,
        );
        assert_eq!(capped[1], (Status, STATUS_MAX));
        // Alone with TITLE it gives its room back before it goes.
        assert_eq!(layout(45, &long, &all), vec![(Title, 24), (Status, 20)]);
        assert_eq!(layout(30, &long, &all), vec![(Title, 30)]);
    }

    /// COST only when some session cost anything; on a narrow terminal it goes after TMUX,
    /// before MODEL.
    #[test]
    fn cost_shows_only_when_something_cost() {
        use Column::*;
        let all = Column::default_after_title();
        let free = Fit {
            sid: 30,
            status: 10,
            cost: false,
            host: 0,
        };
        assert!(!names(&layout(300, &free, &all)).contains(&Cost));
        let paid = Fit { cost: true, ..free };
        assert!(names(&layout(300, &paid, &all)).contains(&Cost));
        assert_eq!(
            names(&layout(98, &paid, &all)),
            [Title, Status, Waited, Uptime, Cpu, Context, Cost, Model]
        );
        assert_eq!(
            names(&layout(90, &paid, &all)),
            [Title, Status, Waited, Uptime, Cpu, Context, Model]
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
