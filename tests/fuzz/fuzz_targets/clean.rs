//! `sanitize::clean` and `for_tmux` on arbitrary bytes: never panic, and nothing a terminal or
//! tmux would act on comes out.
#![no_main]

use libfuzzer_sys::fuzz_target;
use otop::model::sanitize::{clean, for_tmux};

/// C0, DEL, C1, bidi and zero-width chars, listed independently of the sanitiser.
fn drives_terminal(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{061c}' | '\u{200b}'..='\u{200f}'
        | '\u{202a}'..='\u{202e}' | '\u{2060}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

fuzz_target!(|data: &[u8]| {
    // Invalid UTF-8 reaches otop through lossy decoding (SQLite text, capture-pane output).
    let s = String::from_utf8_lossy(data);
    let out = clean(&s);
    assert!(!out.chars().any(drives_terminal), "{s:?} -> {out:?}");
    let tm = for_tmux(&s);
    assert!(!tm.chars().any(drives_terminal), "{s:?} -> {tm:?}");
    // tmux reads `##` as one literal `#`: an odd run would start a format.
    for run in tm.split(|c| c != '#') {
        assert!(run.len() % 2 == 0, "unescaped # in {tm:?}");
    }
});
