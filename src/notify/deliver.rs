//! Delivering a notification through the channels `[notify]` turns on: the desktop, tmux, and
//! a command of the user's. Deliveries run on a thread of their own, one after another, so a
//! slow notification service (D-Bus waits up to 25 s for a service to start) never holds up a
//! refresh.

use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, SyncSender};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::desktop;
use crate::config::Notify;
use crate::config::notify::TmuxAlert;
use crate::model::row::{Row, TmuxLocation};
use crate::model::sanitize::clean;
use crate::model::state::Status;
use crate::model::transition::{Kind, Told};
use crate::source::tmux::types::Client;

/// One notification, with what each channel needs to reach the session.
#[derive(Debug, Clone, PartialEq)]
pub struct Note {
    pub kind: Kind,
    pub session: String,
    /// The session's title, raw (sanitised where shown).
    pub title: Option<String>,
    pub status: Status,
    /// The model's last output, raw (for `done`).
    pub last_output: Option<String>,
    pub at: i64,
    pub tmux: Option<TmuxLocation>,
    /// The terminal of the session's pane (where the bell rings).
    pub tty: Option<String>,
    /// The clients attached to the session's tmux server.
    pub clients: Vec<Client>,
    /// The `[[hosts]]` machine the session is on; None for this one.
    pub host: Option<String>,
}

impl Note {
    /// The note for `told`, about `row`; `clients` are every client the snapshot saw.
    pub fn new(told: &Told, row: Option<&Row>, clients: &[Client]) -> Note {
        let session = row.and_then(|r| r.session.as_ref());
        let tmux = row.and_then(|r| r.tmux.clone());
        Note {
            host: row.and_then(|r| r.host.clone()),
            kind: told.kind,
            session: told.session.clone(),
            title: session.and_then(|s| s.title.clone()),
            status: told.status.clone(),
            last_output: session.and_then(|s| s.last_output.clone()),
            at: told.at,
            tty: row
                .and_then(|r| r.process.as_ref())
                .and_then(|p| p.info.tty.clone()),
            clients: match &tmux {
                Some(t) => clients
                    .iter()
                    .filter(|c| crate::source::tmux::same_socket(&c.socket, &t.socket))
                    .cloned()
                    .collect(),
                None => Vec::new(),
            },
            tmux,
        }
    }

    /// The event as the `command` channel gets it on its standard input. Titles and details are
    /// sanitised as for any notification: the program may well show them on a terminal.
    pub fn json(&self) -> Value {
        let t = self.tmux.as_ref();
        json!({
            "event": self.kind.as_str(),
            "session": self.session,
            "title": self.title.as_deref().map(clean),
            "state": self.status.state,
            "detail": clean(&self.status.detail),
            "pane": t.map(|t| &t.pane_id),
            "target": t.map(|t| &t.target),
            "socket": t.map(|t| &t.socket),
            "host": self.host,
            "at": self.at,
        })
    }

    /// A headline and a body, sanitised: `Fix the CI: waiting for you` / `permission: bash …`.
    pub fn text(&self) -> (String, String) {
        let name = clean(self.title.as_deref().unwrap_or(&self.session)).into_owned();
        let name = crate::model::text::cut(&name, 80).into_owned();
        let what = match self.kind {
            Kind::Waiting => "waiting for you",
            Kind::Error => "error",
            Kind::Done => "done",
        };
        let body = match self.kind {
            Kind::Done => self.last_output.as_deref().unwrap_or("finished its turn"),
            _ => &self.status.detail,
        };
        let body = crate::model::text::cut(&clean(body), 300).into_owned();
        match &self.host {
            Some(h) => (format!("{h}: {name}: {what}"), body),
            None => (format!("{name}: {what}"), body),
        }
    }
}

/// Notes waiting for the delivery thread at most; more are dropped (a slow notification service
/// must not make otop hold notes without end).
const QUEUE: usize = 64;
/// Notification commands running at once at most; a note finding them all busy skips the
/// command channel (the others still tell it).
pub const MAX_COMMANDS: usize = 4;

/// Sends notes to the delivery thread.
#[derive(Debug)]
pub struct Deliverer {
    tx: SyncSender<Note>,
}

impl Deliverer {
    /// Starts the delivery thread for the channels of `conf`.
    pub fn start(conf: Notify) -> Deliverer {
        let (tx, rx) = mpsc::sync_channel::<Note>(QUEUE);
        std::thread::spawn(move || {
            let running = Arc::new(AtomicUsize::new(0));
            for note in rx {
                deliver(&conf, &note, &running);
            }
        });
        Deliverer { tx }
    }

    pub fn send(&self, note: Note) {
        let _ = self.tx.try_send(note);
    }
}

