//! Cutting text by display width: the one rule every view and every bounded message (a
//! notification, a host's answer) uses. Widths are measured per grapheme cluster, the way
//! ratatui's buffer measures them, so a cut string never overflows its cell (CJK and emoji take
//! two columns).

use std::borrow::Cow;

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// Display width of `s` in terminal columns.
pub fn width(s: &str) -> usize {
    s.graphemes(true).map(UnicodeWidthStr::width).sum()
}

/// `s` cut to at most `max` columns, ending in `…` when something was cut.
/// Never splits a grapheme; a wide char that would straddle the edge is dropped.
pub fn cut(s: &str, max: usize) -> Cow<'_, str> {
    if width(s) <= max {
        return Cow::Borrowed(s);
    }
    if max == 0 {
        return Cow::Borrowed("");
    }
    let mut out = String::new();
    let mut used = 0;
    for g in s.graphemes(true) {
        let w = g.width();
        if used + w > max - 1 {
            break;
        }
        out.push_str(g);
        used += w;
    }
    out.push('…');
    Cow::Owned(out)
}
