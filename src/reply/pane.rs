//! Answering without the companion plugin: the keys a person would press, sent to the pane
//! opencode's TUI runs in, and only after the pane has been read and shows the dialog of that
//! very request (its command, or its question and options). Only on opencode versions the
//! end-to-end suite has driven this way ([`PROVEN`]); others are refused, naming them.

use std::time::{Duration, Instant};

use crate::error::Error;
use crate::model::request::{Answer, Ask, Request};
use crate::model::row::{Row, TmuxLocation};
use crate::model::sanitize::clean;
use crate::source::dialog::{self, Dialog, squeezed};
use crate::source::process::version;
use crate::source::tmux;

/// opencode versions whose dialogs the end-to-end suite answered through the pane.
pub const PROVEN: &[&str] = &["1.18.33"];

/// How long a step waits for the TUI to draw what a key changed.
const DRAWN: Duration = Duration::from_secs(3);
/// How long opencode may take to show the request answered.
const TAKEN: Duration = Duration::from_secs(8);
const POLL: Duration = Duration::from_millis(100);

/// A pane checked to show the dialog of a request, ready for the keys of an answer.
pub struct Ready {
    loc: TmuxLocation,
    dialog: Dialog,
}

/// Checks that `request` of `row` can be answered in its pane now: a proven opencode, a
/// supported request, the session's terminal, and its dialog on screen. Nothing is sent.
pub fn prepare(row: &Row, request: &Request) -> Result<Ready, Error> {
    let refuse = |why: String| Err(Error::Refused(why));
    let process = row.process.as_ref().map(|p| &p.info);
    let pid = process.map_or(0, |p| p.pid);
    let running = process
        .and_then(|p| p.exe.as_deref())
        .and_then(version::from_package);
    if !running.as_deref().is_some_and(|v| PROVEN.contains(&v)) {
        let which = match &running {
            Some(v) => format!("pid {pid} runs opencode {}", clean(v)),
            None => format!("otop cannot tell which opencode version pid {pid} runs"),
        };
        return refuse(format!(
            "{which}; answering through its pane is proven on opencode {} only: install the \
             companion plugin (otop plugin install) and restart the session to answer it exactly",
            PROVEN.join(", ")
        ));
    }
    let Some(loc) = &row.tmux else {
        return refuse(format!(
            "pid {pid} is not in a tmux pane, and without the companion plugin otop answers \
             only by typing into the pane"
        ));
    };
    supported(request)?;
    same_terminal(loc, process.and_then(|p| p.tty.as_deref()))?;
    let Some(dialog) = read(loc)?.filter(|d| shows(d, request)) else {
        return refuse(format!(
            "pane {} does not show the dialog of this request ({}): no keys sent",
            clean(&loc.pane_id),
            clean(&request.summary())
        ));
    };
    Ok(Ready {
        loc: loc.clone(),
        dialog,
    })
}

impl Ready {
    /// Types `answer` into the pane; `fresh` reads the row again, to see opencode take it.
    pub fn send(
        self,
        request: &Request,
        answer: &Answer,
        fresh: &mut dyn FnMut() -> Option<Row>,
    ) -> Result<String, Error> {
        let loc = &self.loc;
        match answer {
            Answer::Once | Answer::Always | Answer::Reject => {
                permission(loc, request, &self.dialog, answer)?
            }
            Answer::Option(n) => keys(loc, &[&n.to_string()])?,
            Answer::Text(text) => typed(loc, request, text)?,
        }
        confirm(request, fresh)
    }
}

/// Which requests the pane can be trusted with: a bash permission (its dialog shows the
/// command) and one single-choice question of at most nine options (each has a digit).
fn supported(request: &Request) -> Result<(), Error> {
    let why = match &request.ask {
        Ask::Permission { tool, what } if tool == "bash" && !what.trim().is_empty() => {
            return Ok(());
        }
        Ask::Permission { tool, .. } => format!(
            "without the companion plugin otop answers bash permissions only, not {}",
            clean(tool)
        ),
        Ask::Question { .. } => match request.single_question() {
            Some(q) if q.options.len() < 9 => return Ok(()),
            Some(_) => "a question of nine options or more is answered in its pane".into(),
            None => "several questions at once are answered in their pane".into(),
        },
    };
    Err(Error::Refused(why))
}

