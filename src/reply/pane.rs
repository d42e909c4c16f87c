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
use crate::source::process::types::ProcessInfo;
use crate::source::process::{foreground, version};
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
    pane: Keys,
    dialog: Dialog,
}

/// Where keys go: the pane, and the opencode process that must be the one to read them.
pub struct Keys {
    pub loc: TmuxLocation,
    process: ProcessInfo,
}

/// Checks that `request` of `row` can be answered in its pane now: a proven opencode, a
/// supported request, the session's terminal, and its dialog on screen. Nothing is sent.
pub fn prepare(row: &Row, request: &Request) -> Result<Ready, Error> {
    let refuse = |why: String| Err(Error::Refused(why));
    let pane = Keys::of(row, "answering")?;
    let loc = &pane.loc;
    supported(request)?;
    pane.verify()?;
    let Some(dialog) = read(loc)?.filter(|d| shows(d, request)) else {
        return refuse(format!(
            "pane {} does not show the dialog of this request ({}): no keys sent",
            clean(&loc.pane_id),
            clean(&request.summary())
        ));
    };
    Ok(Ready { pane, dialog })
}

impl Keys {
    /// The pane of `row`'s process, for `doing` (`answering`, `sending a message`): refused
    /// unless the process runs a proven opencode in a tmux pane. Nothing is read or sent yet.
    pub fn of(row: &Row, doing: &'static str) -> Result<Keys, Error> {
        let refuse = |why: String| Err(Error::Refused(why));
        let process = row.process.as_ref().map(|p| &p.info);
        let pid = process.map_or(0, |p| p.pid);
        let running = process
            .and_then(|p| p.exe.as_deref())
            .and_then(version::from_package);
        if !running.as_deref().is_some_and(|v| PROVEN.contains(&v)) {
            return Err(Error::NotProven {
                pid,
                version: running.map(|v| clean(&v).into_owned()),
                proven: PROVEN,
                doing,
            });
        }
        let Some(loc) = &row.tmux else {
            return refuse(format!(
                "pid {pid} is not in a tmux pane, and without the companion plugin otop reaches \
                 it only by typing into the pane"
            ));
        };
        Ok(Keys {
            loc: loc.clone(),
            process: process.cloned().unwrap_or_default(),
        })
    }
}

