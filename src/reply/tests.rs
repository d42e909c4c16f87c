use super::*;
use crate::error::answer::{ChannelError, Misfit};
use crate::model::state::{MatchRule, State, Status};

fn row(request: Option<&str>) -> Row {
    let status =
        Status::new(State::Waiting, "permission: bash sleep 5").with_request(request.map(|id| {
            Request {
                id: id.into(),
                session_id: "ses_1".into(),
                from_plugin: false,
                ask: Ask::Permission {
                    tool: "bash".into(),
                    what: "sleep 5".into(),
                },
            }
        }));
    Row::tui(42, "ses_1", status)
}

fn give_to(order: &Order, now: Vec<Row>) -> Result<String, Error> {
    let env = Env::default();
    give(order, &env, 0, &mut || now.clone())
}

#[test]
fn an_answer_to_a_request_no_longer_pending_is_refused_not_sent() {
    let shown = row(Some("prt_1"));
    let order = Order::to_shown(&shown, Answer::Once).expect("an order");
    // Answered meanwhile: the session works.
    let mut working = row(None);
    working.status = Status::new(State::Working, "tool:bash");
    let why = give_to(&order, vec![working]).expect_err("refused");
    assert!(
        matches!(&why, Error::NotPending { request, session, now: None }
            if request == "prt_1" && session == "ses_1"),
        "{why:?}"
    );
    assert_eq!(
        why.to_string(),
        "request prt_1 of ses_1 is no longer pending"
    );
    // Another request is open now: it is not the one the user answered.
    let why = give_to(&order, vec![row(Some("prt_2"))]).expect_err("refused");
    assert!(
        matches!(&why, Error::NotPending { request, now: Some(now), .. }
            if request == "prt_1" && now == "bash sleep 5"),
        "{why:?}"
    );
    assert_eq!(
        why.to_string(),
        "request prt_1 of ses_1 is no longer pending (it now asks bash sleep 5)"
    );
    let why = give_to(&order, vec![]).expect_err("refused").to_string();
    assert_eq!(why, "ses_1 is no longer running");
}

#[test]
fn an_answer_that_does_not_fit_is_refused() {
    let order = Order {
        row: row(Some("prt_1")),
        request: None,
        answer: Answer::Option(1),
    };
    let why = give_to(&order, vec![row(Some("prt_1"))]).expect_err("refused");
    assert!(
        matches!(&why, Error::Misfit { session, why: Misfit::Permission { tool } }
            if session == "ses_1" && tool == "bash"),
        "{why:?}"
    );
    assert_eq!(
        why.to_string(),
        "ses_1: it asks permission for bash: answer once, always or reject"
    );
}

#[test]
fn without_the_plugin_an_unproven_opencode_is_refused_naming_the_proven_versions() {
    let order = Order::to_shown(&row(Some("prt_1")), Answer::Once).expect("an order");
    let why = give_to(&order, vec![row(Some("prt_1"))]).expect_err("refused");
    assert!(
        matches!(
            &why,
            Error::NotProven {
                pid: 42,
                version: None,
                proven: pane::PROVEN,
                doing: "answering",
            }
        ),
        "{why:?}"
    );
    assert_eq!(
        why.to_string(),
        "otop cannot tell which opencode version pid 42 runs; answering through its pane is \
         proven on opencode 1.18.33 only: install the companion plugin (otop plugin install) \
         and restart the session to reach it exactly"
    );
    // A version it can tell, not a proven one, is named.
    let mut other = row(Some("prt_1"));
    let dir = tempfile::tempdir().expect("tempdir");
    let exe = package(dir.path(), "0.9.1");
    if let Some(p) = other.process.as_mut() {
        p.info.exe = Some(exe.clone());
    }
    let why = give_to(&order, vec![other]).expect_err("refused");
    assert!(
        matches!(&why, Error::NotProven { pid: 42, version: Some(v), .. } if v == "0.9.1"),
        "{why:?}"
    );
    assert!(
        why.to_string().starts_with("pid 42 runs opencode 0.9.1; "),
        "{why}"
    );
}

#[test]
fn the_plugin_is_told_the_request_and_the_answer() {
    let q = Request {
        id: "que_1".into(),
        session_id: "ses_1".into(),
        from_plugin: true,
        ask: Ask::Question { questions: vec![] },
    };
    assert_eq!(
        message(&q, &Answer::Option(2)),
        json!({"op": "question", "session": "ses_1", "request": "que_1", "option": 2})
    );
    let p = Request {
        ask: Ask::Permission {
            tool: "bash".into(),
            what: "x".into(),
        },
        ..q
    };
    assert_eq!(message(&p, &Answer::Reject)["reply"], "reject");
}

