//! The detail view of one session: a header of facts, then either the live tmux pane (colours
//! kept, everything else sanitised) or the message history.

use ansi_to_tui::IntoText;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::collect::Detail;
use crate::model::facts::{HistoryItem, Role, ToolStatus};
use crate::model::row::Row;
use crate::model::sanitize::clean;
use crate::monitor::layout;
use crate::monitor::state::list;
use crate::monitor::state::{App, DetailTab};
use crate::tui::text::{self, cut};

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let [header, tabs, body, footer] = layout::detail(area);
    let w = usize::from(area.width);
    let head: Vec<Line> = header_lines(app)
        .into_iter()
        .map(|l| text::cut_line(l, w))
        .collect();
    Paragraph::new(head).render(header, buf);
    render_tabs(app, tabs, buf);
    let lines = body_lines(app, body.width);
    let start = app.scroll.min(lines.len().saturating_sub(1));
    Paragraph::new(lines.into_iter().skip(start).collect::<Vec<_>>()).render(body, buf);
    let t = &app.theme;
    let mut hints = Vec::new();
    for (k, what) in [
        ("esc", "back"),
        ("tab", "pane/history"),
        ("j k", "scroll"),
        ("o", "jump"),
        ("y", "copy id"),
    ] {
        hints.push(Span::styled(k, t.key()));
        hints.push(Span::raw(format!(" {what}  ")));
    }
    let line = match app.live_note() {
        Some(n) => Line::styled(
            clean(&n.text).into_owned(),
            if n.error { t.error() } else { t.key() },
        ),
        None => Line::from(hints),
    };
    text::cut_line(line, w).render(footer, buf);
}

fn header_lines(app: &App) -> Vec<Line<'static>> {
    let t = &app.theme;
    let Some(row) = app.detail_row() else {
        return vec![Line::styled("this session is no longer running", t.error())];
    };
    let s = row.session.as_ref();
    let p = row.process.as_ref();
    let label = |k: &str| Span::styled(format!("{k} "), t.secondary());
    let val = |v: String| Span::raw(format!("{v}  "));
    let opt = |v: Option<&str>| clean(v.unwrap_or("-")).into_owned();

    let status = format!(
        "{} ({})",
        clean(&row.status.detail),
        row.status.state.as_str()
    );
    let mut line1 = vec![
        Span::styled(list::title(row), Style::new().add_modifier(Modifier::BOLD)),
        Span::raw("  "),
        Span::styled(status, t.status(&row.status)),
    ];
    if s.is_some_and(|s| s.parent_id.is_some()) {
        line1.push(Span::styled("  subagent", t.secondary()));
    }

    let mut line2 = vec![label("session"), val(opt(s.map(|s| s.id.as_str())))];
    line2.extend([
        label("pid"),
        val(p.map_or("-".into(), |p| p.info.pid.to_string())),
    ]);
    line2.extend([
        label("tty"),
        val(opt(p.and_then(|p| p.info.tty.as_deref()))),
    ]);
    line2.extend([
        label("tmux"),
        val(opt(row.tmux.as_ref().map(|t| t.target.as_str()))),
    ]);
    if let Some(p) = p {
        line2.extend([
            label("up"),
            val(text::duration(app.now - p.info.started_at)),
        ]);
    }

    let line3 = vec![label("cwd"), val(opt(list::cwd(row)))];

    let mut line4 = vec![label("model"), val(opt(s.and_then(|s| s.model.as_deref())))];
    if let Some(s) = s {
        let tk = &s.tokens;
        line4.extend([
            label("agent"),
            val(opt(s.agent.as_deref())),
            label("msgs"),
            val(s.message_count.to_string()),
            label("ctx"),
            val(s.context_tokens.map_or("-".into(), text::count)),
            label("in"),
            val(text::count(tk.input)),
            label("out"),
            val(text::count(tk.output)),
            label("reasoning"),
            val(text::count(tk.reasoning)),
            label("cache r/w"),
            val(format!(
                "{}/{}",
                text::count(tk.cache_read),
                text::count(tk.cache_write)
            )),
        ]);
    }
    vec![
        Line::from(line1),
        Line::from(line2),
        Line::from(line3),
        Line::from(line4),
    ]
}

fn render_tabs(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let tab = |name: &'static str, on: bool| {
        let style = if on {
            t.column_header().add_modifier(Modifier::BOLD)
        } else {
            t.secondary()
        };
        Span::styled(format!(" {name} "), style)
    };
    Line::from(vec![
        tab("Pane", app.tab == DetailTab::Pane),
        Span::raw(" "),
        tab("History", app.tab == DetailTab::History),
        Span::styled("   tab switches", t.secondary()),
    ])
    .render(area, buf);
}

/// The focused details, if the collector has sent them for this row yet.
fn detail_for<'a>(app: &'a App, row: &Row) -> Option<&'a Detail> {
    let d = app.snapshot.detail.as_ref()?;
    (d.session_id.as_deref() == row.session_id()).then_some(d)
}