/// Every channel `conf` turns on; a channel that fails does not stop the others (nobody is
/// there to read an error: `otop doctor` checks that the channels can work). `running` counts
/// the notification commands still running.
pub fn deliver(conf: &Notify, note: &Note, running: &Arc<AtomicUsize>) {
    let (summary, body) = note.text();
    if conf.desktop {
        let _ = desktop::show(&summary, &body);
    }
    if let Some(loc) = &note.tmux {
        let message = conf
            .tmux
            .contains(&TmuxAlert::Message)
            .then(|| format!("otop: {summary} · {body}"));
        let bell = note
            .tty
            .as_deref()
            .filter(|_| conf.tmux.contains(&TmuxAlert::Bell));
        let _ = crate::jump::tell(loc, &note.clients, message.as_deref(), bell);
    }
    if let Some((prog, args)) = conf.command.split_first() {
        let _ = run_command(prog, args, &note.json(), running);
    }
}

/// How long a notification command may run before it is killed.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

/// Runs `prog args…` without a shell, `event` on its standard input; reaped on a thread. Not
/// while [`MAX_COMMANDS`] of them run (counted in `running`).
fn run_command(
    prog: &str,
    args: &[String],
    event: &Value,
    running: &Arc<AtomicUsize>,
) -> std::io::Result<()> {
    let taken = running.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
        (n < MAX_COMMANDS).then_some(n + 1)
    });
    if taken.is_err() {
        return Err(std::io::Error::other(
            "too many notification commands running",
        ));
    }
    /// Gives the command's place back however its thread ends.
    struct Slot(Arc<AtomicUsize>);
    impl Drop for Slot {
        fn drop(&mut self) {
            self.0.fetch_sub(1, Ordering::SeqCst);
        }
    }
    let slot = Slot(running.clone());
    let mut child = Command::new(prog)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    // The other values (ids, the socket path) reach it exact, with anything a terminal would
    // act on written as `\uXXXX`, as `--json` output does.
    let text = format!(
        "{}\n",
        crate::model::sanitize::inert_json(&event.to_string())
    );
    std::thread::spawn(move || {
        let _slot = slot;
        if let Some(mut stdin) = child.stdin.take() {
            let _ = stdin.write_all(text.as_bytes());
        }
        let deadline = Instant::now() + COMMAND_TIMEOUT;
        while Instant::now() < deadline {
            if !matches!(child.try_wait(), Ok(None)) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = child.kill();
        let _ = child.wait();
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::state::State;

    fn note(kind: Kind) -> Note {
        Note {
            kind,
            session: "ses_1".into(),
            title: Some("Fix \u{1b}[31m#(evil)".into()),
            status: Status::new(State::Waiting, "permission: bash rm -rf build"),
            last_output: Some("All tests pass.".into()),
            at: 42,
            tmux: None,
            tty: None,
            clients: Vec::new(),
            host: None,
        }
    }

    #[test]
    fn a_remote_session_is_told_with_its_host() {
        let n = Note {
            host: Some("box".into()),
            ..note(Kind::Waiting)
        };
        assert_eq!(n.text().0, "box: Fix #(evil): waiting for you");
        assert_eq!(n.json()["host"], "box");
    }

    #[test]
    fn text_is_sanitised_and_says_what_happened() {
        let (head, body) = note(Kind::Waiting).text();
        assert_eq!(head, "Fix #(evil): waiting for you");
        assert_eq!(body, "permission: bash rm -rf build");
        assert_eq!(note(Kind::Done).text().1, "All tests pass.");
        let j = note(Kind::Done).json();
        assert_eq!(j["event"], "done");
        assert_eq!(j["state"], "waiting");
        assert_eq!(j["host"], Value::Null);
        assert_eq!(j["at"], 42);
    }

    #[test]
    fn a_command_gets_the_event_on_stdin_without_a_shell() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("got");
        // The program and its arguments as configured; the event reaches it on stdin only.
        let args = vec![
            "-c".to_string(),
            "cat > \"$1\"".to_string(),
            "sh".to_string(),
            out.display().to_string(),
        ];
        let running = Arc::new(AtomicUsize::new(0));
        run_command("sh", &args, &note(Kind::Waiting).json(), &running).unwrap();
        let got = (0..100).find_map(|_| {
            std::thread::sleep(Duration::from_millis(50));
            std::fs::read_to_string(&out)
                .ok()
                .filter(|s| s.ends_with('\n'))
        });
        let v: Value = serde_json::from_str(&got.unwrap()).unwrap();
        assert_eq!(v["session"], "ses_1");
        assert_eq!(v["title"], "Fix #(evil)", "sanitised, but not for tmux");
    }

    /// However many notes come at once, at most [`MAX_COMMANDS`] commands run; each gives its
    /// place back when it ends.
    #[test]
    fn notification_commands_run_a_few_at_a_time() {
        let running = Arc::new(AtomicUsize::new(0));
        let args = vec!["0.3".to_string()];
        let started = (0..MAX_COMMANDS + 5)
            .filter(|_| run_command("sleep", &args, &Value::Null, &running).is_ok())
            .count();
        assert_eq!(started, MAX_COMMANDS);
        let freed = (0..100).any(|_| {
            std::thread::sleep(Duration::from_millis(50));
            running.load(Ordering::SeqCst) == 0
        });
        assert!(freed, "the places came back");
        assert!(run_command("sleep", &["0".to_string()], &Value::Null, &running).is_ok());
    }
}
