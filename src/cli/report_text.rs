//! `otop report`'s plain text: a summary line, then aligned tables of projects, sessions and
//! the longest waits; every title and directory sanitised and cut, the lists bounded.

use crate::model::report::{Figures, Report, Wait};
use crate::model::sanitize::clean;
use crate::model::timeline::Origin;
use crate::tui::text::{clock, count, cut, dollars, duration, width};

/// Widest title and directory shown.
const TITLE_WIDTH: usize = 40;
const DIR_WIDTH: usize = 40;
/// Sessions listed at most (the rest are counted).
const MAX_SESSIONS: usize = 50;

/// The report as text; `today` names the window "today", `offset` is the local UTC offset (s).
pub fn render(r: &Report, today: bool, offset: i32) -> String {
    let hm = |ms: i64| clock(ms, offset)[..5].to_string();
    let window = if today {
        format!("Today since {}", hm(r.since))
    } else if r.until - r.since >= 86_400_000 {
        format!("The last {}", duration(r.until - r.since))
    } else {
        format!("Since {}", hm(r.since))
    };
    let mut out = format!(
        "{window} (until {}): {} sessions in {} projects\n  {}\n",
        hm(r.until),
        r.sessions.len(),
        r.projects.len(),
        summary(&r.total)
    );
    for n in &r.notes {
        out.push_str(&format!("  note: {}\n", clean(n)));
    }
    if r.sessions.is_empty() {
        out.push_str("\nNo session worked, waited or wrote a message in this window.\n");
        return out;
    }
    let head = ["WORKING", "WAITING", "ERROR", "MSGS", "TOKENS", "SPEND"];
    let mut table = vec![
        std::iter::once("PROJECT".to_string())
            .chain(std::iter::once("SESSIONS".into()))
            .chain(head.map(String::from))
            .collect::<Vec<_>>(),
    ];
    for p in &r.projects {
        let mut line = vec![dir(&p.directory), p.sessions.to_string()];
        line.extend(cells(&p.figures));
        table.push(line);
    }
    out.push('\n');
    out.push_str(&align(&table, 1));
    let mut table = vec![
        std::iter::once("SESSION".to_string())
            .chain(std::iter::once("TITLE".into()))
            .chain(head.map(String::from))
            .collect::<Vec<_>>(),
    ];
    for s in r.sessions.iter().take(MAX_SESSIONS) {
        let title = s.title.as_deref().unwrap_or("-");
        let title = match s.parent_id {
            Some(_) => format!("  ↳ {}", clean(title)),
            None => clean(title).into_owned(),
        };
        let mut line = vec![
            cut(&clean(&s.id), 32).into_owned(),
            cut(&title, TITLE_WIDTH).into_owned(),
        ];
        line.extend(cells(&s.figures));
        table.push(line);
    }
    out.push('\n');
    out.push_str(&align(&table, 2));
    if r.sessions.len() > MAX_SESSIONS {
        out.push_str(&format!(
            "… and {} more sessions (see --json)\n",
            r.sessions.len() - MAX_SESSIONS
        ));
    }
    if !r.longest_waits.is_empty() {
        out.push_str("\nLongest waits for you:\n");
        for w in &r.longest_waits {
            out.push_str(&format!("  {}\n", wait(r, w, &hm)));
        }
    }
    if r.total.observed_ms > 0 {
        out.push_str(
            "\n* seen by a running otop (the monitor or `otop watch --tmux`): opencode keeps no time of it\n",
        );
    }
    out
}

fn summary(f: &Figures) -> String {
    let mut s = format!(
        "working {} · waiting for you {} · in error {} · {} messages · {} tokens",
        duration(f.working_ms),
        duration(f.waiting_ms),
        duration(f.error_ms),
        f.messages,
        count(tokens(f)),
    );
    if let Some(c) = f.cost {
        s.push_str(&format!(" · {}", dollars(c)));
    }
    s
}

fn tokens(f: &Figures) -> u64 {
    let t = &f.tokens;
    t.input + t.output + t.reasoning + t.cache_read + t.cache_write
}