/// Twins in one directory, the waiting one tied to its session by a guess: typing into it
/// could answer the other's session, so nothing is typed; evidence (here the log) lifts that.
#[test]
fn an_answer_to_a_twin_matched_by_a_guess_is_refused() {
    let at = |pid: u32, rule: MatchRule| {
        let mut r = row(Some("prt_1"));
        if let Some(p) = r.process.as_mut() {
            p.info.pid = pid;
            p.info.cwd = Some("/w/proj".into());
        }
        r.matched = Some(rule);
        r
    };
    let mut twin = at(43, MatchRule::Activity);
    twin.session = None;
    twin.status = Status::new(State::Idle, "no session");
    let guessed = at(42, MatchRule::Directory);
    let order = Order::to_shown(&guessed, Answer::Once).expect("an order");
    let why = give_to(&order, vec![guessed.clone(), twin.clone()])
        .expect_err("refused")
        .to_string();
    assert!(
        why.contains("pid 42 runs this session by a guess (directory) and 1 other opencode process runs in /w/proj"),
        "{why}"
    );
    let known = at(42, MatchRule::Log);
    let why = give_to(&order, vec![known, twin])
        .expect_err("refused further on")
        .to_string();
    assert!(!why.contains("by a guess"), "{why}");
    let why = give_to(&order, vec![guessed])
        .expect_err("refused further on")
        .to_string();
    assert!(!why.contains("by a guess"), "no twin: {why}");
}

/// An opencode executable in an npm package of `version`, under `dir`.
fn package(dir: &std::path::Path, version: &str) -> String {
    let pkg = dir.join("opencode-ai");
    std::fs::create_dir_all(pkg.join("bin")).expect("mkdir");
    std::fs::write(
        pkg.join("package.json"),
        format!(r#"{{"name":"opencode-ai","version":"{version}"}}"#),
    )
    .expect("write");
    pkg.join("bin/opencode.exe").display().to_string()
}

/// A row whose request the plugin reported, its channel at `<data>/opencode/otop/reply/42.sock`
/// (its directory made with `mode`), and where that socket goes.
fn plugin_row(data: &std::path::Path, mode: u32) -> (Row, std::path::PathBuf) {
    use std::os::unix::fs::PermissionsExt;
    let mut r = row(Some("prt_1"));
    if let Some(req) = r.status.request.as_mut() {
        req.from_plugin = true;
    }
    let dir = data.join("opencode/otop/reply");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(mode)).expect("chmod");
    (r, dir.join("42.sock"))
}

fn plugin_env(data: &std::path::Path) -> Env {
    Env {
        xdg_data_home: Some(data.display().to_string()),
        ..Env::default()
    }
}

#[test]
fn a_channel_others_could_reach_is_refused_as_the_channel() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (r, socket) = plugin_row(tmp.path(), 0o755);
    let _listener = std::os::unix::net::UnixListener::bind(&socket).expect("bind");
    let order = Order::to_shown(&r, Answer::Once).expect("an order");
    let why =
        give(&order, &plugin_env(tmp.path()), 0, &mut || vec![r.clone()]).expect_err("refused");
    assert!(
        matches!(
            &why,
            Error::Channel {
                what: "the companion plugin's channel",
                why: ChannelError::Open { mode: 0o755, .. }
            }
        ),
        "{why:?}"
    );
}

/// The plugin answered "no longer pending": the request was answered or withdrawn between
/// otop's read and the plugin, which is the same kind as otop finding it so.
#[test]
fn the_plugin_finding_the_request_gone_is_a_request_no_longer_pending() {
    use std::io::{BufRead, Write};
    let tmp = tempfile::tempdir().expect("tempdir");
    let (r, socket) = plugin_row(tmp.path(), 0o700);
    let listener = std::os::unix::net::UnixListener::bind(&socket).expect("bind");
    let plugin = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().expect("accept");
        let mut line = String::new();
        std::io::BufReader::new(&conn)
            .read_line(&mut line)
            .expect("read");
        writeln!(conn, r#"{{"ok":false,"error":"no longer pending"}}"#).expect("write");
        line
    });
    let order = Order::to_shown(&r, Answer::Once).expect("an order");
    let why =
        give(&order, &plugin_env(tmp.path()), 0, &mut || vec![r.clone()]).expect_err("refused");
    let asked = plugin.join().expect("plugin");
    assert!(asked.contains(r#""request":"prt_1""#), "{asked}");
    assert!(
        matches!(&why, Error::NotPending { request, now: None, .. } if request == "prt_1"),
        "{why:?}"
    );
}

/// This machine's collector answers through [`Local`], which reads the rows again through the
/// source it wraps: a session answered meanwhile is refused, not typed into.
#[test]
fn local_answers_after_reading_the_rows_again_through_its_source() {
    struct Rows(Vec<Row>, usize);
    impl Source for Rows {
        fn collect(&mut self, _: &Focus, now: i64) -> Snapshot {
            self.1 += 1;
            Snapshot {
                taken_at: now,
                rows: self.0.clone(),
                ..Snapshot::default()
            }
        }
    }
    let order = Order::to_shown(&row(Some("prt_1")), Answer::Once).expect("an order");
    let mut working = row(None);
    working.status = Status::new(State::Working, "tool:bash");
    let mut local = Local::new(Rows(vec![working], 0), Env::default());
    let why = local.answer(&order, 0).expect_err("refused");
    assert!(matches!(why, Error::NotPending { .. }), "{why:?}");
    assert_eq!(local.inner.1, 1, "read once, right before answering");
}
