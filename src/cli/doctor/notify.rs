//! doctor's notifications line: who sends them and with which settings (the sending process
//! records them in its lock file), and whether each channel can deliver.

use super::Mark;
use crate::config::Notify;
use crate::notify::{desktop, lock};

/// What the process holding the lock says of itself: `<pid> <what>` and the settings it uses.
fn sender(who: &str, uses: &str, file: &Notify, file_broken: bool) -> (Mark, String) {
    let named = match who.split_once(' ') {
        Some((pid, what)) => format!("sent by {what} (pid {pid})"),
        None => format!("sent by pid {who}"),
    };
    let wanted = file.describe();
    if uses.is_empty() {
        return (
            Mark::Note,
            format!(
                "{named}, which does not say what it uses (an older otop, which reads the \
                 configuration file only at its start: restart it after an edit)"
            ),
        );
    }
    if uses == wanted {
        return (Mark::Ok, format!("{named} with the file's settings"));
    }
    let why = if file_broken {
        "the file has an error (above): it keeps the settings it last read well"
    } else {
        "it reads the file again at its next refresh; if this stays, restart it"
    };
    (
        Mark::Fail,
        format!("{named} with older settings ({uses}) than the file's ({wanted}): {why}"),
    )
}

/// The notifications line for `[notify]` as the file says (`file_broken`: the file could not
/// be read, and these are the defaults).
pub(super) fn check(conf: &Notify, file_broken: bool, env: &crate::paths::Env) -> (Mark, String) {
    let mut mark = Mark::Ok;
    let mut worse = |m: Mark| {
        if m == Mark::Fail || (m == Mark::Note && mark == Mark::Ok) {
            mark = m;
        }
    };
    let mut parts = Vec::new();
    let held = lock::place(env).map(|p| lock::holder(&p));
    if !conf.any() && !matches!(held, Some(lock::Holder::Held(..))) {
        return (Mark::Ok, "off: [notify] turns no channel on".into());
    }
    parts.push(match held {
        Some(lock::Holder::Held(who, uses)) => {
            let (m, text) = sender(&who, &uses, conf, file_broken);
            worse(m);
            text
        }
        Some(lock::Holder::Nobody) => {
            "nobody sends them now (`otop watch --tmux` and the monitor do)".into()
        }
        Some(lock::Holder::Unreadable(e)) => {
            worse(Mark::Fail);
            format!("the lock cannot be read: {e}")
        }
        None => {
            worse(Mark::Fail);
            "no HOME or XDG_RUNTIME_DIR: no process can send them".into()
        }
    });
    let others = !conf.tmux.is_empty() || !conf.command.is_empty();
    if conf.desktop {
        parts.push(match desktop::service() {
            Ok(s) => format!("desktop: {s}"),
            // On by default, so a machine without a desktop (a server reached over ssh) is no
            // mistake while another channel tells; but it is not ok either: nothing is shown.
            Err(e) if others => {
                worse(Mark::Note);
                format!(
                    "desktop: nothing is shown, no notification service answers ({e}); \
                     desktop = false in [notify] if none is wanted here"
                )
            }
            Err(e) => {
                worse(Mark::Fail);
                format!(
                    "desktop, the only channel, delivers nothing: no notification service \
                     answers ({e}); turn on tmux or command in [notify]"
                )
            }
        });
    }
    if !conf.tmux.is_empty() {
        let names: Vec<&str> = conf.tmux.iter().map(|t| t.as_str()).collect();
        parts.push(format!("tmux: {}", names.join(", ")));
    }
    if let Some(prog) = conf.command.first() {
        match which::which(prog) {
            Ok(_) => parts.push(format!("command: {prog}")),
            Err(_) => {
                worse(Mark::Fail);
                parts.push(format!("command: {prog} is not found"));
            }
        }
    }
    let on: Vec<&str> = conf.on.iter().map(|k| k.as_str()).collect();
    parts.push(format!("on {}", on.join(", ")));
    (mark, parts.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sender_is_ok_only_with_the_files_settings() {
        let file = Notify::default();
        let (m, text) = sender("42 otop watch", &file.describe(), &file, false);
        assert_eq!(m, Mark::Ok);
        assert_eq!(text, "sent by otop watch (pid 42) with the file's settings");

        let edited = Notify {
            command: vec!["notify-me".into()],
            ..Notify::default()
        };
        let (m, text) = sender("42 otop watch", &file.describe(), &edited, false);
        assert_eq!(m, Mark::Fail);
        assert!(
            text.contains(
                "with older settings (desktop, tmux message; on waiting, error, done; hold 3s)"
            ) && text.contains("command notify-me")
                && text.contains("next refresh"),
            "{text}"
        );
        let (_, text) = sender("42 otop watch", &file.describe(), &edited, true);
        assert!(text.contains("last read well"), "{text}");

        let (m, text) = sender("42 otop monitor", "", &file, false);
        assert_eq!(m, Mark::Note);
        assert!(text.contains("restart it"), "{text}");
    }
}
