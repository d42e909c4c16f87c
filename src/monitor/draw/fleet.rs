//! The fleet view (#30): the rows the list shows, in its order (its filter and sort apply),
//! each a title and the session's day as a strip, all on one time axis, so a glance shows who
//! waited for you and when. The list's header (with today's total waited) stays on top.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::monitor::draw::strip::{self, Window};
use crate::monitor::layout;
use crate::monitor::state::App;
use crate::monitor::state::action::Action;
use crate::monitor::state::keymap::Place;
use crate::tui::text::{self, fit};

/// What the fleet view's footer names, each with its keys.
const FLEET_HINTS: &[(&[Action], &str)] = &[
    (&[Action::OpenDetail], "detail"),
    (&[Action::FilterStart], "filter"),
    (&[Action::SortNext, Action::SortPrev], "sort"),
    (&[Action::Jump], "jump"),
    (&[Action::ToggleHelp], "help"),
    (&[Action::ToggleFleet], "back"),
];

/// The title column's width at `width` columns: a quarter, between 12 and 30, so the strips
/// keep most of the screen.
fn title_width(width: u16) -> usize {
    (usize::from(width) / 4)
        .clamp(12, 30)
        .min(usize::from(width))
}

/// The one window every strip shares: `cells` cells reaching back to the first state known
/// today among the rows shown.
fn window(app: &App, cells: usize) -> Window {
    let today = app.today();
    let timelines = app
        .shown
        .iter()
        .filter_map(|s| app.snapshot.rows.get(s.index))
        .filter_map(|r| today.timelines.get(r.session_id()?));
    let since = strip::since(timelines, today.from, app.now);
    Window::fit(app.now, app.utc_offset_secs, cells, since)
}

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let l = layout::fleet(area, layout::has_problems(&app.snapshot));
    super::render_header(app, l.header, buf);
    let tw = title_width(area.width);
    let cells = usize::from(area.width).saturating_sub(tw + 1);
    let w = window(app, cells);

    buf.set_style(l.axis, t.column_header());
    let head = format!("{} {}", fit("TITLE", tw), strip::axis(&w));
    Line::styled(head, t.column_header()).render(l.axis, buf);

    if app.shown.is_empty() {
        Paragraph::new(super::empty_message(app))
            .style(t.secondary())
            .centered()
            .render(l.rows, buf);
    } else {
        render_rows(app, l.rows, buf, tw, &w);
    }
    let legend = text::cut_line(Line::from(strip::legend(t, &w)), usize::from(area.width));
    legend.render(l.legend, buf);
    super::render_footer(app, l.footer, buf, Place::Fleet, FLEET_HINTS);
}

/// One line per row from the list's offset: the title (indented under its parent, as in the
/// list), then its strip; the selected row's title is highlighted.
fn render_rows(app: &App, area: Rect, buf: &mut Buffer, tw: usize, w: &Window) {
    let t = &app.theme;
    // A region a tiny screen's layout leaves outside the buffer draws nothing.
    let area = area.intersection(buf.area);
    let page = usize::from(area.height).max(1);
    let offset = layout::clamp_offset(app.offset, app.selected, page, app.shown.len());
    let visible = app.shown.iter().enumerate().skip(offset).take(page);
    for (k, (i, shown)) in visible.enumerate() {
        let Some(row) = app.snapshot.rows.get(shown.index) else {
            continue;
        };
        let y = area.y + k as u16;
        if y >= area.bottom() {
            break;
        }
        let indent = "  ".repeat(usize::from(shown.depth.saturating_sub(1)));
        let mark = if shown.depth > 0 { "└ " } else { "" };
        let title = fit(&format!("{indent}{mark}{}", row.title()), tw);
        let style = if i == app.selected {
            t.selected()
        } else if row.is_helper() {
            t.secondary()
        } else {
            ratatui::style::Style::new()
        };
        let timeline = row
            .session_id()
            .and_then(|id| app.snapshot.timelines.get(id));
        let mut spans = vec![Span::styled(title, style), Span::raw(" ")];
        spans.extend(strip::line(t, timeline, w).spans);
        buf.set_line(area.x, y, &Line::from(spans), area.width);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_take_a_quarter_within_bounds() {
        assert_eq!(title_width(80), 20);
        assert_eq!(title_width(120), 30);
        assert_eq!(title_width(200), 30);
        assert_eq!(title_width(40), 12);
        assert_eq!(title_width(5), 5);
    }
}
