//! The detail view of one session: a header of facts, the tabs, then the body
//! ([`detail_body`](crate::monitor::detail_body)): the live tmux pane or the message history.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::model::sanitize::clean;
use crate::monitor::draw::strip;
use crate::monitor::layout;
use crate::monitor::state::action::Action;
use crate::monitor::state::keymap::Place;
use crate::monitor::state::{App, DetailTab};
use crate::tui::text;

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let [header, strip, tabs, body, footer] = layout::detail(area);
    let w = usize::from(area.width);
    let head: Vec<Line> = header_lines(app)
        .into_iter()
        .map(|l| text::cut_line(l, w))
        .collect();
    Paragraph::new(head).render(header, buf);
    render_strip(app, strip, buf);
    render_tabs(app, tabs, buf);
    let lines = app.detail_lines(body.width);
    let start = app.scroll.min(lines.len().saturating_sub(1));
    Paragraph::new(lines.into_iter().skip(start).collect::<Vec<_>>()).render(body, buf);
    let t = &app.theme;
    let line = match (super::answer::prompt(app), app.live_note()) {
        (Some(prompt), _) => prompt,
        (None, Some(n)) => Line::styled(
            clean(&n.text).into_owned(),
            if n.error { t.error() } else { t.key() },
        ),
        (None, None) => {
            let mut spans = super::answer::hints(app, Place::Detail);
            let room = w.saturating_sub(super::spans_width(&spans));
            spans.extend(super::hints(app, Place::Detail, DETAIL_HINTS, room, 0));
            Line::from(spans)
        }
    };
    text::cut_line(line, w).render(footer, buf);
}

/// What the detail view's footer names, each with its keys.
const DETAIL_HINTS: &[(&[Action], &str)] = &[
    (&[Action::CloseDetail], "back"),
    (&[Action::DetailTab], "pane/history"),
    (&[Action::Down, Action::Up], "scroll"),
    (&[Action::Jump], "jump"),
    (&[Action::CopyId], "copy id"),
];

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

    let status = format!("{} ({})", clean(&row.status.detail), row.state_word());
    let mut line1 = vec![
        Span::styled(row.title(), Style::new().add_modifier(Modifier::BOLD)),
        Span::raw("  "),
        Span::styled(status, t.row_status(row)),
    ];
    if s.is_some_and(|s| s.parent_id.is_some()) {
        line1.push(Span::styled("  subagent", t.secondary()));
    }

    let mut line2 = Vec::new();
    if let Some(h) = &row.host {
        line2.extend([label("host"), val(clean(h).into_owned())]);
    }
    line2.extend([label("session"), val(opt(s.map(|s| s.id.as_str())))]);
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

    let line3 = vec![label("cwd"), val(opt(row.cwd()))];

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

/// The session's day: hour marks, the strip, and the legend after its time waited today; `no
/// history yet` when otop knows nothing of it.
fn render_strip(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let row = app.detail_row();
    let timeline = row
        .and_then(|r| r.session_id())
        .and_then(|id| app.snapshot.timelines.get(id))
        .filter(|t| !t.intervals.is_empty());
    let today = app.today();
    let since = strip::since(timeline, today.from, app.now);
    let w = strip::Window::fit(app.now, app.utc_offset_secs, usize::from(area.width), since);
    let lines = match (timeline, row.and_then(|r| today.waited(r))) {
        (Some(tl), Some(waited)) => {
            let mut legend = vec![
                Span::styled(format!("waited {} today", text::duration(waited)), t.key()),
                Span::styled("  │ ", t.secondary()),
            ];
            legend.extend(strip::legend(t, &w));
            vec![
                Line::styled(strip::axis(&w), t.secondary()),
                strip::line(t, Some(tl), &w),
                Line::from(legend),
            ]
        }
        _ => vec![Line::default(), strip::line(t, None, &w)],
    };
    let width = usize::from(area.width);
    let lines: Vec<Line> = lines
        .into_iter()
        .map(|l| text::cut_line(l, width))
        .collect();
    Paragraph::new(lines).render(area, buf);
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
        Span::styled(
            format!(
                "   {} switches",
                super::key(app, Place::Detail, &Action::DetailTab)
            ),
            t.secondary(),
        ),
    ])
    .render(area, buf);
}
