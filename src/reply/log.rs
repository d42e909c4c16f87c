//! `$XDG_STATE_HOME/otop/answers.log`: one line for every answer otop gave (sent to the plugin
//! or typed into a pane), whether opencode took it or not. Tab-separated: time (UTC), session,
//! request, answer, how (`plugin`, `pane`), outcome (`ok`, or `not taken: why`).

use std::io::Write;
use std::path::Path;

use crate::model::sanitize::clean;
use crate::source::file::{Own, open_own, private_dir};

/// Appends one line; the file is the user's only (answers may be private), opened as every
/// file of otop's own is (never a symlink, a FIFO or another user's file).
pub fn append(file: &Path, line: &[&str]) -> std::io::Result<()> {
    if let Some(dir) = file.parent() {
        private_dir(dir)?;
    }
    let fields: Vec<String> = line.iter().map(|f| clean(f).replace('\t', " ")).collect();
    let text = format!("{}\n", fields.join("\t"));
    open_own(file, Own::Append)?.write_all(text.as_bytes())
}

/// Now, as the log writes it: `2026-12-01T09:44:00.123Z`.
pub fn timestamp(now_ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(now_ms)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_inert_line_per_answer() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let file = tmp.path().join("otop/answers.log");
        append(&file, &["t", "ses_1", "per_1", "once", "plugin", "ok"]).expect("append");
        append(
            &file,
            &[
                "t",
                "ses_1",
                "que_1",
                "text \"a\tb\u{1b}[2J\"",
                "pane",
                "ok",
            ],
        )
        .expect("append");
        let text = std::fs::read_to_string(&file).expect("read");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "t\tses_1\tper_1\tonce\tplugin\tok");
        assert_eq!(lines[1].split('\t').count(), 6);
        assert!(!text.contains('\u{1b}'));
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(timestamp(0), "1970-01-01T00:00:00.000Z");
    }

    /// A FIFO at `answers.log` (planted, or left by anything) costs the log line, never a hang
    /// after the answer was delivered.
    #[test]
    fn a_fifo_in_place_of_the_log_is_refused_at_once() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let file = tmp.path().join("otop/answers.log");
        std::fs::create_dir(tmp.path().join("otop")).expect("mkdir");
        let made = std::process::Command::new("mkfifo").arg(&file).status();
        assert!(made.expect("mkfifo").success());
        let (tx, rx) = std::sync::mpsc::channel();
        let f = file.clone();
        std::thread::spawn(move || {
            let _ = tx.send(append(&f, &["t", "ses_1", "per_1", "once", "pane", "ok"]).is_err());
        });
        let refused = rx.recv_timeout(std::time::Duration::from_secs(5));
        assert_eq!(refused, Ok(true), "refused, not hung");
    }
}
