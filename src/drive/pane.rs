//! Driving a session without the companion plugin: the keys a person would press, sent to the
//! pane of the session's TUI, and only after the pane was read and shows what the act needs:
//! an empty prompt box for a message, a running turn for an interrupt. The pane's process is
//! checked before every key as answers check it ([`Keys`]), on the opencode versions where
//! this was proven (those of answers, [`PROVEN`]).
//!
//! What opencode 1.18.33 does, seen in its pane: a message submitted while a turn runs is
//! stored as the session's next user message at once and taken up when the running turn
//! ends (it neither interrupts it nor is lost). `esc` while a turn runs shows `esc again to
//! interrupt`; a second `esc` aborts the turn.

use std::time::{Duration, Instant};

use super::{Act, taken};
use crate::error::Error;
use crate::model::row::Row;
use crate::model::sanitize::clean;
use crate::paths::Env;
use crate::reply::pane::Keys;
use crate::source::dialog::prompt::{self, Prompt};
use crate::source::dialog::{self, squeezed};
use crate::source::tmux;

pub use crate::reply::pane::PROVEN;

/// How long a step waits for the TUI to draw what a key changed.
const DRAWN: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(50);

/// A pane checked to show what an act needs, ready for its keys.
pub struct Ready {
    keys: Keys,
}

/// Checks that `act` can be typed into `row`'s pane now: a proven opencode in the foreground of
/// the pane's terminal, no dialog open, and the prompt box empty (a message: never typed into
/// a draft of the user's) or a turn running (an interrupt). Nothing is sent.
pub fn prepare(row: &Row, act: &Act) -> Result<Ready, Error> {
    let doing = match act {
        Act::Send(text) => {
            typable(text)?;
            "sending a message"
        }
        _ => "interrupting",
    };
    let keys = Keys::of(row, doing)?;
    keys.verify()?;
    let pane = clean(&keys.loc.pane_id).into_owned();
    let screen = read(&keys)?;
    if dialog::parse(&screen).is_some() {
        return Err(Error::Refused(format!(
            "pane {pane} shows a dialog of opencode's: answer or close it first; no keys sent"
        )));
    }
    let Some(shown) = prompt::parse(&screen) else {
        return Err(Error::Refused(format!(
            "pane {pane} does not show opencode's prompt box: no keys sent"
        )));
    };
    match act {
        Act::Send(_) if !shown.text.is_empty() => Err(Error::Refused(format!(
            "the prompt box of pane {pane} holds text of its own ({:?}): no keys sent",
            crate::model::text::cut(&clean(&shown.text), 40)
        ))),
        Act::Interrupt if !shown.running => Err(Error::Refused(format!(
            "pane {pane} shows no running turn: no keys sent"
        ))),
        _ => Ok(Ready { keys }),
    }
}

/// What the prompt box cannot take as typed text: several lines (a newline submits), and what
/// opens one of its pickers instead (`/` commands and `!` shell mode at the start, `@` mentions).
fn typable(text: &str) -> Result<(), Error> {
    let why = if text.contains(['\n', '\r']) {
        "a message of several lines"
    } else if text.chars().any(char::is_control) {
        "a message with control characters"
    } else if text.starts_with('/') || text.starts_with('!') {
        "a message starting with / or ! (a command or shell mode in the TUI)"
    } else if text.contains('@') {
        "a message with @ (the TUI opens its file picker)"
    } else {
        return Ok(());
    };
    Err(Error::Refused(format!(
        "{why} is sent through the companion plugin only (otop plugin install, then restart the \
         session): no keys sent"
    )))
}

impl Ready {
    /// Types the act's keys; `again` reads the row again, to see opencode take it.
    pub fn act(
        self,
        row: &Row,
        env: &Env,
        act: &Act,
        since: i64,
        again: &mut dyn FnMut() -> Option<Row>,
    ) -> Result<String, Error> {
        let keys = &self.keys;
        match act {
            Act::Send(text) => {
                keys.text(text)?;
                until(keys, "the message in the prompt box", |p| {
                    squeezed(&p.text) == squeezed(text)
                })?;
                keys.keys(&["Enter"])?;
                taken::message(row, env, text, since)?;
            }
            Act::Interrupt => {
                keys.keys(&["Escape"])?;
                until(keys, "`esc again to interrupt`", |p| p.armed)?;
                keys.keys(&["Escape"])?;
                taken::turn_over(again)?;
            }
            Act::End { .. } => return Err(Error::Refused("no key ends a process".into())),
        }
        Ok("through its pane".into())
    }
}

fn read(keys: &Keys) -> Result<String, Error> {
    Ok(tmux::capture_pane(&keys.loc.socket, &keys.loc.pane_id)?)
}

/// Waits for the prompt box to show what `ok` accepts.
fn until(keys: &Keys, what: &str, ok: impl Fn(&Prompt) -> bool) -> Result<(), Error> {
    let start = Instant::now();
    loop {
        if prompt::parse(&read(keys)?).is_some_and(|p| ok(&p)) {
            return Ok(());
        }
        if start.elapsed() > DRAWN {
            return Err(Error::Refused(format!(
                "the pane never showed {what}; stopped there (check the pane)"
            )));
        }
        std::thread::sleep(POLL);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_the_box_cannot_take_is_refused_before_any_key() {
        for text in ["two\nlines", "/init", "!rm -rf x", "mail a@b", "bell\u{7}"] {
            assert!(typable(text).is_err(), "{text:?}");
        }
        for text in ["now run the tests", "-t %9 Enter", "C-c", "-- -R"] {
            assert_eq!(typable(text).ok(), Some(()), "{text:?}");
        }
    }
}