fn cells(f: &Figures) -> [String; 6] {
    [
        duration(f.working_ms),
        duration(f.waiting_ms),
        duration(f.error_ms),
        f.messages.to_string(),
        count(tokens(f)),
        f.cost.map_or("-".into(), dollars),
    ]
}

/// A directory, its end kept when cut (the project's name is there).
fn dir(d: &str) -> String {
    let d = clean(d);
    if width(&d) <= DIR_WIDTH {
        return d.into_owned();
    }
    let rev: String = d.chars().rev().collect();
    let kept: String = cut(&rev, DIR_WIDTH).chars().rev().collect();
    kept
}

fn wait(r: &Report, w: &Wait, hm: &dyn Fn(i64) -> String) -> String {
    let title = r
        .sessions
        .iter()
        .find(|s| s.id == w.session)
        .and_then(|s| s.title.as_deref())
        .unwrap_or(&w.session);
    let mark = if w.origin == Origin::Observed {
        " *"
    } else {
        ""
    };
    format!(
        "{:>7}  {}–{}  {}{mark}",
        duration(w.ms),
        hm(w.start),
        hm(w.end),
        cut(&clean(title), TITLE_WIDTH)
    )
}

/// Rows aligned in columns: the first `text` columns left, the rest (figures) right.
fn align(table: &[Vec<String>], text: usize) -> String {
    let n = table.first().map_or(0, Vec::len);
    let mut widths = vec![0; n];
    for line in table {
        for (w, cell) in widths.iter_mut().zip(line) {
            *w = (*w).max(width(cell));
        }
    }
    let mut out = String::new();
    for line in table {
        let mut l = String::new();
        for (i, cell) in line.iter().enumerate() {
            let pad = " ".repeat(widths[i] - width(cell));
            if i > 0 {
                l.push_str("  ");
            }
            if i < text {
                l.push_str(cell);
                l.push_str(&pad);
            } else {
                l.push_str(&pad);
                l.push_str(cell);
            }
        }
        out.push_str(l.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::report::{ProjectDay, SessionDay};

    #[test]
    fn the_text_is_aligned_sanitised_and_marks_what_only_otop_saw() {
        let f = Figures {
            working_ms: 3_720_000,
            waiting_ms: 725_000,
            observed_ms: 5_000,
            messages: 34,
            cost: Some(0.42),
            ..Figures::default()
        };
        let s = SessionDay {
            id: "ses_1".into(),
            title: Some("Fix \u{1b}[31mlogin".into()),
            directory: Some("/w/api".into()),
            parent_id: None,
            figures: f.clone(),
            longest_waits: vec![],
        };
        let w = Wait {
            session: "ses_1".into(),
            start: 9 * 3_600_000,
            end: 9 * 3_600_000 + 725_000,
            ms: 725_000,
            origin: Origin::Observed,
        };
        let r = Report {
            since: 0,
            until: 10 * 3_600_000,
            total: f.clone(),
            projects: vec![ProjectDay {
                directory: "/w/api".into(),
                sessions: 1,
                figures: f,
            }],
            sessions: vec![s],
            longest_waits: vec![w],
            notes: vec![],
        };
        let text = render(&r, true, 0);
        assert!(!text.contains('\u{1b}'), "{text}");
        let expected = "\
Today since 00:00 (until 10:00): 1 sessions in 1 projects
  working 1h02m · waiting for you 12m05s · in error 0s · 34 messages · 0 tokens · $0.42

PROJECT  SESSIONS  WORKING  WAITING  ERROR  MSGS  TOKENS  SPEND
/w/api          1    1h02m   12m05s     0s    34       0  $0.42

SESSION  TITLE      WORKING  WAITING  ERROR  MSGS  TOKENS  SPEND
ses_1    Fix login    1h02m   12m05s     0s    34       0  $0.42

Longest waits for you:
   12m05s  09:00–09:12  Fix login *

* seen by a running otop (the monitor or `otop watch --tmux`): opencode keeps no time of it
";
        assert_eq!(text, expected);
    }
}
