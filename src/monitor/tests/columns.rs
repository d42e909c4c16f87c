//! Which columns show and how wide: an 80-column terminal with the statuses the companion
//! plugin gives (each read whole, the 30-character SID giving way first, the footer keeping
//! `q quit`), and COST where opencode recorded what sessions cost.

use super::{T, app, screen};
use crate::collect::Focus;
use crate::collect::demo;

const LONG: [(&str, &str); 3] = [
    ("permission", "permission: bash rm -rf build"),
    ("asking", "asking: Colour"),
    ("error", "error: mock provider failed"),
];

#[test]
fn long_statuses_are_read_whole_at_80_columns() {
    let mut a = app(80, 24);
    let mut snap = demo::snapshot(&Focus::default(), T);
    for r in &mut snap.rows {
        if let Some((_, long)) = LONG.iter().find(|(d, _)| r.status.detail == *d) {
            r.status.detail = (*long).to_string();
        }
    }
    a.ingest(snap);
    let s = screen(&a);
    for (_, long) in LONG {
        assert!(s.contains(long), "{long} is cut:\n{s}");
    }
    assert!(!s.contains("ses_"), "SID should go first:\n{s}");
    for kept in ["UP", "CPU", "CTX"] {
        assert!(s.contains(kept), "{kept} dropped:\n{s}");
    }
    assert!(s.contains("q quit"), "{s}");
    assert!(
        s.contains("? Which runner image"),
        "the question on LAST:\n{s}"
    );
}

/// Where a provider prices its replies: a COST column, and the spend in the header. Where none
/// does (the demo, most local and subscription providers), neither shows.
#[test]
fn cost_shows_where_opencode_recorded_one() {
    let plain = screen(&app(160, 12));
    assert!(!plain.contains("COST") && !plain.contains('$'), "{plain}");

    let mut a = app(160, 12);
    let mut snap = demo::snapshot(&Focus::default(), T);
    for (r, cost) in snap.rows.iter_mut().zip([1.234, 0.0, 12.5, 0.04]) {
        if let Some(s) = r.session.as_mut() {
            s.cost = Some(cost);
        }
    }
    if let Some(t) = snap.totals.as_mut() {
        t.today.cost_micros = 3_500_000;
        t.all_time.cost_micros = 412_750_000;
    }
    a.ingest(snap);
    insta::assert_snapshot!(screen(&a));
}

/// With hosts read, HOST follows TITLE: each row's machine, `local` for this one; an
/// unreachable host is the line above the list. Without hosts, no HOST column.
#[test]
fn host_follows_title_when_hosts_are_read() {
    assert!(!screen(&app(160, 14)).contains("HOST"));
    let mut a = app(160, 14);
    let mut snap = demo::snapshot(&Focus::default(), T);
    for (i, r) in snap.rows.iter_mut().enumerate() {
        if i % 2 == 1 {
            *r = r.clone().on_host("box");
        }
    }
    snap.hosts = vec![
        crate::collect::hosts::HostState {
            name: "box".into(),
            seen: crate::collect::hosts::Seen::Answered {
                with: "0.1.0".into(),
                at: T,
            },
        },
        crate::collect::hosts::HostState {
            name: "vm".into(),
            seen: crate::collect::hosts::Seen::Down {
                since: T,
                why: crate::source::remote::RemoteError::Unreachable(
                    "ssh: connect to host vm port 22: Connection refused".into(),
                ),
            },
        },
    ];
    a.ingest(snap);
    let s = screen(&a);
    let header = s
        .lines()
        .map(|l| l.trim_start_matches('"'))
        .find(|l| l.starts_with("TITLE"))
        .expect("header");
    let title_end = header.find("HOST").expect("HOST in the header");
    assert!(header[..title_end].trim_end() == "TITLE", "{header}");
    assert!(s.lines().any(|l| l.contains(" box ")), "{s}");
    assert!(s.lines().any(|l| l.contains(" local ")), "{s}");
    assert!(s.contains("vm: unreachable since"), "{s}");
}

/// The detail view of another machine's session says where it is, and asks nothing of this
/// machine for it (no pane capture, no history read).
#[test]
fn a_remote_session_detail_says_where_it_lives() {
    use crossterm::event::KeyCode;
    let mut a = app(140, 16);
    let mut snap = demo::snapshot(&Focus::default(), T);
    snap.rows = snap.rows.into_iter().map(|r| r.on_host("box")).collect();
    snap.hosts = vec![crate::collect::hosts::HostState {
        name: "box".into(),
        seen: crate::collect::hosts::Seen::Answered {
            with: "0.1.0".into(),
            at: T,
        },
    }];
    a.ingest(snap);
    super::press(&mut a, KeyCode::Enter);
    assert_eq!(a.focus(), Focus::default());
    let s = screen(&a);
    assert!(s.contains("host box "), "{s}");
    assert!(
        s.contains("on box: its pane and message history are read there"),
        "{s}"
    );
}

/// A retrying session writes nothing (no part, no output): LAST says why, as opencode's TUI
/// does (`mock upstream failure [retrying in 15s attempt #4]`), where STATUS cuts it.
#[test]
fn a_retry_shows_its_reason_on_last() {
    let mut a = app(170, 24);
    let mut snap = demo::snapshot(&Focus::default(), T);
    let row = snap
        .rows
        .iter_mut()
        .find(|r| r.session.is_some() && !r.is_helper())
        .expect("a session row");
    row.status = crate::model::state::Status::new(
        crate::model::state::State::Error,
        "retrying (attempt 4): mock upstream failure",
    );
    if let Some(s) = row.session.as_mut() {
        s.last_output = None;
        s.tools.clear();
    }
    a.ingest(snap);
    let s = screen(&a);
    assert!(
        s.contains("retrying (attempt 4): mock upstream failure"),
        "the reason on LAST:\n{s}"
    );
}