/// The pane must still be the opencode process's terminal: keys go nowhere else.
fn same_terminal(loc: &TmuxLocation, tty: Option<&str>) -> Result<(), Error> {
    let Some(tty) = tty else { return Ok(()) };
    let pane_tty = tmux::run_tmux(
        Some(&loc.socket),
        &["display-message", "-p", "-t", &loc.pane_id, "#{pane_tty}"],
    )?;
    if pane_tty.trim() != tty {
        return Err(Error::Refused(format!(
            "pane {} is no longer the session's terminal ({}): no keys sent",
            clean(&loc.pane_id),
            clean(tty)
        )));
    }
    Ok(())
}

fn read(loc: &TmuxLocation) -> Result<Option<Dialog>, Error> {
    Ok(dialog::parse(&tmux::capture_pane(
        &loc.socket,
        &loc.pane_id,
    )?))
}

/// Whether `dialog` is the one `request` opens: the permission's `$ command` exactly, or the
/// question's text and options.
pub fn shows(dialog: &Dialog, request: &Request) -> bool {
    match (dialog, &request.ask) {
        (Dialog::Permission { body, .. }, Ask::Permission { what, .. }) => {
            match body.iter().position(|l| l.starts_with("$ ")) {
                Some(at) => squeezed(&body[at..].join("")) == squeezed(&format!("$ {what}")),
                None => false,
            }
        }
        (
            Dialog::Question {
                text,
                options,
                custom,
                tabs: false,
                ..
            },
            Ask::Question { .. },
        ) => request.single_question().is_some_and(|q| {
            squeezed(text) == squeezed(&q.question) && *options == q.options && *custom == q.custom
        }),
        _ => false,
    }
}

fn keys(loc: &TmuxLocation, keys: &[&str]) -> Result<(), Error> {
    let mut args = vec!["send-keys", "-t", loc.pane_id.as_str()];
    args.extend_from_slice(keys);
    tmux::run_tmux(Some(&loc.socket), &args)?;
    Ok(())
}

/// Waits for the pane to show a dialog `ok` accepts.
fn until(loc: &TmuxLocation, what: &str, ok: impl Fn(&Dialog) -> bool) -> Result<Dialog, Error> {
    let start = Instant::now();
    loop {
        if let Some(d) = read(loc)?.filter(|d| ok(d)) {
            return Ok(d);
        }
        if start.elapsed() > DRAWN {
            return Err(Error::Refused(format!(
                "the pane never showed {what}; stopped there (check the pane)"
            )));
        }
        std::thread::sleep(POLL);
    }
}

