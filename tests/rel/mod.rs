//! Helpers shared by the reliability and security tests: hostile text and what must not reach a
//! terminal. (Their stand-in `opencode` processes are `support::StandIns::spawn_session`.)
#![allow(dead_code)]

/// Every trick at once: CSI clear screen, OSC 52 clipboard write, OSC 8 link, OSC 0 title,
/// 8-bit CSI/OSC, C0 (NUL, BEL, BS, CR, LF, TAB), bidi override, zero-width chars, tmux formats.
/// Escape payloads say `pwned`: that word must never be shown.
pub const HOSTILE: &str = "\u{1b}[2J\u{1b}]52;c;cm0gLXJmIH4=\u{7}\u{1b}]8;;https://evil.example\u{1b}\\link\u{1b}]8;;\u{1b}\\\
    \u{1b}]0;pwned\u{7}\u{9b}31m\u{9d}0;pwned\u{9c}\u{202e}txt.exe\u{202c}\u{200b}\u{feff}\
    #(touch /tmp/gotcha)#[fg=red]#{pane_id}\u{0}\u{8}\r\n\tend";

/// Chars a terminal acts on: C0 controls but newline, DEL, C1 controls, bidi controls and
/// zero-width chars. Listed here, independently of otop's sanitiser.
pub fn drives_terminal(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{9}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{061c}'
        | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}' | '\u{2066}'..='\u{2069}'
        | '\u{feff}')
}

/// Nothing in `out` drives a terminal (JSON keeps payloads, escaped, so it stops here).
pub fn assert_no_controls(what: &str, out: &str) {
    if let Some(c) = out.chars().find(|c| drives_terminal(*c)) {
        panic!("{what}: {c:?} in output {out:?}");
    }
}

/// Text for people: no control chars, and no escape payload shown as text either.
pub fn assert_inert(what: &str, out: &str) {
    assert_no_controls(what, out);
    assert!(
        !out.contains("pwned"),
        "{what}: escape payload printed: {out:?}"
    );
}
