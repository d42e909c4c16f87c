use super::*;
use crate::source::log::types::RunKey;

const V118: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/log/opencode-1.18.33.log"
));
const V115: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/log/opencode-1.15.13.log"
));
const V115_TUI: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/log/opencode-1.15.13-tui.log"
));
const V12: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/log/opencode-1.2.27.log"
));
const V12_RUN: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/log/opencode-1.2.27-run.log"
));

fn file_run(text: &str) -> LogRun {
    let mut run = LogRun::new(RunKey::File("x.log".into()));
    text.lines()
        .filter_map(parse_file_line)
        .for_each(|l| run.apply(&l));
    run
}

fn shared_run(text: &str, id: &str) -> LogRun {
    let mut run = LogRun::new(RunKey::Run(id.into()));
    text.lines()
        .filter_map(parse_shared_line)
        .filter(|l| l.run.as_deref() == Some(id))
        .for_each(|l| run.apply(&l));
    run
}

#[test]
fn times_are_utc_unix_ms_in_both_formats() {
    assert_eq!(
        parse_time("2026-11-23T23:27:16.132Z"),
        Some(1_795_476_436_132)
    );
    assert_eq!(parse_time("2026-11-23T23:28:57"), Some(1_795_476_537_000));
    assert_eq!(parse_time("yesterday"), None);
}

