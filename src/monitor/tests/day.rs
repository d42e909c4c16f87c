//! The day in the monitor (#30): the detail view's strip, the fleet view, the WAITED column and
//! today's total in the header, on the demo fleet's day or literal timelines, at a fixed clock.

use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Modifier;

use super::{T, app, open_detail, press, screen, select, selected_title, typed};
use crate::collect::{Focus, demo};
use crate::model::state::State;
use crate::model::timeline::{Interval, Origin, Timeline};
use crate::monitor::draw as view;
use crate::monitor::state::View;
use crate::monitor::state::columns::Column;

const MIN: i64 = 60_000;
/// Local midnight of `T` (UTC, the tests' zone).
const MIDNIGHT: i64 = 1_759_968_000_000;

fn iv(state: State, start: i64, end: i64) -> Interval {
    Interval::new(state, start, end, Origin::Recorded)
}

/// The demo at `T` with literal days for its first two sessions and none for the others:
/// session 1 waited 20 min today and 30 min before midnight (10 of them after it), session 2
/// waited 5 min.
fn literal_days() -> crate::collect::Snapshot {
    let mut snap = demo::snapshot(&Focus::default(), T);
    let ids: Vec<String> = snap
        .rows
        .iter()
        .filter_map(|r| r.session_id().map(str::to_string))
        .collect();
    snap.timelines.clear();
    snap.timelines.insert(
        ids[0].clone(),
        Timeline {
            intervals: vec![
                iv(State::Waiting, MIDNIGHT - 20 * MIN, MIDNIGHT + 10 * MIN),
                iv(State::Working, MIDNIGHT + 10 * MIN, T - 30 * MIN),
                iv(State::Waiting, T - 30 * MIN, T - 10 * MIN),
                iv(State::Idle, T - 10 * MIN, T),
            ],
        },
    );
    snap.timelines.insert(
        ids[1].clone(),
        Timeline {
            intervals: vec![
                iv(State::Working, T - 60 * MIN, T - 5 * MIN),
                iv(State::Waiting, T - 5 * MIN, T),
            ],
        },
    );
    snap
}

/// Today's total counts waits since local midnight only: 10 + 20 + 5 minutes.
#[test]
fn the_header_sums_todays_waits() {
    let mut a = app(120, 16);
    a.ingest(literal_days());
    let s = screen(&a);
    let totals = s.lines().nth(1).unwrap_or_default();
    assert!(totals.contains("out 208k waited 35m00s │ all"), "{s}");
    // A day known to be empty is 0s; none known, no figure at all.
    let mut empty = literal_days();
    for t in empty.timelines.values_mut() {
        t.intervals.retain(|i| i.state != State::Waiting);
    }
    a.ingest(empty);
    assert!(screen(&a).contains(" waited 0s │"));
    let mut none = literal_days();
    none.timelines.clear();
    a.ingest(none);
    assert!(!screen(&a).contains("waited"));
}

/// WAITED sorts largest first when chosen; each row shows its time and its longest wait; a
/// session otop knows no day of shows `-` and sorts last.
#[test]
fn waited_column_sorted() {
    let mut a = app(120, 20);
    a.ingest(literal_days());
    press(&mut a, KeyCode::Char('>'));
    assert_eq!((a.sort, a.descending), (Column::Waited, true));
    let today = a.today();
    let waits: Vec<Option<i64>> = a
        .shown
        .iter()
        .map(|s| today.waited(&a.snapshot.rows[s.index]))
        .collect();
    assert_eq!(&waits[..2], [Some(30 * MIN), Some(5 * MIN)]);
    assert!(waits[2..].iter().all(Option::is_none), "{waits:?}");
    let s = screen(&a);
    assert!(s.contains("WAITED▼"), "{s}");
    insta::assert_snapshot!(s);
    press(&mut a, KeyCode::Char('s'));
    press(&mut a, KeyCode::Char('G'));
    assert_eq!(today_of(&a), Some(30 * MIN), "ascending: the longest last");
}

fn today_of(a: &crate::monitor::state::App) -> Option<i64> {
    a.today().waited(a.selected_row()?)
}

/// The detail view's strip: hour marks, a cell per 5 minutes back to the session's first state
/// today, the legend after its time waited.
#[test]
fn detail_strip() {
    let mut a = app(100, 24);
    select(&mut a, "Refactor");
    open_detail(&mut a);
    let s = screen(&a);
    let strip: Vec<&str> = s.lines().skip(4).take(3).collect();
    assert!(
        strip[0].contains("06:00") && strip[0].contains("08:00"),
        "{s}"
    );
    assert!(strip[1].contains('●') && strip[1].contains('◆'), "{s}");
    assert!(
        strip[2].contains("waited ") && strip[2].contains("◆ waiting"),
        "{s}"
    );
    insta::assert_snapshot!(s);
}

