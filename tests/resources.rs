//! Resource bounds of a long-running collector: no thread or file-descriptor leak across many
//! refreshes, and (in the ignored soak run) bounded memory with process churn.
//! One test per binary: other tests' threads and descriptors would blur the counts.

#![allow(clippy::unwrap_used)]

mod support;

use std::process::Command;
use std::time::{Duration, Instant};

use otop::collect::{Collector, CollectorOptions, Focus, Source};
use otop::paths::Env;
use otop::testkit::fixture::{Fixture, Schema, SessionSpec};
use support::StandIns;

fn count(dir: &str) -> usize {
    std::fs::read_dir(dir).map_or(0, |d| d.count())
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// A collector on a database with a live stand-in (and a focused session, so history is read)
/// while stand-ins come and go; returns (refreshes, rss at start, rss at end).
fn run(refreshes: Option<usize>, for_time: Duration) -> (usize, u64, u64, usize, usize) {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("opencode.db");
    let mut fx = Fixture::create(&db, Schema::Current).unwrap();
    let t = chrono::Utc::now().timestamp_millis();
    let sid = fx
        .session(SessionSpec {
            id: "ses_r".into(),
            title: "resources".into(),
            directory: "/src".into(),
            created: t,
            ..SessionSpec::default()
        })
        .unwrap();
    fx.user_message(&sid, t).unwrap();
    let standins = StandIns::new();
    let _oc = standins.spawn_session("ses_r", tmp.path(), &[]);
    let churn_bin = standins.dir.path().join("sleep/opencode");
    let mut churn = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "while :; do for i in 1 2 3 4 5; do '{}' 0.05 & done; wait; done",
            churn_bin.display()
        ))
        .spawn()
        .unwrap();
    let opts = CollectorOptions {
        db: Some(db.clone()),
        totals: true,
        logs: true,
        tmux: true,
        ..CollectorOptions::default()
    };
    let mut c = Collector::new(opts, Env::default());
    let focus = Focus {
        session_id: Some("ses_r".into()),
        pane: None,
    };
    let mut i = 0;
    // Warm up: connections opened, caches filled, lazily started threads running.
    for _ in 0..3 {
        c.collect(&focus, chrono::Utc::now().timestamp_millis());
    }
    let (fds, threads, rss0) = (count("/proc/self/fd"), count("/proc/self/task"), rss_kib());
    let start = Instant::now();
    while refreshes.is_some_and(|n| i < n) || (refreshes.is_none() && start.elapsed() < for_time) {
        let snap = c.collect(&focus, chrono::Utc::now().timestamp_millis());
        assert_eq!(snap.db_error, None);
        fx.user_message(&sid, chrono::Utc::now().timestamp_millis())
            .unwrap();
        i += 1;
    }
    let fd_growth = count("/proc/self/fd").saturating_sub(fds);
    let thread_growth = count("/proc/self/task").saturating_sub(threads);
    let _ = churn.kill();
    let _ = churn.wait();
    (i, rss0, rss_kib(), fd_growth, thread_growth)
}

#[test]
fn no_thread_or_descriptor_leak_across_refreshes() {
    let (n, rss0, rss1, fds, threads) = run(Some(60), Duration::ZERO);
    assert_eq!(n, 60);
    assert_eq!(fds, 0, "file descriptors leaked over {n} refreshes");
    assert_eq!(threads, 0, "threads leaked over {n} refreshes");
    // Loose: a leak of even a few KiB per refresh over a long run shows in the soak run below.
    assert!(rss1 < rss0 + 32 * 1024, "RSS {rss0} KiB -> {rss1} KiB");
}

/// `OTOP_SOAK_SECS=600 cargo test --release --test resources -- --ignored --nocapture`
#[test]
#[ignore = "a long soak run, for release notes"]
fn soak_memory_stays_bounded() {
    let secs = std::env::var("OTOP_SOAK_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let (n, rss0, rss1, fds, threads) = run(None, Duration::from_secs(secs));
    println!(
        "soak: {n} refreshes in {secs} s; RSS {rss0} KiB -> {rss1} KiB; fd +{fds}, threads +{threads}"
    );
    assert!(rss1 < rss0 * 2 + 16 * 1024, "RSS {rss0} KiB -> {rss1} KiB");
}
