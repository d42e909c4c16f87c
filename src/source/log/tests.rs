use std::fs::OpenOptions;
use std::io::Write;

use super::*;
use crate::source::log::parse::parse_time;

fn append(path: &Path, text: &str) {
    let mut f = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .expect("open");
    f.write_all(text.as_bytes()).expect("write");
}

/// A fixed clock a minute after the logs written here: `refresh` would use the wall clock and
/// forget these runs once they are a day old.
const NOW: i64 = 1_795_476_495_000; // 2026-11-23T23:28:15Z

fn proc(pid: u32, started: &str, cwd: &str) -> ProcessInfo {
    ProcessInfo {
        pid,
        started_at: parse_time(started).expect("time"),
        cwd: Some(cwd.into()),
        ..ProcessInfo::default()
    }
}

fn start_line(run: &str, time: &str, dir: &str) -> String {
    format!("timestamp={time} level=INFO run={run} message=\"creating instance\" directory={dir}\n")
}

fn loop_line(run: &str, time: &str, ses: &str) -> String {
    format!("timestamp={time} level=INFO run={run} message=loop session.id={ses} step=0\n")
}

#[test]
fn appended_lines_are_read_once_even_when_split_mid_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = dir.path().join("opencode.log");
    let p = proc(10, "2026-11-23T23:27:15Z", "/w");
    let mut idx = LogIndex::new(dir.path().to_path_buf());
    let second = loop_line("aaaa0001", "2026-11-23T23:27:20.000Z", "ses_two");
    let (head, tail) = second.split_at(40);
    append(
        &log,
        &start_line("aaaa0001", "2026-11-23T23:27:16.000Z", "/w"),
    );
    append(
        &log,
        &loop_line("aaaa0001", "2026-11-23T23:27:18.000Z", "ses_one"),
    );
    append(&log, head);
    idx.refresh_at(&[&p], NOW);
    let runs = idx.runs_for(&[&p]);
    assert_eq!(
        runs.get(&10).and_then(|r| r.latest_session()),
        Some("ses_one")
    );
    append(&log, tail);
    idx.refresh_at(&[&p], NOW);
    let run = idx
        .runs_for(&[&p])
        .get(&10)
        .copied()
        .cloned()
        .expect("paired");
    assert_eq!(run.latest_session(), Some("ses_two"));
    assert_eq!(
        run.sessions.len(),
        2,
        "no half-line id such as a truncated ses_t"
    );
}

#[test]
fn truncated_log_is_read_again_from_the_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = dir.path().join("opencode.log");
    let p = proc(10, "2026-11-23T23:27:15Z", "/w");
    let mut idx = LogIndex::new(dir.path().to_path_buf());
    append(
        &log,
        &start_line("aaaa0001", "2026-11-23T23:27:16.000Z", "/w"),
    );
    append(
        &log,
        &loop_line("aaaa0001", "2026-11-23T23:27:18.000Z", "ses_old"),
    );
    idx.refresh_at(&[&p], NOW);
    // Truncated, then regrown: the new lines sit at offsets already read once.
    std::fs::write(
        &log,
        start_line("bbbb0002", "2026-11-23T23:27:17.000Z", "/w"),
    )
    .expect("w");
    idx.refresh_at(&[&p], NOW);
    append(
        &log,
        &loop_line("bbbb0002", "2026-11-23T23:27:19.000Z", "ses_new"),
    );
    idx.refresh_at(&[&p], NOW);
    // A process started just before the new run now shows the new run's session.
    let q = proc(11, "2026-11-23T23:27:17.500Z", "/w");
    let runs = idx.runs_for(&[&q]);
    assert_eq!(
        runs.get(&11).and_then(|r| r.latest_session()),
        Some("ses_new")
    );
}