#[test]
fn quoted_values_are_unescaped() {
    let f = fields(r#"message="stream error" path="" permission="[{\"a\":1}]" x=y"#);
    assert_eq!(f[0], ("message", "stream error".to_string()));
    assert_eq!(f[1], ("path", String::new()));
    assert_eq!(f[2], ("permission", r#"[{"a":1}]"#.to_string()));
    assert_eq!(f[3], ("x", "y".to_string()));
}

#[test]
fn shared_creating_instance_starts_a_run_in_its_directory() {
    let line = parse_shared_line(
        r#"timestamp=2026-11-23T23:27:16.132Z level=INFO run=05cb82b4 message="creating instance" directory="/tmp/My Project""#,
    );
    let line = line.expect("parsed");
    assert_eq!(line.run.as_deref(), Some("05cb82b4"));
    assert_eq!(line.time, 1_795_476_436_132);
    // opencode quotes values with spaces (as it does titles).
    assert_eq!(
        line.event,
        LogEvent::RunStart {
            directory: "/tmp/My Project".into()
        }
    );
}

#[test]
fn shared_created_line_with_undefined_parent_is_top_level() {
    let line = parse_shared_line(
        r#"timestamp=2026-11-23T23:28:41.130Z level=INFO run=9b9743d0 message=created id=ses_df5427f55ffeU5z9L3AewU8GzK parentID=undefined title="New session""#,
    );
    assert_eq!(
        line.map(|l| l.event),
        Some(LogEvent::Session {
            id: "ses_df5427f55ffeU5z9L3AewU8GzK".into(),
            created: true,
            parent: None
        })
    );
    let child = parse_shared_line(
        "timestamp=2026-11-23T23:28:41.130Z level=INFO run=9b9743d0 message=created id=ses_b parentID=ses_a",
    );
    assert!(matches!(
        child.map(|l| l.event),
        Some(LogEvent::Session { parent: Some(p), .. }) if p == "ses_a"
    ));
}

#[test]
fn title_generation_errors_do_not_mark_the_session() {
    let title = r#"timestamp=2026-11-23T23:27:24.968Z level=ERROR run=05cb82b4 message="stream error" session.id=ses_x small=true agent=title"#;
    let main = r#"timestamp=2026-11-23T23:27:24.968Z level=ERROR run=05cb82b4 message="stream error" session.id=ses_x small=false agent=build"#;
    let said = r#"timestamp=2026-11-23T23:27:24.968Z level=ERROR run=05cb82b4 message="stream error" session.id=ses_x small=false error.error="AI_APICallError: mock upstream failure""#;
    assert_eq!(
        parse_shared_line(said).map(|l| l.event),
        Some(LogEvent::StreamError {
            session: "ses_x".into(),
            message: Some("mock upstream failure".into()),
        })
    );
    assert!(matches!(
        parse_shared_line(title).map(|l| l.event),
        Some(LogEvent::Session { .. })
    ));
    assert_eq!(
        parse_shared_line(main).map(|l| l.event),
        Some(LogEvent::StreamError {
            session: "ses_x".into(),
            message: None,
        })
    );
}

#[test]
fn real_1_18_log_has_four_runs_with_their_sessions_and_errors() {
    let runs: std::collections::HashSet<_> = V118
        .lines()
        .filter_map(parse_shared_line)
        .filter_map(|l| l.run)
        .collect();
    assert_eq!(runs.len(), 4);
    let run = shared_run(V118, "05cb82b4");
    assert_eq!(run.directory.as_deref(), Some("/tmp/logh/v118/proj"));
    assert_eq!(run.started_at, parse_time("2026-11-23T23:27:16.132Z"));
    assert_eq!(run.latest_session(), Some("ses_df543c7c1ffeTC7IXyJxJmeL2N"));
    assert_eq!(
        run.stream_errors
            .get("ses_df543c7c1ffeTC7IXyJxJmeL2N")
            .and_then(|e| e.latest()),
        parse_time("2026-11-23T23:27:52.937Z")
    );
    let errors = &run.stream_errors["ses_df543c7c1ffeTC7IXyJxJmeL2N"];
    // Five attempts of the main model; the title's failure (`small=true`) is not one.
    assert_eq!(errors.times.len(), 5);
    assert_eq!(
        errors.message.as_deref(),
        Some(
            "Cannot connect to API: Unable to connect. Is the computer able to access the url? \
             (cause: Error: Unable to connect. Is the computer able to access the url?)"
        )
    );
    let tui = shared_run(V118, "9b9743d0");
    assert_eq!(tui.latest_session(), Some("ses_df5427f55ffeU5z9L3AewU8GzK"));
    // The TUI's run starts before any session exists.
    let idle = shared_run(
        &V118.lines().take(53).collect::<Vec<_>>().join("\n"),
        "9b9743d0",
    );
    assert_eq!(idle.directory.as_deref(), Some("/tmp/logh/v118/proj"));
    assert_eq!(idle.latest_session(), None);
}

#[test]
fn real_1_15_run_prefers_the_parent_over_its_subagent() {
    let run = file_run(V115);
    assert_eq!(run.directory.as_deref(), Some("/tmp/logh/s115/proj"));
    assert!(run.children.contains("ses_df5400d98ffeTTO4Gu0qmsBIR3"));
    assert!(run.sessions.contains_key("ses_df5400d98ffeTTO4Gu0qmsBIR3"));
    // The child's lines come last, yet the process's own session is the parent.
    assert_eq!(run.latest_session(), Some("ses_df5401e18ffe2Ld1f8ElAC2M7O"));
}

#[test]
fn real_1_15_tui_stream_error_is_seen_on_a_32k_line() {
    let run = file_run(V115_TUI);
    assert_eq!(run.latest_session(), Some("ses_df540e279ffeZDtwp7cpfLyTI5"));
    assert!(
        run.stream_errors
            .contains_key("ses_df540e279ffeZDtwp7cpfLyTI5")
    );
}

#[test]
fn real_1_2_tui_names_sessions_with_session_id_and_paths() {
    let run = file_run(V12);
    assert_eq!(run.directory.as_deref(), Some("/tmp/logh/v12/proj"));
    assert_eq!(run.latest_session(), Some("ses_df54093edffeSvW2AZTXCSJKLR"));
    assert!(
        run.stream_errors
            .contains_key("ses_df54093edffeSvW2AZTXCSJKLR")
    );
    let from_path = parse_file_line(
        "INFO  2026-11-23T23:30:47 +0ms service=server method=GET path=/session/ses_q/todo request",
    );
    assert!(matches!(
        from_path.map(|l| l.event),
        Some(LogEvent::Session { id, created: false, .. }) if id == "ses_q"
    ));
}

#[test]
fn multi_line_values_are_skipped_not_misread() {
    // `service=bun` lines carry bun's stdout with newlines in them.
    assert_eq!(parse_file_line("3 packages installed [274.00ms]"), None);
    assert_eq!(parse_file_line(" stderr=Resolving dependencies"), None);
    let run = file_run(V12_RUN);
    assert_eq!(run.started_at, parse_time("2026-11-23T23:28:57"));
    assert_eq!(run.directory.as_deref(), Some("/tmp/logh/v12/proj"));
    assert_eq!(run.latest_session(), Some("ses_df5423ae6ffedB29FYKbKw6s2X"));
}

#[test]
fn file_directory_with_spaces_is_kept_whole() {
    let line = parse_file_line(
        "INFO  2026-11-23T23:28:57 +3ms service=default directory=/home/a/My Project creating instance",
    );
    assert_eq!(
        line.map(|l| l.event),
        Some(LogEvent::RunStart {
            directory: "/home/a/My Project".into()
        })
    );
}
