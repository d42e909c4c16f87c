//! Copying a session id: OSC 52 to the terminal (through tmux when inside it), plus a
//! clipboard tool when one is found, and a sentence saying what was done.

use crate::config::{Clipboard, ClipboardMethod};
use std::io::Write;
use std::process::{Command, Stdio};

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub fn base64(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The OSC 52 "set clipboard" sequence; inside tmux wrapped in a DCS passthrough (which needs
/// `allow-passthrough on`), with the inner ESC doubled as tmux requires.
pub fn osc52(text: &str, in_tmux: bool) -> String {
    let seq = format!("\u{1b}]52;c;{}\u{7}", base64(text.as_bytes()));
    if in_tmux {
        format!(
            "\u{1b}Ptmux;{}\u{1b}\\",
            seq.replace('\u{1b}', "\u{1b}\u{1b}")
        )
    } else {
        seq
    }
}

/// Feeds `text` to a command's stdin; true if it exited well.
fn pipe_to(cmd: &str, args: &[&str], text: &str) -> bool {
    let Ok(mut child) = Command::new(cmd)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
    else {
        return false;
    };
    let wrote = child
        .stdin
        .take()
        .is_some_and(|mut s| s.write_all(text.as_bytes()).is_ok());
    child.wait().is_ok_and(|s| s.success()) && wrote
}

/// The first clipboard tool that fits this session and exists.
fn tool() -> Option<(&'static str, &'static [&'static str])> {
    let has = |v: &str| std::env::var_os(v).is_some_and(|x| !x.is_empty());
    let candidates: [(&str, &[&str], bool); 4] = [
        ("wl-copy", &[], has("WAYLAND_DISPLAY")),
        ("xclip", &["-selection", "clipboard"], has("DISPLAY")),
        ("xsel", &["--clipboard", "--input"], has("DISPLAY")),
        ("pbcopy", &[], cfg!(target_os = "macos")),
    ];
    candidates
        .into_iter()
        .find(|(name, _, usable)| *usable && which::which(name).is_ok())
        .map(|(name, args, _)| (name, args))
}

/// Copies `text` as the configuration says (by default every way available); returns what
/// happened, for the footer.
pub fn copy(text: &str, term: &mut impl Write, how_to: &Clipboard) -> String {
    let in_tmux = std::env::var_os("TMUX").is_some_and(|v| !v.is_empty());
    match how_to.method {
        ClipboardMethod::Auto => {}
        ClipboardMethod::Osc52 => {
            let ok = term
                .write_all(osc52(text, in_tmux).as_bytes())
                .and_then(|()| term.flush())
                .is_ok();
            return said(text, if ok { vec!["OSC 52"] } else { vec![] });
        }
        ClipboardMethod::Command => {
            let ok = !how_to.command.is_empty() && pipe_to("sh", &["-c", &how_to.command], text);
            return said(
                text,
                if ok {
                    vec![how_to.command.as_str()]
                } else {
                    vec![]
                },
            );
        }
    }
    let mut how = Vec::new();
    // tmux ≥ 3.2: `set-buffer -w` sets the tmux buffer and forwards it to the outer terminal
    // per `set-clipboard`, with no passthrough needed.
    if in_tmux && crate::tmux_call::run_tmux(None, &["set-buffer", "-w", "--", text]).is_ok() {
        how.push("tmux buffer");
    } else if term
        .write_all(osc52(text, in_tmux).as_bytes())
        .and_then(|()| term.flush())
        .is_ok()
    {
        how.push("OSC 52");
    }
    if let Some((name, args)) = tool()
        && pipe_to(name, args, text)
    {
        how.push(name);
    }
    said(text, how)
}

fn said(text: &str, how: Vec<&str>) -> String {
    if how.is_empty() {
        format!("could not copy {text}: no clipboard available")
    } else {
        format!("copied {text} ({})", how.join(" + "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648() {
        for (i, o) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(i.as_bytes()), o);
        }
    }

    #[test]
    fn osc52_is_wrapped_for_tmux() {
        assert_eq!(osc52("hi", false), "\u{1b}]52;c;aGk=\u{7}");
        assert_eq!(
            osc52("hi", true),
            "\u{1b}Ptmux;\u{1b}\u{1b}]52;c;aGk=\u{7}\u{1b}\\"
        );
    }
}
