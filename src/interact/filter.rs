//! The one rule for finding rows by what a person types, in the monitor's `/` filter and the
//! picker alike: fuzzy, in smart case (an upper-case letter asks for its case, as in fzf), over everything a row shows that one might type, the host
//! included. The monitor keeps its sort order among the matches; the picker puts the best first.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use crate::model::row::Row;
use crate::model::sanitize::clean;

/// A query, ready to score rows.
pub struct Filter {
    pattern: Option<Pattern>,
    matcher: Matcher,
    buf: Vec<char>,
}

impl Filter {
    pub fn new(query: &str) -> Filter {
        let pattern = (!query.trim().is_empty())
            .then(|| Pattern::parse(query, CaseMatching::Smart, Normalization::Smart));
        Filter {
            pattern,
            matcher: Matcher::new(Config::DEFAULT),
            buf: Vec::new(),
        }
    }

    /// How well `row` matches (higher is better); `Some(0)` for every row when the query is
    /// empty, `None` when it does not match.
    pub fn score(&mut self, row: &Row) -> Option<u32> {
        let Some(pattern) = &self.pattern else {
            return Some(0);
        };
        let text = haystack(row);
        pattern.score(Utf32Str::new(&text, &mut self.buf), &mut self.matcher)
    }

    pub fn matches(&mut self, row: &Row) -> bool {
        self.score(row).is_some()
    }

    /// The indices of the matching rows, best first; ties keep the rows' order.
    pub fn rank(&mut self, rows: &[Row]) -> Vec<usize> {
        let mut scored: Vec<(u32, usize)> = rows
            .iter()
            .enumerate()
            .filter_map(|(i, r)| self.score(r).map(|s| (s, i)))
            .collect();
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        scored.into_iter().map(|(_, i)| i).collect()
    }
}

/// What the filter matches against: title, state and status, model, session id, the machine,
/// the tmux place and window name, the project (the directory's last component: whole paths make
/// fuzzy matches noisy), tty and pid.
fn haystack(r: &Row) -> String {
    let s = r.session.as_ref();
    let p = r.process.as_ref();
    let parts = [
        Some(r.title()),
        Some(r.status.state.as_str().to_string()),
        Some(r.status.detail.clone()),
        s.and_then(|s| s.model.clone()),
        s.map(|s| s.id.clone()),
        r.host.clone(),
        r.tmux.as_ref().map(|t| t.short()),
        r.tmux.as_ref().map(|t| t.window_name.clone()),
        r.cwd()
            .and_then(|d| d.rsplit('/').find(|c| !c.is_empty()))
            .map(str::to_string),
        p.and_then(|p| p.info.tty.clone()),
        p.map(|p| p.info.pid.to_string()),
    ];
    clean(&parts.into_iter().flatten().collect::<Vec<_>>().join(" ")).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::state::{State, Status};
    use crate::source::db::types::SessionFacts;

    fn row(title: &str, host: Option<&str>) -> Row {
        Row {
            session: Some(SessionFacts {
                id: format!("ses_{title}"),
                title: Some(title.into()),
                directory: Some("/home/u/src/billing".into()),
                ..SessionFacts::default()
            }),
            host: host.map(str::to_string),
            ..Row::bare(Status::new(State::Idle, ""))
        }
    }

    #[test]
    fn a_host_a_title_and_a_project_find_their_rows() {
        let rows = [row("Fix CI", None), row("Write docs", Some("box"))];
        assert_eq!(Filter::new("box").rank(&rows), [1]);
        assert_eq!(Filter::new("fxci").rank(&rows), [0], "fuzzy");
        assert_eq!(Filter::new("billing").rank(&rows), [0, 1]);
        assert_eq!(Filter::new("").rank(&rows), [0, 1]);
        assert_eq!(
            Filter::new("nothing like it").rank(&rows),
            Vec::<usize>::new()
        );
    }

    #[test]
    fn smart_case_an_upper_case_letter_asks_for_its_case() {
        let rows = [row("fix ci", None), row("Fix CI", Some("BOX"))];
        assert_eq!(Filter::new("fix").rank(&rows).len(), 2);
        assert_eq!(Filter::new("Fix").rank(&rows), [1]);
        assert_eq!(Filter::new("box").rank(&rows), [1]);
    }
}