#[test]
fn per_process_file_belongs_to_the_process_holding_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ui = dir.path().join("2026-11-23T232955.log");
    let worker = dir.path().join("2026-11-23T232957.log");
    std::fs::write(
        &ui,
        "INFO  2026-11-23T23:29:55 +885ms service=default version=1.15.13 args=[] opencode\n",
    )
    .expect("w");
    std::fs::write(
        &worker,
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/log/opencode-1.15.13-tui.log"
        )),
    )
    .expect("w");
    let mut p = proc(7, "2026-11-23T23:29:53Z", "/elsewhere");
    p.open_files = vec![
        ui.display().to_string(),
        worker.display().to_string(),
        dir.path().join("opencode.db").display().to_string(),
    ];
    let other = proc(8, "2026-11-23T23:29:53Z", "/elsewhere");
    let mut idx = LogIndex::new(dir.path().to_path_buf());
    idx.refresh_at(&[&p, &other], NOW);
    let runs = idx.runs_for(&[&p, &other]);
    // The worker's file (naming the session) wins over the UI thread's.
    assert_eq!(
        runs.get(&7).and_then(|r| r.latest_session()),
        Some("ses_df540e279ffeZDtwp7cpfLyTI5")
    );
    assert!(!runs.contains_key(&8));
    // Rewritten in place (smaller): read again from 0.
    std::fs::write(
        &worker,
        "INFO  2026-11-23T23:40:00 +1ms service=session.prompt session.id=ses_z step=0 loop\n",
    )
    .expect("w");
    idx.refresh_at(&[&p], NOW);
    let runs = idx.runs_for(&[&p]);
    assert_eq!(runs.get(&7).and_then(|r| r.latest_session()), Some("ses_z"));
}

#[test]
fn twins_started_two_seconds_apart_are_not_paired_by_start() {
    // Observed under load: `creating instance` ~2.8 s after the process started; which twin
    // logs first is up to the scheduler, so start order is no evidence.
    let a = proc(1, "2026-11-23T23:28:00Z", "/w/proj");
    let b = proc(2, "2026-11-23T23:28:02Z", "/w/proj/");
    let runs = [
        RunStart {
            id: "run_b",
            started_at: b.started_at + 2_800,
            directory: "/w/proj",
        },
        RunStart {
            id: "run_a",
            started_at: a.started_at + 2_800,
            directory: "/w/proj",
        },
    ];
    assert!(pair(&runs, &[&b, &a]).is_empty());
    // Further apart than a run can lag its process, each start is evidence again.
    let c = proc(3, "2026-11-23T23:28:30Z", "/w/proj");
    let runs = [
        runs[1],
        RunStart {
            id: "run_c",
            started_at: c.started_at + 2_800,
            directory: "/w/proj",
        },
    ];
    let paired = pair(&runs, &[&c, &a]);
    assert_eq!(paired.get(&1), Some(&"run_a"));
    assert_eq!(paired.get(&3), Some(&"run_c"));
}

/// Twins told apart by where each wrote: a real second process appends its run's line to the
/// shared log through a descriptor it keeps open (as opencode does), the test writes the other
/// run's lines after it. The second run starts too late for any start-time pairing.
#[test]
fn a_process_owns_the_run_of_the_line_its_latest_write_ended() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = dir.path().join("opencode.log");
    let cwd = "/w/proj";
    append(
        &log,
        &start_line("aaaa0001", "2026-11-23T23:27:16.000Z", cwd),
    );
    let theirs = start_line("bbbb0002", "2026-11-23T23:27:59.000Z", cwd);
    let mut child = std::process::Command::new("sh")
        .args([
            "-c",
            "exec 3>>\"$1\"; printf '%s' \"$2\" >&3; exec sleep 30",
            "sh",
        ])
        .arg(&log)
        .arg(&theirs)
        .spawn()
        .expect("sh");
    let written = (0..200).any(|_| {
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::read_to_string(&log).is_ok_and(|t| t.ends_with(&theirs))
    });
    append(
        &log,
        &loop_line("aaaa0001", "2026-11-23T23:28:01.000Z", "ses_a"),
    );
    let mut p = proc(child.id(), "2026-11-23T23:27:15Z", cwd);
    p.open_files = vec![log.display().to_string()];
    let mut idx = LogIndex::new(dir.path().to_path_buf());
    idx.refresh_at(&[&p], NOW);
    let run = idx.runs_for(&[&p]).get(&p.pid).map(|r| r.key.clone());
    let _ = child.kill();
    let _ = child.wait();
    assert!(written, "the child never wrote");
    assert_eq!(run, Some(RunKey::Run("bbbb0002".into())));
}

