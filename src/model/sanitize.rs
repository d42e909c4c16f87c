//! The one sanitising layer: untrusted text (titles, model output, tool titles, todos, paths,
//! model names) passes through here before it reaches a terminal or tmux. JSON output does not:
//! the JSON encoder escapes it exactly.

use std::borrow::Cow;

/// Removes terminal escape sequences (CSI, OSC, DCS, …, in 7-bit and C1 form), C0/C1 controls,
/// bidi controls and zero-width characters; turns newlines and tabs into spaces.
/// The result is one line that cannot move the cursor, change colours, set the clipboard,
/// open links or reorder text.
pub fn clean(s: &str) -> Cow<'_, str> {
    if s.chars().all(is_plain) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => match chars.next() {
                Some('[') => skip_csi(&mut chars),
                Some(']' | 'P' | 'X' | '^' | '_') => skip_string(&mut chars),
                // Two-character sequences (ESC 7, ESC c, ESC ( B …): drop both.
                Some(_) | None => {}
            },
            '\u{9b}' => skip_csi(&mut chars),
            '\u{9d}' | '\u{90}' | '\u{98}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            '\n' | '\r' | '\t' if !out.ends_with(' ') => out.push(' '),
            '\n' | '\r' | '\t' => {}
            c if is_plain(c) => out.push(c),
            _ => {}
        }
    }
    Cow::Owned(out)
}

/// [`clean`], then `#` doubled so tmux shows it literally: `#(cmd)`, `#[style]` and `#{var}`
/// in a title are printed, never run or interpreted.
pub fn for_tmux(s: &str) -> String {
    clean(s).replace('#', "##")
}

/// JSON text (from `serde_json`) with every char [`clean`] would drop written as a `\uXXXX`
/// escape. serde_json escapes only C0 controls; C1 controls, DEL, bidi and zero-width chars it
/// writes raw, and a terminal showing the output would act on them. Parsers read back the exact
/// value. Such chars can only occur inside string literals, never right after an escaping
/// backslash, so replacing them in the text is safe.
pub fn inert_json(json: &str) -> Cow<'_, str> {
    let escape = |c: char| u32::from(c) >= 0x7f && !is_plain(c);
    if !json.chars().any(escape) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if escape(c) {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{u:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A char that may reach the terminal as it is.
fn is_plain(c: char) -> bool {
    !(c.is_control() || is_invisible_format(c))
}

/// Bidi controls, zero-width characters and other invisible format characters that can make
/// displayed text differ from what it is.
fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{061c}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206f}' | '\u{feff}' | '\u{fff9}'..='\u{fffb}' | '\u{00ad}'
        | '\u{180e}' | '\u{e0000}'..='\u{e007f}')
}

/// Skips a CSI sequence's parameter and intermediate bytes and its final byte.
fn skip_csi(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    for c in chars.by_ref() {
        if ('\u{40}'..='\u{7e}').contains(&c) {
            break;
        }
    }
}