impl Ready {
    /// Types `answer` into the pane; `fresh` reads the row again, to see opencode take it.
    pub fn send(
        self,
        request: &Request,
        answer: &Answer,
        fresh: &mut dyn FnMut() -> Option<Row>,
    ) -> Result<String, Error> {
        let pane = &self.pane;
        match answer {
            Answer::Once | Answer::Always | Answer::Reject => {
                permission(pane, request, &self.dialog, answer)?
            }
            Answer::Option(n) => pane.keys(&[&n.to_string()])?,
            Answer::Text(text) => typed(pane, request, text)?,
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

impl Keys {
    /// The keys would reach the session's opencode process and nothing else: the pane is still
    /// its terminal, and that terminal's foreground is opencode (not a shell, a `cat` or a pager
    /// showing the same text). Checked again right before every key sent.
    pub fn verify(&self) -> Result<(), Error> {
        let p = &self.process;
        let pane = clean(&self.loc.pane_id);
        let out = tmux::run_tmux(
            Some(&self.loc.socket),
            &[
                "display-message",
                "-p",
                "-t",
                &self.loc.pane_id,
                "#{pane_pid} #{pane_tty}",
            ],
        )?;
        let (pane_pid, pane_tty) = out.trim().split_once(' ').unwrap_or_default();
        if p.tty.as_deref().is_some_and(|tty| tty != pane_tty) {
            // What tmux said is in the message: a refusal seen once in the end-to-end suite
            // (the pane's terminal unchanged, as far as anything else showed) needs it told.
            return Err(Error::Refused(format!(
                "pane {pane} is no longer the session's terminal ({}; tmux says {:?}): no keys \
                 sent",
                clean(p.tty.as_deref().unwrap_or_default()),
                clean(out.trim())
            )));
        }
        let pane_pid = pane_pid.parse().unwrap_or(0);
        foreground::check(p.pid, p.started_at, pane_pid).map_err(|why| Error::NotAlone {
            pane: pane.into_owned(),
            why,
        })
    }

    /// Presses `keys` (tmux key names: `Enter`, `Right`, a digit).
    pub fn keys(&self, keys: &[&str]) -> Result<(), Error> {
        self.verify()?;
        let mut args = vec!["send-keys", "-t", self.loc.pane_id.as_str(), "--"];
        args.extend_from_slice(keys);
        tmux::run_tmux(Some(&self.loc.socket), &args)?;
        Ok(())
    }

    /// Types `text` as it is: after `--`, so text such as `-R` or `-t%3 x` is never read as
    /// one of send-keys' flags (reset the terminal, send to another pane).
    pub fn text(&self, text: &str) -> Result<(), Error> {
        self.verify()?;
        let args = [
            "send-keys",
            "-t",
            self.loc.pane_id.as_str(),
            "-l",
            "--",
            text,
        ];
        tmux::run_tmux(Some(&self.loc.socket), &args)?;
        Ok(())
    }
}

pub fn read(loc: &TmuxLocation) -> Result<Option<Dialog>, Error> {
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
fn permission(pane: &Keys, request: &Request, seen: &Dialog, answer: &Answer) -> Result<(), Error> {
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
        pane.keys(&rights)?;
    }
    until(
        &pane.loc,
        "this request's dialog with the option selected",
        |d| {
            let selected = matches!(d, Dialog::Permission { selected: Some(s), .. } if *s == want);
            selected && shows(d, request)
        },
    )?;
    pane.keys(&["Enter"])?;
    match answer {
        Answer::Always => {
            until(&pane.loc, "the confirmation of `Allow always`", |d| {
                matches!(d, Dialog::AlwaysConfirm { selected: Some(0) })
            })?;
            pane.keys(&["Enter"])
        }
        Answer::Reject => {
            std::thread::sleep(POLL * 3);
            if read(&pane.loc)? == Some(Dialog::RejectMessage) {
                pane.keys(&["Enter"])?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// The typed-answer option opened, the text typed into it and seen there, then sent.
fn typed(pane: &Keys, request: &Request, text: &str) -> Result<(), Error> {
    let n = request.single_question().map_or(0, |q| q.options.len()) + 1;
    pane.keys(&[&n.to_string()])?;
    until(
        &pane.loc,
        "the typed-answer box of this request's dialog",
        |d| {
            let open = matches!(
                d,
                Dialog::Question {
                    typing: Some(_),
                    ..
                }
            );
            open && shows(d, request)
        },
    )?;
    pane.text(text)?;
    until(
        &pane.loc,
        "the typed answer in this request's dialog",
        |d| {
            let typed = matches!(d, Dialog::Question { typing: Some(t), .. } if squeezed(t) == squeezed(text));
            typed && shows(d, request)
        },
    )?;
    pane.keys(&["Enter"])
}

/// opencode took the answer: its process is still the session's and says so. The request is
/// no longer pending in what the database reads for that session (its facts were read), or in
/// what the companion plugin reports for the process, when the plugin had reported it. A
/// process that ended, or a session otop could not read, is no evidence.
fn confirm(request: &Request, fresh: &mut dyn FnMut() -> Option<Row>) -> Result<String, Error> {
    let start = Instant::now();
    loop {
        let Some(row) = fresh() else {
            return Err(Error::Refused(
                "sent the keys, but the opencode process ended before it showed the answer \
                 taken: check the session"
                    .into(),
            ));
        };
        if taken(&row, request) {
            return Ok("through its pane".into());
        }
        if start.elapsed() > TAKEN {
            return Err(Error::Refused(format!(
                "sent the keys, but opencode has not shown the request answered after {} s",
                TAKEN.as_secs()
            )));
        }
        std::thread::sleep(POLL * 2);
    }
}

/// Whether `row`, read after the keys, shows `request` answered (see [`confirm`]).
fn taken(row: &Row, request: &Request) -> bool {
    let pending = row
        .status
        .request
        .as_deref()
        .is_some_and(|r| r.id == request.id);
    let said = if request.from_plugin {
        row.process.as_ref().is_some_and(|p| p.plugin)
    } else {
        row.session.is_some()
    };
    !pending && said
}

#[cfg(test)]
mod tests;