#[test]
fn detail_says_no_history_yet() {
    let mut a = app(100, 24);
    select(&mut a, "Refactor");
    press(&mut a, KeyCode::Enter);
    let mut snap = demo::snapshot(&a.focus(), T);
    snap.timelines.clear();
    a.ingest(snap);
    let s = screen(&a);
    assert!(
        s.lines()
            .nth(5)
            .unwrap_or_default()
            .contains("no history yet"),
        "{s}"
    );
}

fn fleet(w: u16, h: u16) -> crate::monitor::state::App {
    let mut a = app(w, h);
    press(&mut a, KeyCode::Char('f'));
    assert_eq!(a.view, View::Fleet);
    a
}

#[test]
fn fleet_80() {
    insta::assert_snapshot!(screen(&fleet(80, 16)));
}

#[test]
fn fleet_120() {
    insta::assert_snapshot!(screen(&fleet(120, 16)));
}

/// The list's order, filter and selection hold in the fleet view; the detail view opened from
/// it goes back to it; its key or esc leaves it.
#[test]
fn the_fleet_view_follows_the_list() {
    let mut a = fleet(120, 16);
    let titles = |a: &crate::monitor::state::App| -> Vec<String> {
        a.shown
            .iter()
            .map(|s| a.snapshot.rows[s.index].title())
            .collect()
    };
    let s = screen(&a);
    let order: Vec<usize> = titles(&a)
        .iter()
        .filter_map(|t| s.find(&crate::tui::text::fit(t, 20)[..10]))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{s}");
    press(&mut a, KeyCode::Char('j'));
    let chosen = selected_title(&a);
    press(&mut a, KeyCode::Enter);
    assert_eq!(a.view, View::Detail);
    press(&mut a, KeyCode::Esc);
    assert_eq!((a.view, selected_title(&a)), (View::Fleet, chosen));
    press(&mut a, KeyCode::Char('/'));
    typed(&mut a, "billing");
    press(&mut a, KeyCode::Enter);
    let s = screen(&a);
    assert!(
        s.contains("Migrate billing") && !s.contains("Refactor"),
        "{s}"
    );
    assert!(s.contains("filter “billing”  enter detail"), "{s}");
    // A click selects the strip under it (one line a row).
    press(&mut a, KeyCode::Char('/'));
    for _ in 0.."billing".len() {
        press(&mut a, KeyCode::Backspace);
    }
    press(&mut a, KeyCode::Enter);
    let rows = crate::monitor::layout::fleet(a.size, false).rows;
    a.apply(crate::monitor::state::action::Action::Click {
        column: 3,
        row: rows.y + 2,
    });
    assert_eq!(a.selected, 2);
    press(&mut a, KeyCode::Esc);
    assert_eq!(a.view, View::List);
    press(&mut a, KeyCode::Char('f'));
    press(&mut a, KeyCode::Char('f'));
    assert_eq!(a.view, View::List);
}

/// Waits opencode has no record of (a permission's) are underlined: not only a colour.
#[test]
fn observed_cells_are_marked_apart() {
    let a = fleet(120, 16);
    let mut term = Terminal::new(TestBackend::new(120, 16)).unwrap();
    term.draw(|f| view::draw(f, &a)).unwrap();
    let buf = term.backend().buffer().clone();
    let row = (0..16)
        .find(|&y| {
            (0..30)
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
                .contains("CJK")
        })
        .unwrap();
    let marks: Vec<(String, bool)> = (31..120)
        .map(|x| &buf[(x, row)])
        .filter(|c| c.symbol() == State::Waiting.symbol())
        .map(|c| {
            (
                c.symbol().to_string(),
                c.modifier.contains(Modifier::UNDERLINED),
            )
        })
        .collect();
    assert!(!marks.is_empty() && marks.iter().all(|m| m.1), "{marks:?}");
    let refactor = (0..16)
        .find(|&y| {
            (0..30)
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
                .contains("Refactor")
        })
        .unwrap();
    assert!(
        (31..120).all(|x| !buf[(x, refactor)].modifier.contains(Modifier::UNDERLINED)),
        "recorded cells are plain"
    );
}

#[test]
fn small_screens_draw_the_day_without_panic() {
    for (w, h) in [(1, 1), (12, 3), (40, 10), (300, 5)] {
        let mut a = fleet(w, h);
        screen(&a);
        press(&mut a, KeyCode::Char('G'));
        screen(&a);
        open_detail(&mut a);
        screen(&a);
    }
}
