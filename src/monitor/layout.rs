//! The monitor's geometry, in one place: where the list's header, column header, rows and footer
//! go, where the detail view's body is, and which rows a page shows. State (paging, clicks) and
//! drawing both ask here, so they cannot disagree.

use ratatui::layout::{Constraint, Layout, Rect};

use crate::collect::Snapshot;

/// The list screen's regions.
pub struct ListLayout {
    pub header: Rect,
    pub columns: Rect,
    pub rows: Rect,
    pub footer: Rect,
}

/// Whether the header needs its third line (a database error or warnings).
pub fn has_problems(snapshot: &Snapshot) -> bool {
    snapshot.db_error.is_some() || snapshot.notes().next().is_some()
}

/// The list screen in `area`; `problems` adds a header line.
pub fn list(area: Rect, problems: bool) -> ListLayout {
    let [header, columns, rows, footer] = Layout::vertical([
        Constraint::Length(2 + u16::from(problems)),
        Constraint::Length(2),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    ListLayout {
        header,
        columns,
        rows,
        footer,
    }
}

/// Session rows on a page of the list: two screen lines each.
pub fn rows_per_page(rows: Rect) -> usize {
    usize::from(rows.height / 2).max(1)
}

const DETAIL_HEADER_LINES: u16 = 4;
/// The detail view's timeline strip: its hour marks, the strip, the legend.
pub const STRIP_LINES: u16 = 3;

/// The detail view: header of facts, the timeline strip, tabs, body (pane or history), footer.
pub fn detail(area: Rect) -> [Rect; 5] {
    Layout::vertical([
        Constraint::Length(DETAIL_HEADER_LINES),
        Constraint::Length(STRIP_LINES),
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area)
}

/// Where the detail view draws the pane or the history.
pub fn detail_body(area: Rect) -> Rect {
    detail(area)[3]
}

/// The fleet view's regions: the list's header, the hour marks, a strip per row, the legend.
pub struct FleetLayout {
    pub header: Rect,
    pub axis: Rect,
    pub rows: Rect,
    pub legend: Rect,
    pub footer: Rect,
}

/// The fleet view in `area`; `problems` adds a header line, as on the list.
pub fn fleet(area: Rect, problems: bool) -> FleetLayout {
    let [header, axis, rows, legend, footer] = Layout::vertical([
        Constraint::Length(2 + u16::from(problems)),
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    FleetLayout {
        header,
        axis,
        rows,
        legend,
        footer,
    }
}

/// The list offset that keeps `selected` on a page of `page` rows, moving as little as possible.
pub fn clamp_offset(offset: usize, selected: usize, page: usize, len: usize) -> usize {
    let page = page.max(1);
    let mut o = offset.min(len.saturating_sub(page));
    if selected < o {
        o = selected;
    } else if selected >= o + page {
        o = selected + 1 - page;
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_moves_only_when_needed() {
        assert_eq!(clamp_offset(0, 3, 5, 10), 0);
        assert_eq!(clamp_offset(0, 7, 5, 10), 3);
        assert_eq!(clamp_offset(3, 4, 5, 10), 3);
        assert_eq!(clamp_offset(3, 1, 5, 10), 1);
        // Shrinking data pulls the offset back so the page stays full.
        assert_eq!(clamp_offset(8, 2, 5, 6), 1);
        assert_eq!(clamp_offset(5, 0, 0, 0), 0);
    }
}
