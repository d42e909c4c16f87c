//! Top-level drawing: the list screen (header, column header, rows, footer), the detail view,
//! and any panel on top. Everything draws from `&App`.

pub mod answer;
pub mod detail;
pub mod fleet;
pub mod help;
pub mod panels;
pub mod strip;
pub mod table;

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::model::sanitize::clean;
use crate::monitor::layout;
use crate::monitor::state::action::Action;
use crate::monitor::state::keymap::Place;
use crate::monitor::state::{App, Panel, View};
use crate::tui::text;

pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    let buf = frame.buffer_mut();
    match app.view {
        View::List => draw_list(app, area, buf),
        View::Detail => detail::render(app, area, buf),
        View::Fleet => fleet::render(app, area, buf),
    }
    match app.panel {
        Some(Panel::Help) => help::render(app, area, buf),
        Some(Panel::Todos) => panels::render_todos(app, area, buf),
        Some(Panel::Mcp) => panels::render_mcp(app, area, buf),
        None => {}
    }
}

fn draw_list(app: &App, area: Rect, buf: &mut Buffer) {
    let l = layout::list(area, layout::has_problems(&app.snapshot));
    render_header(app, l.header, buf);
    table::render_header(app, l.columns, buf);
    if app.shown.is_empty() {
        Paragraph::new(empty_message(app))
            .style(app.theme.secondary())
            .centered()
            .render(l.rows, buf);
    } else {
        table::render_rows(app, l.rows, buf);
    }
    render_footer(app, l.footer, buf, Place::List, LIST_HINTS);
}

fn empty_message(app: &App) -> String {
    if !app.loaded {
        "collecting…".to_string()
    } else if !app.filter.is_empty() {
        format!("no row matches “{}”", clean(&app.filter))
    } else if app.snapshot.rows.is_empty() {
        "no opencode session is running (otop --demo shows a simulated fleet)".to_string()
    } else {
        format!(
            "nothing interactive running: {} shows all sessions, {} processes",
            key(app, Place::List, &Action::ToggleAll),
            key(app, Place::List, &Action::ToggleProcs)
        )
    }
}

/// `left` and `right` on one line, `right` dropped when both do not fit.
fn spread(left: Vec<Span<'static>>, right: Vec<Span<'static>>, width: u16) -> Line<'static> {
    let lw: usize = left.iter().map(|s| text::width(&s.content)).sum();
    let rw: usize = right.iter().map(|s| text::width(&s.content)).sum();
    let mut spans = left;
    let w = usize::from(width);
    if lw + rw < w {
        spans.push(Span::raw(" ".repeat(w - lw - rw)));
        spans.extend(right);
    }
    Line::from(spans)
}

fn render_header(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let rows = &app.snapshot.rows;
    let sessions = rows
        .iter()
        .filter(|r| r.session.is_some() && !r.is_helper())
        .count();
    let procs = rows.iter().filter(|r| r.is_helper()).count();
    let hidden = rows.iter().filter(|r| !app.vis.shows(r)).count();
    let mut left = vec![
        Span::styled("otop ", t.title_bar()),
        Span::raw(format!("{sessions} sessions · {procs} background")),
    ];
    if hidden > 0 {
        left.push(Span::styled(format!(" · {hidden} hidden"), t.secondary()));
    }
    let dir = if app.descending { "▼" } else { "▲" };
    let right = vec![
        Span::raw(format!("sort {}{dir}  ", app.sort.labels().0)),
        Span::styled(text::clock(app.now, app.utc_offset_secs), t.title_bar()),
    ];
    let mut lines = vec![spread(left, right, area.width)];

    let mut today = match &app.snapshot.totals {
        Some(tp) => {
            // Spend only where opencode recorded any (most local and subscription providers: 0).
            let spent = tp.spent();
            let part = |name: &str, x: &crate::model::facts::Totals| {
                let mut s = format!(
                    "{name} {} sessions {} msgs ctx {} out {}",
                    text::count(x.sessions),
                    text::count(x.messages),
                    text::count(x.context_tokens),
                    text::count(x.output_tokens)
                );
                if spent {
                    s.push(' ');
                    s.push_str(&text::dollars(x.cost_micros as f64 / 1e6));
                }
                s
            };
            let mut spans = vec![Span::raw(part("today", &tp.today))];
            spans.extend(waited(app));
            spans.extend([
                Span::styled(" │ ", t.secondary()),
                Span::raw(part("all", &tp.all_time)),
            ]);
            Line::from(spans)
        }
        None => Line::styled("totals unavailable", t.secondary()),
    };
    if let (None, Some(w)) = (&app.snapshot.totals, waited(app)) {
        today.spans.push(Span::styled(" ·", t.secondary()));
        today.spans.push(w);
    }
    lines.push(today);
    if let Some(err) = &app.snapshot.db_error {
        lines.push(Line::styled(
            format!("⚠ database: {} (retrying)", clean(&err.to_string())),
            t.error(),
        ));
    } else if app.snapshot.notes().next().is_some() {
        let all: Vec<String> = app
            .snapshot
            .notes()
            .map(|w| clean(&w).into_owned())
            .collect();
        lines.push(Line::styled(format!("⚠ {}", all.join(" · ")), t.warning()));
    }
    let lines: Vec<Line> = lines
        .into_iter()
        .map(|l| text::cut_line(l, usize::from(area.width)))
        .collect();
    Paragraph::new(lines).render(area, buf);
}

