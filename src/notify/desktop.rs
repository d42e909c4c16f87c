//! Desktop notifications. Linux: the notification service on
//! the session D-Bus (`org.freedesktop.Notifications.Notify`), through `notify-rust` on pure-Rust
//! zbus. macOS: `osascript`'s `display notification`, the text handed over as arguments of the
//! script (`on run argv`), never spliced into it, so no text can become AppleScript.
//!
//! The macOS half is written from Apple's documented interfaces and is not compiled on this
//! project's Linux machines: `osascript [-e statement]… [argument…]` passes the arguments to
//! the script's `run` handler; `--` ends its options, so an argument starting with `-` stays
//! an argument. It uses only `std::process::Command`, like the rest of otop on macOS.

#[cfg(target_os = "linux")]
mod imp {
    /// The body with markup disarmed: servers that take body markup (`<b>`, `<a href>`) would
    /// otherwise read it in untrusted text.
    pub fn escape_markup(s: &str) -> String {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    }

    use crate::error::Error;

    pub fn show(summary: &str, body: &str) -> Result<(), Error> {
        notify_rust::Notification::new()
            .appname("otop")
            .summary(summary)
            .body(&escape_markup(body))
            .show()
            .map(|_| ())
            .map_err(|e| Error::Desktop(e.to_string()))
    }

    pub fn service() -> Result<String, Error> {
        notify_rust::get_server_information()
            .map(|i| format!("{} {} on the session D-Bus", i.name, i.version))
            .map_err(|e| Error::Desktop(e.to_string()))
    }
}

#[cfg(target_os = "macos")]
mod imp {
    use std::process::{Command, Stdio};

    use crate::error::Error;

    pub fn show(summary: &str, body: &str) -> Result<(), Error> {
        let script = [
            "on run argv",
            "display notification (item 2 of argv) with title (item 1 of argv)",
            "end run",
        ];
        let mut cmd = Command::new("osascript");
        for line in script {
            cmd.args(["-e", line]);
        }
        let status = cmd
            .arg("--")
            .args([summary, body])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map_err(|e| Error::Desktop(format!("osascript: {e}")))?;
        status
            .success()
            .then_some(())
            .ok_or_else(|| Error::Desktop(format!("osascript: {status}")))
    }

    pub fn service() -> Result<String, Error> {
        which::which("osascript")
            .map(|p| format!("{} (display notification)", p.display()))
            .map_err(|_| Error::Desktop("osascript not found".into()))
    }
}

/// Shows one notification: `summary` (a line) and `body`, both sanitised already.
pub fn show(summary: &str, body: &str) -> Result<(), crate::error::Error> {
    imp::show(summary, body)
}

/// Which notification service answers (for `otop doctor`), or why none does.
pub fn service() -> Result<String, crate::error::Error> {
    imp::service()
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    #[test]
    fn markup_is_shown_as_text() {
        assert_eq!(
            super::imp::escape_markup("<a href=\"x\">&</a>"),
            "&lt;a href=\"x\"&gt;&amp;&lt;/a&gt;"
        );
    }
}
