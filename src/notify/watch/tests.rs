use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::*;

/// A plugin file; `permission`: the id of a pending permission request.
fn file(pid: u32, permission: Option<&str>) -> String {
    let session = match permission {
        Some(id) => format!(
            r#"{{"status": "busy", "permission": {{"id": "{id}", "tool": "bash", "pattern": "ls"}}}}"#
        ),
        None => r#"{"status": "busy"}"#.to_string(),
    };
    format!(r#"{{"format": 1, "pid": {pid}, "sessions": {{"ses_{pid}": {session}}}}}"#)
}

/// Writes as the plugin does: a temporary file renamed over the old one.
fn write(dir: &Path, pid: u32, permission: Option<&str>) {
    let tmp = dir.join(format!("{pid}.json.1.tmp"));
    std::fs::write(&tmp, file(pid, permission)).unwrap();
    std::fs::rename(&tmp, dir.join(format!("{pid}.json"))).unwrap();
}

fn counting() -> (Arc<AtomicUsize>, Waker) {
    let n = Arc::new(AtomicUsize::new(0));
    let m = n.clone();
    (
        n,
        Arc::new(move || {
            m.fetch_add(1, Ordering::SeqCst);
        }),
    )
}

fn wait_for(what: impl Fn() -> bool) -> bool {
    let end = Instant::now() + Duration::from_secs(5);
    while Instant::now() < end {
        if what() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    false
}

/// Issue 27: the watcher was told of otop's own reads (opens), read every file again, and so
/// told of its own reads too: a refresh reading a directory nobody writes woke it.
#[test]
fn reading_the_files_wakes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    for pid in 1..=10 {
        write(dir.path(), pid, (pid == 3).then_some("per_1"));
    }
    let (wakes, wake) = counting();
    let mut watch = PluginWatch::new(wake);
    watch.follow(&[dir.path().to_path_buf()]);
    for _ in 0..5 {
        assert_eq!(plugin::read_dir(dir.path()).len(), 10);
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(wakes.load(Ordering::SeqCst), 0);
}

#[test]
fn a_new_request_wakes_once_and_other_writes_do_not() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), 1, None);
    let (wakes, wake) = counting();
    let mut watch = PluginWatch::new(wake);
    watch.follow(&[dir.path().to_path_buf()]);
    write(dir.path(), 1, None);
    write(dir.path(), 2, None);
    write(dir.path(), 2, Some("per_1"));
    assert!(wait_for(|| wakes.load(Ordering::SeqCst) == 1));
    // The same request written again, a removal, a file that is no plugin file's: no news.
    write(dir.path(), 2, Some("per_1"));
    std::fs::remove_file(dir.path().join("1.json")).unwrap();
    std::fs::write(dir.path().join("notes.json"), file(9, Some("per_9"))).unwrap();
    // Another request of the same session is news, however soon after the first.
    write(dir.path(), 2, None);
    write(dir.path(), 2, Some("per_2"));
    assert!(wait_for(|| wakes.load(Ordering::SeqCst) == 2));
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(wakes.load(Ordering::SeqCst), 2);
}

#[test]
fn a_directory_made_later_is_watched_once_it_exists() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("otop");
    let (wakes, wake) = counting();
    let mut watch = PluginWatch::new(wake);
    watch.follow(std::slice::from_ref(&dir));
    std::fs::create_dir(&dir).unwrap();
    watch.follow(std::slice::from_ref(&dir));
    watch.follow(std::slice::from_ref(&dir));
    write(&dir, 4, Some("per_1"));
    assert!(wait_for(|| wakes.load(Ordering::SeqCst) == 1));
}

#[test]
fn dropping_the_watch_ends_its_thread() {
    let dir = tempfile::tempdir().unwrap();
    let (wakes, wake) = counting();
    let mut watch = PluginWatch::new(wake);
    watch.follow(&[dir.path().to_path_buf()]);
    drop(watch);
    // The waker is held by the thread's callback until the thread ends.
    assert!(wait_for(|| Arc::strong_count(&wakes) == 1));
}

#[test]
fn lost_events_read_the_directory_again() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), 5, Some("per_1"));
    let mut known = Known::default();
    assert!(known.apply(vec![Change::Dir(dir.path().to_path_buf())]));
    assert!(!known.apply(vec![Change::Dir(dir.path().to_path_buf())]));
    assert!(!known.apply(vec![Change::Written(dir.path().join("5.json"))]));
    assert!(!known.apply(vec![Change::Removed(dir.path().join("5.json"))]));
    assert!(known.apply(vec![Change::Written(dir.path().join("5.json"))]));
}
