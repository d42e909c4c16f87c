//! Timeline strips (#30): a session's day as one cell per few minutes, each the symbol of the
//! most urgent state held in it, in the list's style for that state ([`Theme::status`]), so
//! colour is never the only signal; cells only a watching otop saw (no record of opencode's
//! has them) are underlined. The detail view draws one strip, the fleet view one per session,
//! all on one [`Window`] with its hour marks and a legend.

use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use crate::model::state::{State, Status};
use crate::model::timeline::{Origin, Timeline};
use crate::tui::text;
use crate::tui::theme::Theme;

const MIN: i64 = 60_000;
const HOUR: i64 = 60 * MIN;
/// Cell lengths a window picks from, minutes: the shortest that shows enough. Each divides an
/// hour (or is two), so hour marks fall on cell edges.
const STEPS: [i64; 13] = [1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 60, 120];
/// A strip shows at least the last three hours.
const MIN_SPAN: i64 = 3 * HOUR;
/// What a cell with nothing known shows.
const UNKNOWN: &str = "·";

/// The time a strip covers: `cells` cells of `cell_ms` each, from `from` up to `to` (the end of
/// the cell holding now), cell edges on whole local minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub from: i64,
    pub to: i64,
    pub cells: usize,
    pub cell_ms: i64,
    /// The local clock's offset from UTC, for the hour marks.
    pub utc_offset_secs: i32,
}

impl Window {
    /// `cells` cells ending with the one holding `now`, each as short as lets the strip reach
    /// back to `since` (and at least [`MIN_SPAN`]); too few cells for that, the oldest time is
    /// left out.
    pub fn fit(now: i64, utc_offset_secs: i32, cells: usize, since: i64) -> Window {
        let want = (now - since).max(MIN_SPAN);
        let n = cells.max(1) as i64;
        let minutes = STEPS
            .into_iter()
            .find(|m| m * MIN * n >= want)
            .unwrap_or(STEPS[STEPS.len() - 1]);
        let cell_ms = minutes * MIN;
        let offset = i64::from(utc_offset_secs) * 1000;
        let to = ((now + offset).div_euclid(cell_ms) + 1) * cell_ms - offset;
        Window {
            from: to - cell_ms * n,
            to,
            cells,
            cell_ms,
            utc_offset_secs,
        }
    }
}

/// Where today's first known state is among `timelines` (local midnight at the latest known):
/// what a window reaches back to; `now` when nothing is known.
pub fn since<'a>(
    timelines: impl IntoIterator<Item = &'a Timeline>,
    day_start: i64,
    now: i64,
) -> i64 {
    timelines
        .into_iter()
        .filter_map(|t| t.intervals.iter().find(|i| i.end > day_start))
        .map(|i| i.start.max(day_start))
        .min()
        .unwrap_or(now)
}

/// The style of a state on a strip: the list's.
fn style(theme: &Theme, state: State) -> Style {
    theme.status(&Status::new(state, ""))
}

/// The strip of `timeline` over `w`, one span per cell.
pub fn cells(theme: &Theme, timeline: &Timeline, w: &Window) -> Vec<Span<'static>> {
    timeline
        .cell_marks(w.from, w.to, w.cells)
        .into_iter()
        .map(|m| match m {
            None => Span::styled(UNKNOWN, theme.secondary()),
            Some((state, origin)) => {
                let s = style(theme, state);
                let s = match origin {
                    Origin::Recorded => s,
                    Origin::Observed => s.add_modifier(Modifier::UNDERLINED),
                };
                Span::styled(state.symbol(), s)
            }
        })
        .collect()
}

/// The hour marks over a strip of `w`: each local hour's label starts at the cell that starts
/// it (`09:00` where an hour is wide enough, else `09`), a label that would touch the one
/// before left out.
pub fn axis(w: &Window) -> String {
    let offset = i64::from(w.utc_offset_secs) * 1000;
    let per_hour = HOUR / w.cell_ms.max(1);
    let mut line = vec![' '; w.cells];
    let mut free = 0;
    let first = (w.from + offset + HOUR - 1).div_euclid(HOUR);
    let mut h = first * HOUR - offset;
    while h < w.to {
        let from_start = h - w.from;
        if from_start % w.cell_ms == 0 {
            let col = (from_start / w.cell_ms) as usize;
            let hour = (h + offset).div_euclid(HOUR).rem_euclid(24);
            let label = if per_hour >= 7 {
                format!("{hour:02}:00")
            } else {
                format!("{hour:02}")
            };
            if col >= free && col + label.len() <= w.cells {
                for (k, c) in label.chars().enumerate() {
                    line[col + k] = c;
                }
                free = col + label.len() + 1;
            }
        }
        h += HOUR;
    }
    line.into_iter().collect()
}