/// ` waited 1h12m`: the time sessions waited for you today, when otop knows their days.
fn waited(app: &App) -> Option<Span<'static>> {
    if app.snapshot.timelines.is_empty() {
        return None;
    }
    let total = text::duration(app.today().total());
    Some(Span::raw(format!(" waited {total}")))
}

/// The footer of the list or the fleet view (`place`, whose keys `names` name): a prompt, a
/// note, else the answer keys, the filter and the hints.
fn render_footer(
    app: &App,
    area: Rect,
    buf: &mut Buffer,
    place: Place,
    names: &[(&[Action], &str)],
) {
    let t = &app.theme;
    let line = if let Some(prompt) = answer::prompt(app) {
        prompt
    } else if app.editing_filter {
        Line::from(vec![
            Span::styled("/", t.key()),
            Span::raw(clean(&app.filter).into_owned()),
            Span::styled("█", t.key()),
            Span::styled(
                format!(
                    "  {} shown · {} keeps · {} clears",
                    app.shown.len(),
                    key(app, Place::Filter, &Action::FilterDone),
                    key(app, Place::Filter, &Action::FilterClear)
                ),
                t.secondary(),
            ),
        ])
    } else if let Some(note) = app.live_note() {
        let style = if note.error { t.error() } else { t.key() };
        Line::styled(clean(&note.text).into_owned(), style)
    } else {
        // `? help` and `q quit` stay whatever else has to go, the answer keys included.
        let kept = spans_width(&hints(app, place, names, 0, 2));
        // Sessions are answered and driven from the list and the detail view.
        let mut answers = Vec::new();
        if place == Place::List {
            answers = answer::hints(app, place);
            answers.extend(answer::offer(app, place));
        }
        let room = usize::from(area.width).saturating_sub(kept);
        let mut spans = match spans_width(&answers) > room {
            true => {
                let mut cut = text::cut_line(Line::from(answers), room.saturating_sub(2)).spans;
                cut.push(Span::raw("  "));
                cut
            }
            false => answers,
        };
        if !app.filter.is_empty() {
            spans.push(Span::styled(
                format!("filter “{}” ", clean(&app.filter)),
                t.key(),
            ));
            // The fleet view has no key to clear it (its esc leaves): the list's does.
            let clear = match app.keymap.key_for(place, &Action::FilterClear) {
                Some(k) => format!("({k} clears)  "),
                None => " ".to_string(),
            };
            spans.push(Span::styled(clear, t.secondary()));
        }
        let room = usize::from(area.width).saturating_sub(spans_width(&spans));
        spans.extend(hints(app, place, names, room, 2));
        Line::from(spans)
    };
    text::cut_line(line, usize::from(area.width)).render(area, buf);
}

/// What the list's footer names, each with its keys.
const LIST_HINTS: &[(&[Action], &str)] = &[
    (&[Action::OpenDetail], "detail"),
    (&[Action::FilterStart], "filter"),
    (&[Action::SortNext, Action::SortPrev], "sort"),
    (&[Action::Jump], "jump"),
    (&[Action::CopyId], "copy id"),
    (&[Action::ToggleFleet], "fleet"),
    (&[Action::ToggleAll, Action::ToggleProcs], "show all/procs"),
    (&[Action::ToggleHelp], "help"),
    (&[Action::Quit], "quit"),
];

/// `keys what` spans for a footer of `width` columns, naming the first key each action has in
/// `place` (as configured); a hint none of whose actions has a key is left out. When they do
/// not all fit, hints go from the right, except the last `keep`.
fn hints(
    app: &App,
    place: Place,
    hints: &[(&[Action], &str)],
    width: usize,
    keep: usize,
) -> Vec<Span<'static>> {
    let t = &app.theme;
    let mut shown: Vec<[Span<'static>; 2]> = Vec::new();
    for (actions, what) in hints {
        let keys: Vec<String> = actions
            .iter()
            .filter_map(|a| app.keymap.key_for(place, a))
            .collect();
        if !keys.is_empty() {
            shown.push([
                Span::styled(keys.join(" "), t.key()),
                Span::raw(format!(" {what}  ")),
            ]);
        }
    }
    // The trailing two spaces of the last hint may overflow.
    let fits = |s: &[[Span; 2]]| spans_width(s.iter().flatten()) <= width + 2;
    while !fits(&shown) && shown.len() > keep {
        shown.remove(shown.len() - keep - 1);
    }
    shown.into_iter().flatten().collect()
}

fn spans_width<'a>(spans: impl IntoIterator<Item = &'a Span<'a>>) -> usize {
    spans.into_iter().map(|s| text::width(&s.content)).sum()
}

/// The first key bound to `action` in `place`, for a hint in running text; `-` if none is.
fn key(app: &App, place: Place, action: &Action) -> String {
    app.keymap
        .key_for(place, action)
        .unwrap_or_else(|| "-".into())
}