/// How many lines the body has now (for scrolling).
pub fn body_len(app: &App) -> usize {
    body_lines(app, app.size.width).len()
}

pub fn body_lines(app: &App, width: u16) -> Vec<Line<'static>> {
    let t = &app.theme;
    let note = |s: &str| vec![Line::styled(s.to_string(), t.secondary())];
    let Some(row) = app.detail_row() else {
        return Vec::new();
    };
    match app.tab {
        DetailTab::Pane => {
            if row.tmux.is_none() {
                return note("not running in a tmux pane: see the History tab");
            }
            match detail_for(app, row).and_then(|d| d.pane_text.as_deref()) {
                Some(raw) => pane_lines(raw),
                None => note("capturing the pane…"),
            }
        }
        DetailTab::History => match detail_for(app, row) {
            Some(d) if d.history.is_empty() => note("no messages"),
            Some(d) => history_lines(app, &d.history, usize::from(width)),
            None if row.session.is_none() => note("no session"),
            None => note("reading the history…"),
        },
    }
}

/// Pane capture → styled lines. Colours come from the SGR codes; every span's text is then
/// sanitised, so any other escape (titles, clipboard, cursor moves) is dropped.
pub fn pane_lines(raw: &str) -> Vec<Line<'static>> {
    let plain = || {
        raw.lines()
            .map(|l| Line::raw(clean(l).into_owned()))
            .collect()
    };
    let Ok(parsed) = raw.as_bytes().into_text() else {
        return plain();
    };
    parsed
        .lines
        .into_iter()
        .map(|line| {
            let spans: Vec<Span<'static>> = line
                .spans
                .into_iter()
                .map(|s| Span::styled(clean(&s.content).into_owned(), s.style))
                .collect();
            Line::from(spans)
        })
        .collect()
}

fn history_lines(app: &App, items: &[HistoryItem], width: usize) -> Vec<Line<'static>> {
    let t = &app.theme;
    let inner = width.saturating_sub(4);
    let mut out = Vec::new();
    // Newest first: the latest turn is what one opens the view for.
    for item in items.iter().rev() {
        let (role, style) = match item.role {
            Role::User => ("user", t.key()),
            Role::Assistant => ("assistant", t.title_bar()),
            Role::Other => ("other", t.secondary()),
        };
        let mut head = vec![Span::styled(role.to_string(), style)];
        if let Some(at) = item.created_at {
            head.push(Span::styled(
                format!("  {}", text::clock(at, app.utc_offset_secs)),
                t.secondary(),
            ));
        }
        if item.role == Role::Assistant {
            let tk = &item.tokens;
            head.push(Span::raw(format!(
                "  ctx {} out {}",
                text::count(tk.context()),
                text::count(tk.output)
            )));
            let finish = item.finish.as_deref().map_or_else(
                || {
                    if item.completed_at.is_none() {
                        "in progress".into()
                    } else {
                        String::new()
                    }
                },
                |f| clean(f).into_owned(),
            );
            if !finish.is_empty() {
                head.push(Span::styled(format!("  {finish}"), t.secondary()));
            }
        }
        if let Some(err) = &item.error {
            head.push(Span::styled(format!("  {}", clean(err)), t.error()));
        }
        if let Some(m) = &item.model {
            head.push(Span::styled(format!("  {}", clean(m)), t.secondary()));
        }
        out.push(Line::from(head));
        for l in item.text.lines().filter(|l| !l.trim().is_empty()).take(4) {
            out.push(Line::raw(format!("  {}", cut(&clean(l), inner))));
        }
        for (tool, title, status) in &item.tools {
            let st = match status {
                ToolStatus::Pending => "pending",
                ToolStatus::Running => "running",
                ToolStatus::Completed => "done",
                ToolStatus::Error => "error",
            };
            let what = format!(
                "⚙ {}: {}",
                clean(tool),
                clean(title.as_deref().unwrap_or(""))
            );
            let style = if *status == ToolStatus::Error {
                t.error()
            } else {
                t.secondary()
            };
            out.push(Line::from(vec![
                Span::raw("  "),
                Span::styled(
                    format!("{} ({st})", cut(&what, inner.saturating_sub(10))),
                    style,
                ),
            ]));
        }
        out.push(Line::raw(""));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pane_keeps_colours_and_drops_other_escapes() {
        let raw =
            "\u{1b}[32mok\u{1b}[0m \u{1b}]52;c;cm0gLXJm\u{7}done\u{1b}[2J\n\u{1b}]0;pwned\u{7}x";
        let lines = pane_lines(raw);
        let text: Vec<String> = lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect();
        assert_eq!(text, vec!["ok done", "x"]);
        assert_eq!(
            lines[0].spans[0].style.fg,
            Some(ratatui::style::Color::Green)
        );
        for l in &text {
            assert!(!l.contains('\u{1b}') && !l.contains('\u{7}'), "{l:?}");
        }
    }
}
