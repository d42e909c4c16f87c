//! The unseen mark in the monitor: `✓ done` in STATUS, first among idle sessions.

use super::*;

#[test]
fn a_done_unseen_session_reads_done_and_comes_first_among_idle_ones() {
    let mut snap = demo::snapshot(&Focus::default(), T);
    let idle: Vec<usize> = (0..snap.rows.len())
        .filter(|&i| snap.rows[i].is_primary() && snap.rows[i].status.is_finished_turn())
        .collect();
    assert!(!idle.is_empty(), "the demo has an idle session");
    let last = *idle.last().unwrap();
    snap.rows[last].unseen = true;
    let title = snap.rows[last].title();
    let mut app = App::new(T, Theme::default());
    app.apply(Action::Resize(200, 40));
    app.ingest(snap);
    let s = screen(&app);
    let line = s.lines().find(|l| l.contains(&title)).unwrap();
    assert!(line.contains("✓ done"), "{s}");
    let first_idle = app
        .shown
        .iter()
        .map(|r| &app.snapshot.rows[r.index])
        .find(|r| r.status.state == crate::model::state::State::Idle && r.is_primary())
        .map(|r| r.title());
    assert_eq!(first_idle.as_deref(), Some(title.as_str()));
}