/// The dialog's selection moved to the wanted option (right, cycling), and the dialog, still
/// this request's with that option selected, checked on screen right before it is confirmed;
/// `Allow always` then confirms its patterns, and a subagent's rejection its (empty) message.
fn permission(
    loc: &TmuxLocation,
    request: &Request,
    seen: &Dialog,
    answer: &Answer,
) -> Result<(), Error> {
    let want = match answer {
        Answer::Once => 0,
        Answer::Always => 1,
        _ => 2,
    };
    let Dialog::Permission {
        selected: Some(at), ..
    } = seen
    else {
        return Err(Error::Refused(
            "cannot tell which option the pane's dialog has selected: no keys sent".into(),
        ));
    };
    let rights = vec!["Right"; (want + 3 - at) % 3];
    if !rights.is_empty() {
        keys(loc, &rights)?;
    }
    until(loc, "this request's dialog with the option selected", |d| {
        let selected = matches!(d, Dialog::Permission { selected: Some(s), .. } if *s == want);
        selected && shows(d, request)
    })?;
    keys(loc, &["Enter"])?;
    match answer {
        Answer::Always => {
            until(loc, "the confirmation of `Allow always`", |d| {
                matches!(d, Dialog::AlwaysConfirm { selected: Some(0) })
            })?;
            keys(loc, &["Enter"])
        }
        Answer::Reject => {
            std::thread::sleep(POLL * 3);
            if read(loc)? == Some(Dialog::RejectMessage) {
                keys(loc, &["Enter"])?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// The typed-answer option opened, the text typed into it and seen there, then sent.
fn typed(loc: &TmuxLocation, request: &Request, text: &str) -> Result<(), Error> {
    let n = request.single_question().map_or(0, |q| q.options.len()) + 1;
    keys(loc, &[&n.to_string()])?;
    until(loc, "the typed-answer box of this request's dialog", |d| {
        let open = matches!(
            d,
            Dialog::Question {
                typing: Some(_),
                ..
            }
        );
        open && shows(d, request)
    })?;
    tmux::run_tmux(
        Some(&loc.socket),
        &["send-keys", "-t", &loc.pane_id, "-l", text],
    )?;
    until(loc, "the typed answer in this request's dialog", |d| {
        let typed =
            matches!(d, Dialog::Question { typing: Some(t), .. } if squeezed(t) == squeezed(text));
        typed && shows(d, request)
    })?;
    keys(loc, &["Enter"])
}

/// opencode took the answer: the session no longer waits on the request.
fn confirm(request: &Request, fresh: &mut dyn FnMut() -> Option<Row>) -> Result<String, Error> {
    let start = Instant::now();
    loop {
        let now = fresh();
        let pending = now
            .as_ref()
            .and_then(|r| r.status.request.as_deref())
            .is_some_and(|r| r.id == request.id);
        if !pending {
            return Ok("through its pane".into());
        }
        if start.elapsed() > TAKEN {
            return Err(Error::Refused(format!(
                "sent the keys, but opencode still shows the request pending after {} s",
                TAKEN.as_secs()
            )));
        }
        std::thread::sleep(POLL * 2);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(ask: Ask) -> Request {
        Request {
            id: "prt_1".into(),
            session_id: "ses_1".into(),
            from_plugin: false,
            ask,
        }
    }

    fn bash(what: &str) -> Request {
        request(Ask::Permission {
            tool: "bash".into(),
            what: what.into(),
        })
    }

    fn perm(body: &[&str]) -> Dialog {
        Dialog::Permission {
            body: body.iter().map(|s| s.to_string()).collect(),
            options: Vec::new(),
            selected: Some(0),
        }
    }

    #[test]
    fn the_dialog_must_show_that_very_command() {
        let d = perm(&["# Shell command", "$ sleep 7"]);
        assert!(shows(&d, &bash("sleep 7")));
        assert!(!shows(&d, &bash("sleep 70")));
        assert!(!shows(&d, &bash("sleep")));
        // A long command wraps in the dialog.
        let d = perm(&["# Run it", "$ cargo test --work", "space -- --nocapture"]);
        assert!(shows(&d, &bash("cargo test --workspace -- --nocapture")));
    }

    #[test]
    fn the_dialog_must_ask_that_very_question() {
        let q = crate::model::request::question(&["Red", "Blue"], true);
        let d = |text: &str, options: &[&str]| Dialog::Question {
            text: text.into(),
            options: options.iter().map(|s| s.to_string()).collect(),
            custom: true,
            tabs: false,
            typing: None,
        };
        assert!(shows(&d("Which colour?", &["Red", "Blue"]), &q));
        assert!(!shows(&d("Which colour?", &["Red", "Green"]), &q));
        assert!(!shows(&d("Which size?", &["Red", "Blue"]), &q));
        assert!(!shows(&perm(&["$ sleep 1"]), &q));
    }

    #[test]
    fn only_what_the_pane_can_be_trusted_with() {
        assert!(supported(&bash("sleep 1")).is_ok());
        let edit = request(Ask::Permission {
            tool: "edit".into(),
            what: "src/a.rs".into(),
        });
        assert!(supported(&edit).is_err());
    }
}