/// What a strip's cells mean: each state's symbol in its style, the cell's length, and what
/// comes from opencode's records and what only from otop watching.
pub fn legend(theme: &Theme, w: &Window) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    for state in State::ALL {
        spans.push(Span::styled(state.symbol(), style(theme, state)));
        spans.push(Span::raw(format!(" {} ", state.as_str())));
    }
    let dim = theme.secondary();
    spans.push(Span::styled(format!("{UNKNOWN} unknown │ "), dim));
    spans.push(Span::styled(
        "underlined",
        dim.add_modifier(Modifier::UNDERLINED),
    ));
    spans.push(Span::styled(
        ": seen by otop only, not recorded │ a cell ",
        dim,
    ));
    let cell = text::duration(w.cell_ms);
    spans.push(Span::styled(cell.trim_end_matches("00s").to_string(), dim));
    spans
}

/// One strip line for a session: its cells, or `no history yet` when otop knows nothing of its
/// day.
pub fn line(theme: &Theme, timeline: Option<&Timeline>, w: &Window) -> Line<'static> {
    match timeline.filter(|t| !t.intervals.is_empty()) {
        Some(t) => Line::from(cells(theme, t, w)),
        None => Line::styled("no history yet", theme.secondary()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::timeline::Interval;

    /// 2025-10-09 08:53:20 UTC.
    const T: i64 = 1_760_000_000_000;

    #[test]
    fn a_window_picks_the_shortest_cell_that_reaches_back() {
        let w = Window::fit(T, 0, 60, T - HOUR);
        // Three hours at least: 60 cells of 3 minutes, ending with 08:51–08:54.
        assert_eq!(w.cell_ms, 3 * MIN);
        assert_eq!(w.to, T + 40_000);
        assert_eq!(w.to - w.from, 3 * HOUR);
        let day = Window::fit(T, 0, 60, T - 9 * HOUR);
        assert_eq!(day.cell_ms, 10 * MIN);
        // Cell edges on local whole minutes: at UTC+05:30 the last cell is 14:20–14:30.
        let india = Window::fit(T, 19_800, 60, T - 9 * HOUR);
        assert_eq!((india.to / 1000 + 19_800) % 86_400, 14 * 3600 + 30 * 60);
        assert_eq!(Window::fit(T, 0, 0, T).cells, 0);
    }

    #[test]
    fn hour_marks_sit_where_their_hour_starts() {
        let w = Window::fit(T, 0, 36, T);
        // 36 cells of 5 minutes: 06:00 to 09:00, an hour is 12 cells.
        assert_eq!(w.from, T + 100_000 - 3 * HOUR);
        // 05:55 to 08:55: 06:00 is the second cell.
        let a = axis(&w);
        assert_eq!(a, format!(" {:12}{:12}{:11}", "06:00", "07:00", "08:00"));
        // Narrow hours carry the hour alone, every other one where two would touch; at UTC-3
        // it is 05:53, and twelve half hours reach back to midnight.
        let narrow = Window::fit(T, -3 * 3600, 12, T - 6 * HOUR);
        assert_eq!(narrow.cell_ms, 30 * MIN);
        assert_eq!(axis(&narrow), "00  02  04  ");
        assert_eq!(axis(&Window::fit(T, 0, 0, T)), "");
    }

    #[test]
    fn cells_show_the_state_symbol_and_mark_what_was_only_seen() {
        let t = Timeline {
            intervals: vec![
                Interval {
                    state: State::Working,
                    start: T - 20 * MIN,
                    end: T - 10 * MIN,
                    origin: Origin::Recorded,
                },
                Interval {
                    state: State::Waiting,
                    start: T - 10 * MIN,
                    end: T,
                    origin: Origin::Observed,
                },
            ],
        };
        let theme = Theme::default();
        let w = Window {
            from: T - 30 * MIN,
            to: T,
            cells: 3,
            cell_ms: 10 * MIN,
            utc_offset_secs: 0,
        };
        let spans = cells(&theme, &t, &w);
        let text: String = spans.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(text, "·●◆");
        assert_eq!(
            spans[1].style,
            theme.status(&Status::new(State::Working, ""))
        );
        assert!(spans[2].style.add_modifier.contains(Modifier::UNDERLINED));
        assert!(!spans[1].style.add_modifier.contains(Modifier::UNDERLINED));
        let none = line(&theme, None, &w).to_string();
        assert_eq!(none, "no history yet");
        assert_eq!(since([&t], T - HOUR, T), T - 20 * MIN);
        assert_eq!(since([&t], T - 15 * MIN, T), T - 15 * MIN);
        assert_eq!(since([], T - HOUR, T), T);
    }
}
