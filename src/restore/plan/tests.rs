use super::*;

const NOW: i64 = 1_800_000_000_000;
const SOCK: &str = "/tmp/tmux-1000/default";

fn entry(id: &str, session: &str, window: u32, pane: u32) -> Entry {
    Entry {
        id: id.into(),
        kind: Kind::Tui,
        directory: format!("/p/{id}"),
        executable: "/bin/opencode".into(),
        args: vec!["--model".into(), "p/m".into()],
        socket: SOCK.into(),
        session: session.into(),
        window,
        window_name: format!("w{window}"),
        pane,
        last_seen: NOW - 1000,
    }
}

fn world(record: &Record) -> World {
    World {
        directories: record
            .sessions
            .iter()
            .map(|e| e.directory.clone())
            .collect(),
        executables: [("/bin/opencode".to_string(), "/bin/opencode".to_string())].into(),
        ..World::default()
    }
}

fn outcome(steps: &[Step], id: &str) -> Outcome {
    steps
        .iter()
        .find(|s| s.entry.id == id)
        .map(|s| s.outcome.clone())
        .unwrap()
}

/// The server is gone: the first step starts it and makes each tmux session, every window
/// goes to its recorded index, and a second pane of one window goes beside the first.
#[test]
fn a_lost_server_comes_back_window_by_window() {
    let record = Record {
        sessions: vec![
            entry("ses_c", "b", 1, 0),
            entry("ses_a", "a", 1, 0),
            entry("ses_b", "a", 2, 0),
            entry("ses_d", "a", 2, 1),
        ],
    };
    let steps = plan(&record, &world(&record), NOW);
    let ids: Vec<&str> = steps.iter().map(|s| s.entry.id.as_str()).collect();
    assert_eq!(ids, ["ses_a", "ses_b", "ses_d", "ses_c"]);
    let start = |server, session, place| {
        move |program: Vec<&str>| {
            Outcome::Restore(Start {
                server,
                session,
                place,
                program: program.into_iter().map(String::from).collect(),
            })
        }
    };
    let prog = |id| vec!["/bin/opencode", "--model", "p/m", "-s", id];
    assert_eq!(
        steps[0].outcome,
        start(true, true, Place::At(1))(prog("ses_a"))
    );
    assert_eq!(
        steps[1].outcome,
        start(false, false, Place::At(2))(prog("ses_b"))
    );
    assert_eq!(
        steps[2].outcome,
        start(false, false, Place::Beside(1))(prog("ses_d"))
    );
    assert_eq!(
        steps[3].outcome,
        start(false, true, Place::At(1))(prog("ses_c"))
    );
    assert_eq!(
        line(&steps[0], "restored", ""),
        "restored ses_a in /p/ses_a: a:1 \"w1\" (new tmux server, new tmux session)"
    );
}

/// A running session is left alone wherever it runs; a window that exists is never reused.
#[test]
fn running_sessions_and_taken_windows_are_left_alone() {
    let record = Record {
        sessions: vec![entry("ses_a", "a", 1, 0), entry("ses_b", "a", 2, 0)],
    };
    let mut w = world(&record);
    w.running.insert("ses_a".into(), "a:1 \"w1\", pid 7".into());
    w.servers.insert(
        SOCK.into(),
        [("a".to_string(), 1), ("a".to_string(), 2)].into(),
    );
    let steps = plan(&record, &w, NOW);
    assert_eq!(
        outcome(&steps, "ses_a"),
        Outcome::Running("a:1 \"w1\", pid 7".into())
    );
    let Outcome::Restore(start) = outcome(&steps, "ses_b") else {
        panic!("ses_b is restored");
    };
    assert!(!start.server && !start.session);
    assert_eq!(start.place, Place::Next);
    assert_eq!(
        line(&steps[0], "", ""),
        "already running ses_a in /p/ses_a (a:1 \"w1\", pid 7)"
    );
    assert_eq!(counts(&steps), (1, 1, 0));
}

/// Each reason to skip, with `now` deciding what is too old.
#[test]
fn skipped_with_their_reasons() {
    let mut gone = entry("ses_gone", "a", 1, 0);
    gone.directory = "/deleted".into();
    let mut run = entry("ses_run", "a", 2, 0);
    run.kind = Kind::Run;
    let mut old = entry("ses_old", "a", 3, 0);
    old.last_seen = NOW - 8 * 24 * 3600 * 1000;
    let mut lost = entry("ses_lost", "a", 4, 0);
    lost.executable = "/old/opencode".into();
    let record = Record {
        sessions: vec![gone, run, old, lost],
    };
    let mut w = world(&record);
    w.directories.remove("/deleted");
    let steps = plan(&record, &w, NOW);
    let why = |id| match outcome(&steps, id) {
        Outcome::Skipped(why) => why,
        o => panic!("{id}: {o:?}"),
    };
    assert_eq!(why("ses_gone"), "its directory is gone");
    assert_eq!(why("ses_run"), "it was `opencode run`, not interactive");
    assert_eq!(why("ses_old"), "last seen 8 days ago");
    assert_eq!(
        why("ses_lost"),
        "opencode not found (neither /old/opencode nor on PATH)"
    );
    assert_eq!(
        line(&steps[0], "", ""),
        "skipped ses_gone in /deleted: its directory is gone"
    );
    // A week to the millisecond is still kept.
    let mut week = entry("ses_w", "a", 1, 0);
    week.last_seen = NOW - KEEP_MS;
    let r = Record {
        sessions: vec![week],
    };
    assert!(matches!(
        plan(&r, &world(&r), NOW)[0].outcome,
        Outcome::Restore(_)
    ));
}

/// The executable that is gone is replaced by the one found on PATH.
#[test]
fn a_moved_opencode_is_found_on_path() {
    let record = Record {
        sessions: vec![entry("ses_a", "a", 1, 0)],
    };
    let mut w = world(&record);
    w.executables
        .insert("/bin/opencode".into(), "/usr/local/bin/opencode".into());
    let Outcome::Restore(start) = outcome(&plan(&record, &w, NOW), "ses_a") else {
        panic!("restored");
    };
    assert_eq!(start.program[0], "/usr/local/bin/opencode");
}

/// Names and paths from the record reach the terminal neutralised.
#[test]
fn lines_are_sanitised() {
    let mut e = entry("ses_a", "a\x1b[2J", 1, 0);
    e.directory = "/p/\x1b]0;x\x07".into();
    let record = Record { sessions: vec![e] };
    let steps = plan(&record, &world(&record), NOW);
    let l = line(&steps[0], "would restore", "");
    assert!(!l.contains('\x1b') && !l.contains('\x07'), "{l:?}");
}
