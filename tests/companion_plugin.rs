//! The companion plugin's JavaScript, run under node with a scripted event stream: the file it
//! writes must say what otop needs, through otop's own reader, and vanish when the process exits.

#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;

use otop::error::answer::ChannelError;
use otop::source::plugin;

const DRIVER: &str = r#"
import { existsSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"
const { OtopCompanion } = await import(process.argv[2])
const hooks = await OtopCompanion({ client: undefined })
const ev = (type, properties) => hooks.event({ event: { type, properties } })
const file = join(process.env.XDG_DATA_HOME, "opencode", "otop", `${process.pid}.json`)
const settle = async (after) => {
  for (let i = 0; i < 200; i++) {
    if (existsSync(file) && statSync(file).mtimeMs >= after) {
      const text = readFileSync(file, "utf8")
      if (JSON.parse(text).written_at >= after) return text
    }
    await new Promise((r) => setTimeout(r, 10))
  }
  throw new Error("no write")
}
let t = Date.now()
await ev("session.created", { info: { id: "ses_top" } })
await ev("message.updated", { info: { id: "msg_1", sessionID: "ses_top", role: "user" } })
await ev("session.status", { sessionID: "ses_top", status: { type: "busy" } })
await ev("session.created", { info: { id: "ses_child", parentID: "ses_top" } })
await ev("session.status", { sessionID: "ses_child", status: { type: "busy" } })
await ev("message.updated", { info: { id: "msg_2", sessionID: "ses_child", role: "user" } })
await ev("permission.asked", { id: "per_1", sessionID: "ses_top", permission: "bash", patterns: ["rm -rf build"] })
await ev("question.asked", { id: "que_1", sessionID: "ses_child", questions: [{ header: "Colour", question: "Which?" }] })
await ev("session.status", { sessionID: "ses_other", status: { type: "retry", attempt: 3, message: "rate limited", next: Date.now() + 12000 } })
await ev("unknown.event", {})
console.log(await settle(t))
t = Date.now() + 1
await new Promise((r) => setTimeout(r, 5))
await ev("permission.replied", { sessionID: "ses_top", requestID: "per_1", reply: "once" })
await ev("question.rejected", { sessionID: "ses_child", requestID: "que_1" })
await ev("session.idle", { sessionID: "ses_top" })
console.log(await settle(t))
// opencode 1.18 ends a TUI's plugins through `dispose` (their worker never sees "exit"); no
// event after it writes the file again.
hooks.dispose()
await ev("session.status", { sessionID: "ses_top", status: { type: "busy" } })
await new Promise((r) => setTimeout(r, 400))
console.log(JSON.stringify({ after_dispose: existsSync(file) }))
"#;

/// Runs [`DRIVER`] on the plugin with `XDG_DATA_HOME=data`.
fn run_driver(data: &Path) -> std::process::Output {
    let driver = data.join("driver.mjs");
    std::fs::write(&driver, DRIVER).unwrap();
    let plugin_js = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/companion/otop.js");
    Command::new("node")
        .arg(&driver)
        .arg(plugin_js)
        .env("XDG_DATA_HOME", data)
        .output()
        .unwrap()
}

/// Whether node runs here (it must in CI).
fn have_node() -> bool {
    if Command::new("node").arg("--version").output().is_ok() {
        return true;
    }
    assert!(std::env::var_os("CI").is_none(), "node is required in CI");
    eprintln!("skipping: node is not installed");
    false
}

#[test]
fn the_plugin_reports_mapping_and_live_state_and_cleans_up() {
    if !have_node() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    // Left by a process that is gone (no pid is this large): the plugin sweeps it away.
    let otop_dir = tmp.path().join("opencode/otop");
    std::fs::create_dir_all(&otop_dir).unwrap();
    std::fs::write(
        otop_dir.join("999999999.json"),
        r#"{"format":1,"pid":999999999}"#,
    )
    .unwrap();
    let out = run_driver(tmp.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let mut lines = stdout.lines();
    let busy = plugin::parse(lines.next().unwrap()).unwrap();
    let done = plugin::parse(lines.next().unwrap()).unwrap();
    assert_eq!(lines.next(), Some(r#"{"after_dispose":false}"#));

    // The subagent's events never replace the process's own session.
    assert_eq!(busy.session_id.as_deref(), Some("ses_top"));
    let top = &busy.sessions["ses_top"];
    assert_eq!(top.status.as_deref(), Some("busy"));
    assert_eq!(top.permission.as_deref(), Some("bash rm -rf build"));
    assert_eq!(
        busy.sessions["ses_child"].question.as_deref(),
        Some("Colour")
    );
    let retry = &busy.sessions["ses_other"];
    assert_eq!(
        (retry.status.as_deref(), retry.retry_attempt),
        (Some("retry"), Some(3))
    );
    assert_eq!(retry.retry_message.as_deref(), Some("rate limited"));
    assert!(busy.started_at.is_some());

    // Answered and idle: nothing pending any more.
    let top = &done.sessions["ses_top"];
    assert_eq!(top.status.as_deref(), Some("idle"));
    assert_eq!(top.permission, None);
    assert_eq!(done.sessions["ses_child"].question, None);

    // Disposed and exited: its own file and socket are gone, and so is the dead process's
    // file; the answer channel's directory stays for the other processes.
    let left: Vec<_> = std::fs::read_dir(tmp.path().join("opencode/otop"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .filter(|n| n != "reply")
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
    let sockets = std::fs::read_dir(tmp.path().join("opencode/otop/reply")).unwrap();
    assert_eq!(sockets.count(), 0);
}

/// A plugin with a stand-in for opencode's client: a reply is taken (the server publishes the
/// replied event after answering, as opencode does) unless its id is unknown (404).
const CHANNEL_DRIVER: &str = r#"
import { createInterface } from "node:readline"
const { OtopCompanion } = await import(process.argv[2])
const posts = []
let hooks
const client = { _client: { post: async ({ url, path, body }) => {
  posts.push({ url, id: path.requestID, body })
  if (path.requestID === "per_gone") return { error: { message: "Permission request not found" } }
  const type = url.startsWith("/permission") ? "permission.replied" : "question.replied"
  setTimeout(() => hooks.event({ event: { type, properties: { sessionID: "ses_1", requestID: path.requestID } } }), 20)
  return { data: true }
} } }
hooks = await OtopCompanion({ client })
const ev = (type, properties) => hooks.event({ event: { type, properties } })
await ev("permission.asked", { id: "per_1", sessionID: "ses_1", permission: "bash", patterns: ["sleep 5"] })
await ev("permission.asked", { id: "per_gone", sessionID: "ses_1", permission: "bash", patterns: ["ls"] })
await ev("question.asked", { id: "que_1", sessionID: "ses_1", questions: [{ question: "Which colour?", header: "Colour", options: [{ label: "Red" }, { label: "Blue" }] }] })
await new Promise((r) => setTimeout(r, 300))
console.log("ready")
for await (const _ of createInterface({ input: process.stdin })) {}
console.log(JSON.stringify(posts))
hooks.dispose()
"#;

#[test]
fn the_plugin_answers_on_its_channel_only_what_is_pending_once() {
    use otop::reply::channel;
    use serde_json::json;
    use std::io::{BufRead, BufReader, Write};
    use std::os::unix::fs::PermissionsExt;
    use std::process::Stdio;

    if !have_node() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let driver = tmp.path().join("channel.mjs");
    std::fs::write(&driver, CHANNEL_DRIVER).unwrap();
    let plugin_js = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/companion/otop.js");
    let mut child = Command::new("node")
        .arg(&driver)
        .arg(plugin_js)
        .env("XDG_DATA_HOME", tmp.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    assert_eq!(line.trim(), "ready");

    let dir = tmp.path().join("opencode/otop/reply");
    let socket = dir.join(format!("{}.sock", child.id()));
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700, "only this user may enter");
    assert_eq!(mode(&socket), 0o600);
    let file = plugin::parse(
        &std::fs::read_to_string(
            tmp.path()
                .join(format!("opencode/otop/{}.json", child.id())),
        )
        .unwrap(),
    )
    .unwrap();
    assert!(file.channel);
    assert_eq!(
        file.sessions["ses_1"].permission_id.as_deref(),
        Some("per_1")
    );
    assert_eq!(file.sessions["ses_1"].questions[0].options, ["Red", "Blue"]);

    let ask = |req: serde_json::Value| channel::outcome(&channel::ask(&socket, &req).unwrap());
    let perm =
        |id: &str| json!({"op": "permission", "session": "ses_1", "request": id, "reply": "once"});
    let not_pending = |r: Result<(), ChannelError>| matches!(r, Err(ChannelError::NotPending));
    let refused = |r: Result<(), ChannelError>| match r {
        Err(ChannelError::Plugin(why)) => why,
        other => panic!("not the plugin's refusal: {other:?}"),
    };
    assert!(ask(json!({"op": "ping"})).is_ok());
    assert!(ask(perm("per_1")).is_ok());
    assert!(not_pending(ask(perm("per_1"))));
    assert!(not_pending(ask(perm("per_never"))));
    let gone = refused(ask(perm("per_gone")));
    assert!(gone.starts_with("opencode refused it: "), "{gone}");
    let q = |extra: serde_json::Value| {
        let mut r = json!({"op": "question", "session": "ses_1", "request": "que_1"});
        r.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        ask(r)
    };
    assert_eq!(refused(q(json!({"option": 3}))), "no option 3");
    assert!(q(json!({"text": "Teal"})).is_ok());
    assert!(not_pending(q(json!({"option": 1}))));
    // Another session's request is not this one's.
    assert!(not_pending(ask(
        json!({"op": "question", "session": "ses_2", "request": "que_1", "option": 1})
    )));

    drop(child.stdin.take());
    line.clear();
    out.read_line(&mut line).unwrap();
    let posts: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(
        posts,
        json!([
            {"url": "/permission/{requestID}/reply", "id": "per_1", "body": {"reply": "once"}},
            {"url": "/permission/{requestID}/reply", "id": "per_gone", "body": {"reply": "once"}},
            {"url": "/question/{requestID}/reply", "id": "que_1", "body": {"answers": [["Teal"]]}},
        ]),
        "exactly the answers that were pending reached opencode"
    );
    assert!(child.wait().unwrap().success());
    assert!(!socket.exists(), "the socket is removed on dispose");
    let _ = std::io::stdout().flush();
}

/// The plugin's directory is used only if it is a real directory of the user's: a symlink
/// planted in its place (to a directory another user reads, say) gets nothing written
/// through it, and the plugin's own files are 0600.
#[test]
fn the_plugin_writes_only_into_a_private_directory_of_its_own() {
    if !have_node() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let elsewhere = tmp.path().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::fs::create_dir_all(tmp.path().join("opencode")).unwrap();
    std::os::unix::fs::symlink(&elsewhere, tmp.path().join("opencode/otop")).unwrap();
    let out = run_driver(tmp.path());
    assert!(!out.status.success(), "the driver saw a write");
    let written: Vec<_> = std::fs::read_dir(&elsewhere).unwrap().flatten().collect();
    assert!(
        written.is_empty(),
        "written through the symlink: {written:?}"
    );
}
