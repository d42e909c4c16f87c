use super::*;

const NOW: i64 = 1_800_000_000_000;

/// The demo's rows as if they were real: a snapshot a view would keep the record with.
fn snapshot(now: i64) -> Snapshot {
    let mut snap = crate::collect::demo::snapshot(&crate::collect::Focus::default(), now);
    snap.demo = false;
    snap.taken_at = now;
    snap
}

/// Written once for a set, not again while it stays the same; private, and a symlink planted
/// at its place is replaced, never written through.
#[test]
fn the_record_is_written_when_the_set_changes() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state/otop/fleet.json");
    let mut keeper = Keeper::new(path.clone());
    assert!(keeper.keep(&snapshot(NOW)).unwrap());
    let first = read(&path);
    assert!(first.sessions.len() >= 4);
    assert!(!keeper.keep(&snapshot(NOW + 2000)).unwrap(), "same set");
    assert_eq!(read(&path), first, "not rewritten for a new time");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);

    // Another view (or a person) replaced it with a symlink: the next change replaces that.
    let victim = dir.path().join("victim");
    std::fs::write(&victim, "precious").unwrap();
    std::fs::remove_file(&path).unwrap();
    std::os::unix::fs::symlink(&victim, &path).unwrap();
    assert!(
        keeper.keep(&snapshot(NOW + 4000)).unwrap(),
        "the set is new again"
    );
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert!(std::fs::symlink_metadata(&path).unwrap().is_file());

    // The demo is never recorded.
    let mut demo = snapshot(NOW);
    demo.demo = true;
    assert!(
        !Keeper::new(dir.path().join("other.json"))
            .keep(&demo)
            .unwrap()
    );
    assert!(!dir.path().join("other.json").exists());
}

/// A day after it was written, a running session's time is written again: the week a lost
/// one is kept counts from when it was last seen, not from when the set last changed.
#[test]
fn running_sessions_are_seen_again_daily() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fleet.json");
    let mut keeper = Keeper::new(path.clone());
    assert!(keeper.keep(&snapshot(NOW)).unwrap());
    assert!(!keeper.keep(&snapshot(NOW + REFRESH_MS)).unwrap());
    assert!(keeper.keep(&snapshot(NOW + REFRESH_MS + 1)).unwrap());
    assert!(
        read(&path)
            .sessions
            .iter()
            .all(|e| e.last_seen == NOW + REFRESH_MS + 1)
    );
}