#[test]
fn runs_in_another_directory_or_too_late_are_not_paired() {
    let a = proc(1, "2026-11-23T23:28:00Z", "/w/proj");
    let runs = [
        RunStart {
            id: "other_dir",
            started_at: a.started_at + 500,
            directory: "/w/other",
        },
        RunStart {
            id: "too_late",
            started_at: a.started_at + 16_000,
            directory: "/w/proj",
        },
        RunStart {
            id: "before",
            started_at: a.started_at - 5_000,
            directory: "/w/proj",
        },
    ];
    assert!(pair(&runs, &[&a]).is_empty());
}

#[test]
fn real_shared_log_pairs_each_run_with_its_process() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("opencode.log"),
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/log/opencode-1.18.33.log"
        )),
    )
    .expect("w");
    // `opencode run` started 23:27:13 (its run 05cb82b4 at :16); the TUI at 23:28:19 (9b9743d0 at :21).
    let run = proc(100, "2026-11-23T23:27:13Z", "/tmp/logh/v118/proj");
    let tui = proc(200, "2026-11-23T23:28:19Z", "/tmp/logh/v118/proj");
    let mut idx = LogIndex::new(dir.path().to_path_buf());
    idx.refresh_at(&[&run, &tui], NOW);
    let runs = idx.runs_for(&[&run, &tui]);
    assert_eq!(
        runs.get(&100).map(|r| r.key.clone()),
        Some(RunKey::Run("05cb82b4".into()))
    );
    assert_eq!(
        runs.get(&200).and_then(|r| r.latest_session()),
        Some("ses_df5427f55ffeU5z9L3AewU8GzK")
    );
}

#[test]
fn runs_of_gone_processes_are_forgotten_after_a_day() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("opencode.log"),
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/log/opencode-1.18.33.log"
        )),
    )
    .expect("w");
    let tui = proc(200, "2026-11-23T23:28:19Z", "/tmp/logh/v118/proj");
    let mut idx = LogIndex::new(dir.path().to_path_buf());
    let later = parse_time("2026-11-25T00:00:00Z").expect("t");
    idx.refresh_at(&[&tui], later);
    assert_eq!(idx.runs.len(), 1, "only the live TUI's run is kept");
    assert!(idx.runs_for(&[&tui]).contains_key(&200));
}

#[test]
fn stream_errors_are_found_by_session_whichever_run_wrote_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = dir.path().join("opencode.log");
    // The process started 40 s before its run's first line (a loaded machine): no pairing.
    let p = proc(10, "2026-11-23T23:26:30Z", "/w");
    let mut idx = LogIndex::new(dir.path().to_path_buf());
    append(
        &log,
        &start_line("aaaa0001", "2026-11-23T23:27:16.000Z", "/w"),
    );
    let error = |t: &str, what: &str| {
        format!(
            "timestamp={t} level=ERROR run=aaaa0001 message=\"stream error\" providerID=mock \
             session.id=ses_one small=false error.error=\"AI_APICallError: {what}\"\n"
        )
    };
    append(&log, &error("2026-11-23T23:27:20.000Z", "first"));
    append(
        &log,
        &error("2026-11-23T23:27:22.000Z", "mock upstream failure"),
    );
    idx.refresh_at(&[&p], NOW);
    assert!(
        idx.runs_for(&[&p]).is_empty(),
        "the run is paired with no process"
    );
    let errors = idx.stream_errors();
    let one = errors.get("ses_one").expect("ses_one's errors");
    assert_eq!(one.times.len(), 2);
    assert_eq!(one.latest(), parse_time("2026-11-23T23:27:22.000Z"));
    assert_eq!(one.message.as_deref(), Some("mock upstream failure"));
}

