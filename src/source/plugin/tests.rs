use super::*;

const FULL: &str = r#"{"format":1,"pid":123,"started_at":1795476437055,"opencode_version":"1.18.33",
 "session_id":"ses_top","written_at":1795476437100,
 "sessions":{
  "ses_top":{"status":"retry","retry":{"attempt":3,"message":"Cannot connect to API","next":1795476440000},"updated_at":1795476437090},
  "ses_perm":{"status":"busy","permission":{"tool":"bash","pattern":"rm -rf build"}},
  "ses_q":{"status":"busy","question":{"header":"Colour"}},
  "ses_err":{"status":"idle","error":"ProviderAuthError"}}}"#;

#[test]
fn full_file_maps_every_state_a_user_sees() {
    let f = parse(FULL).expect("parses");
    assert_eq!(f.pid, 123);
    assert_eq!(f.version.as_deref(), Some("1.18.33"));
    assert_eq!(f.session_id.as_deref(), Some("ses_top"));
    let top = &f.sessions["ses_top"];
    assert_eq!(top.status.as_deref(), Some("retry"));
    assert_eq!(top.retry_attempt, Some(3));
    assert_eq!(top.retry_message.as_deref(), Some("Cannot connect to API"));
    assert_eq!(top.retry_next, Some(1_795_476_440_000));
    assert_eq!(
        f.sessions["ses_perm"].permission.as_deref(),
        Some("bash rm -rf build")
    );
    assert_eq!(f.sessions["ses_q"].question.as_deref(), Some("Colour"));
    assert_eq!(
        f.sessions["ses_err"].error.as_deref(),
        Some("ProviderAuthError")
    );
}

#[test]
fn minimal_file_and_permission_without_pattern() {
    let f =
        parse(r#"{"format":1,"pid":9,"sessions":{"ses_a":{"permission":{"tool":"webfetch"}}}}"#)
            .expect("parses");
    assert_eq!(f.started_at, None);
    assert_eq!(f.sessions["ses_a"].permission.as_deref(), Some("webfetch"));
}

#[test]
fn garbage_and_future_formats_are_errors() {
    assert!(parse("{\"format\":1,").is_err());
    assert!(parse(r#"{"pid":1}"#).is_err());
    assert!(matches!(
        parse(r#"{"format":2,"pid":1}"#),
        Err(PluginError::Format(2))
    ));
}

#[test]
fn read_dir_keeps_only_well_formed_pid_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let w = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).expect("write");
    w("123.json", FULL);
    w("124.json", "{not json");
    w("abc.json", r#"{"format":1,"pid":5}"#);
    w("125.json.tmp", r#"{"format":1,"pid":125}"#);
    w("126.json", r#"{"format":1,"pid":999}"#);
    let files = read_dir(dir.path());
    assert_eq!(files.keys().copied().collect::<Vec<_>>(), vec![123]);
    assert!(read_dir(&dir.path().join("missing")).is_empty());
}

#[test]
fn reused_pid_or_unknown_start_does_not_match() {
    let f = parse(FULL).expect("parses");
    let written = 1_795_476_437_055;
    assert!(matches_process(&f, written));
    assert!(matches_process(&f, written + 1_500));
    // A runtime's own clock starts after the process: the recorded start may lag.
    assert!(matches_process(&f, written - 2_230));
    assert!(matches_process(&f, written - 30_000));
    assert!(!matches_process(&f, written - 31_000));
    // The live process started after the file's writer: the pid was reused.
    assert!(!matches_process(&f, written + 2_500));
    assert!(!matches_process(&f, written + 60_000));
    let unknown = PluginFile {
        started_at: None,
        ..f
    };
    assert!(!matches_process(&unknown, 1_795_476_437_055));
}

#[test]
fn only_files_of_live_processes_count() {
    let file = |pid: u32, started_at: i64| PluginFile {
        pid,
        started_at: Some(started_at),
        session_id: Some(format!("ses_{pid}")),
        ..PluginFile::default()
    };
    let files: HashMap<u32, PluginFile> = [
        (10, file(10, 1_000_000)),
        // Left by a crash: no process 11 runs now.
        (11, file(11, 1_000_000)),
        // Pid 12 now belongs to a process started an hour after the file's writer.
        (12, file(12, 1_000_000)),
        (13, file(13, 1_000_000)),
    ]
    .into_iter()
    .collect();
    let running = [
        (10, 1_000_010),
        (12, 1_000_000 + 3_600_000),
        (13, 999_000),
        (14, 5),
    ];
    let live = live(&files, running);
    let mut pids: Vec<u32> = live.keys().copied().collect();
    pids.sort_unstable();
    assert_eq!(pids, vec![10, 13]);
    assert_eq!(live[&10].session_id.as_deref(), Some("ses_10"));
}

#[test]
fn request_ids_and_questions_are_read_for_answering() {
    let f = parse(
        r#"{"format":1,"pid":7,"channel":true,"sessions":{
          "ses_p":{"permission":{"id":"per_1","tool":"bash","pattern":"sleep 5"}},
          "ses_q":{"question":{"id":"que_1","header":"Colour","questions":[
            {"question":"Which colour?","header":"Colour","options":["Red","Blue"]}]}}}}"#,
    )
    .expect("parses");
    assert!(f.channel);
    assert_eq!(f.sessions["ses_p"].permission_id.as_deref(), Some("per_1"));
    let q = &f.sessions["ses_q"];
    assert_eq!(q.question_id.as_deref(), Some("que_1"));
    assert_eq!(q.questions[0].options, ["Red", "Blue"]);
    // opencode allows a typed answer unless the question says otherwise.
    assert!(q.questions[0].custom && !q.questions[0].multiple);
    // Files of plugins from before answers have neither.
    let old = parse(FULL).expect("parses");
    assert!(!old.channel && old.sessions["ses_perm"].permission_id.is_none());
}