/// Skips an OSC/DCS/SOS/PM/APC payload up to BEL, ST (ESC \) or C1 ST.
fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => break,
            '\u{1b}' => {
                if chars.peek() == Some(&'\\') {
                    chars.next();
                }
                break;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_inputs_are_neutralised() {
        let cases: &[(&str, &str)] = &[
            ("plain title", "plain title"),
            ("\u{1b}[31mred\u{1b}[0m", "red"),
            ("\u{1b}]52;c;cm0gLXJmIH4=\u{7}copied", "copied"),
            (
                "\u{1b}]8;;https://evil\u{1b}\\link\u{1b}]8;;\u{1b}\\",
                "link",
            ),
            ("a\u{9b}2Jb", "ab"),
            ("a\u{9d}0;title\u{9c}b", "ab"),
            ("line1\nline2\r\n\tx", "line1 line2 x"),
            ("bell\u{7}back\u{8}space\u{7f}", "bellbackspace"),
            ("\u{202e}evil\u{202c}", "evil"),
            ("zero\u{200b}width\u{feff}", "zerowidth"),
            ("\u{1b}Pq#0;2;0;0;0\u{1b}\\sixel", "sixel"),
            ("\u{1b}c reset", " reset"),
            ("日本語 ✓ emoji 🎉", "日本語 ✓ emoji 🎉"),
            ("unterminated \u{1b}]0;title", "unterminated "),
            ("trailing esc \u{1b}", "trailing esc "),
        ];
        for (input, want) in cases {
            assert_eq!(clean(input), *want, "input {input:?}");
        }
    }

    #[test]
    fn nothing_that_drives_a_terminal_survives() {
        let input = "\u{1b}[2J\u{1b}]52;c;x\u{7}\u{9b}31m\u{0}\u{1}\u{1f}\u{85}\u{2066}";
        let out = clean(input);
        assert!(
            out.chars()
                .all(|c| !c.is_control() && !is_invisible_format(c)),
            "{out:?}"
        );
    }

    #[test]
    fn tmux_formats_are_shown_literally() {
        assert_eq!(for_tmux("#(rm -rf ~)"), "##(rm -rf ~)");
        assert_eq!(for_tmux("#[fg=red]x#{pane_id}"), "##[fg=red]x##{pane_id}");
        assert_eq!(for_tmux("\u{1b}[1m#1\u{1b}[0m"), "##1");
    }

    /// What a terminal or tmux may act on, written out independently of `is_plain` so a gap
    /// in that function is caught rather than copied: C0, DEL, C1, bidi and zero-width chars.
    fn drives_terminal(c: char) -> bool {
        matches!(c, '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{061c}' | '\u{200b}'..='\u{200f}'
            | '\u{202a}'..='\u{202e}' | '\u{2060}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
    }

    /// Random strings biased towards escape syntax, from a seeded xorshift PRNG: the same
    /// property the `tests/fuzz` target checks, run by plain `cargo test`.
    #[test]
    fn property_random_strings_come_out_inert() {
        const PIECES: &[&str] = &[
            "\u{1b}",
            "[",
            "]",
            "P",
            "\\",
            "\u{7}",
            "\u{9b}",
            "\u{9c}",
            "\u{9d}",
            "\u{90}",
            "52;c;",
            "8;;",
            "#",
            "#(",
            "#[",
            "#{",
            "##",
            "}",
            ")",
            "\n",
            "\r",
            "\t",
            "\u{0}",
            "\u{85}",
            "\u{202e}",
            "\u{2066}",
            "\u{200b}",
            "\u{feff}",
            "\u{e0041}",
            "a",
            "Z",
            "0",
            ";",
            "m",
            "日",
            "🎉",
            "e\u{301}",
            " ",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..5000 {
            let len = next() % 24;
            let mut s = String::new();
            for _ in 0..len {
                let r = next();
                if r % 5 == 0 {
                    // Any scalar value at all, not just the pieces above.
                    s.extend(char::from_u32((r >> 8) as u32 % 0x11_0000));
                } else {
                    s.push_str(PIECES[(r >> 8) as usize % PIECES.len()]);
                }
            }
            let out = clean(&s);
            assert!(!out.chars().any(drives_terminal), "{s:?} -> {out:?}");
            let tm = for_tmux(&s);
            assert!(!tm.chars().any(drives_terminal), "{s:?} -> {tm:?}");
            // tmux reads `##` as a literal `#`: every run of `#` must have even length.
            for run in tm.split(|c| c != '#') {
                assert!(run.len() % 2 == 0, "unescaped # in {tm:?} from {s:?}");
            }
        }
    }

    #[test]
    fn json_is_inert_yet_exact() {
        let value = serde_json::json!({"t": "a\u{9b}2J\u{202e}b\u{7f}\u{e0041}\\\u{200b}\u{1b}]0;x\u{7}日\n"});
        let text = serde_json::to_string_pretty(&value).unwrap_or_default();
        let out = inert_json(&text);
        assert!(
            out.chars().all(|c| c == '\n' || !drives_terminal(c)),
            "{out}"
        );
        let back: serde_json::Value = serde_json::from_str(&out).unwrap_or_default();
        assert_eq!(back, value);
        assert!(out.contains("\\u009b") && out.contains("\\udb40\\udc41") && out.contains('日'));
    }

    #[test]
    fn clean_text_is_not_copied() {
        assert!(matches!(clean("fine"), Cow::Borrowed(_)));
    }
}