#[test]
fn the_status_line_reads_stream_errors_from_the_log_s_end() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = dir.path().join("opencode.log");
    let filler = loop_line("aaaa0001", "2026-11-23T23:27:18.000Z", "ses_busy");
    let old = "timestamp=2026-11-23T23:27:19.000Z level=ERROR run=aaaa0001 message=\"stream error\" session.id=ses_old small=false error.error=\"AI_APICallError: long ago\"\n";
    let new = "timestamp=2026-11-23T23:28:19.000Z level=ERROR run=aaaa0001 message=\"stream error\" session.id=ses_new small=false error.error=\"AI_APICallError: mock upstream failure\"\n";
    append(&log, old);
    append(
        &log,
        &filler.repeat((RECENT_MAX as usize) / filler.len() + 1),
    );
    append(&log, new);
    let errors = recent_stream_errors(dir.path());
    assert_eq!(errors.keys().collect::<Vec<_>>(), ["ses_new"]);
    assert_eq!(
        errors["ses_new"].message.as_deref(),
        Some("mock upstream failure")
    );
}

/// Only whole lines count: one cut by the window's start, and one still being written.
#[test]
fn the_log_s_end_is_read_in_whole_lines() {
    let dir = tempfile::tempdir().expect("tempdir");
    let log = dir.path().join("opencode.log");
    let error = |session: &str| {
        format!(
            "timestamp=2026-11-23T23:28:19.000Z level=ERROR run=aaaa0001 message=\"stream error\" \
             session.id={session} small=false error.error=\"AI_APICallError: x\"\n"
        )
    };
    // A line the window cuts may still parse: what makes it not count is where it starts.
    let (cut, whole) = (format!("junk={}", error("ses_cut")), error("ses_whole"));
    let unfinished = error("ses_unfinished").trim_end().to_string();
    // The window starts 5 bytes into the cut line: what it holds there parses.
    let fill = RECENT_MAX as usize + 5 - cut.len() - whole.len() - unfinished.len();
    let filler = format!("{}\n", "x".repeat(fill - 1));
    for part in [&cut, &filler, &whole, &unfinished] {
        append(&log, part);
    }
    let errors = recent_stream_errors(dir.path());
    assert_eq!(errors.keys().collect::<Vec<_>>(), ["ses_whole"]);
}

/// The tail is searched chunk by chunk: a line across chunks, or longer than one, is found
/// whole; the first line (the window may begin in it) and an unfinished last one are not.
#[test]
fn stream_error_lines_are_whole_across_chunks() {
    let text = "t=1 stream error cut\n\
                a=1\n\
                t=2 x stream error across the chunk boundary\n\
                t=3 a line that says stream error twice: stream error\n\
                b=2\n\
                t=4 stream error unfinished";
    let found = |cut_first: bool, chunk: usize| {
        let mut lines = Vec::new();
        stream_error_lines(text.as_bytes(), cut_first, chunk, |l| {
            lines.push(String::from_utf8_lossy(l).into_owned())
        });
        lines
    };
    let middle = [
        "t=2 x stream error across the chunk boundary",
        "t=3 a line that says stream error twice: stream error",
    ];
    for chunk in [1, 7, 16, 64, 4096] {
        assert_eq!(found(true, chunk), middle, "chunk {chunk}");
        let mut all = vec!["t=1 stream error cut"];
        all.extend(middle);
        assert_eq!(found(false, chunk), all, "chunk {chunk}");
    }
}
