//! An 80-column terminal with the statuses the companion plugin gives: each is read whole,
//! the 30-character SID gives way first, and the footer keeps `q quit`.

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
