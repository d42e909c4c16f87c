//! Text helpers for fixed-width cells: cutting by display width and humanised numbers.
//!
//! Widths are measured per grapheme cluster, the way ratatui's buffer measures them, so a cut
//! string never overflows its cell (CJK and emoji take two columns).

use ratatui::text::{Line, Span};

pub use crate::model::text::{cut, width};

/// A styled line cut to `max` columns, span by span so styles survive; `…` marks the cut.
pub fn cut_line(line: Line<'static>, max: usize) -> Line<'static> {
    let total: usize = line.spans.iter().map(|s| width(&s.content)).sum();
    if total <= max {
        return line;
    }
    let mut used = 0;
    let mut spans = Vec::new();
    for s in line.spans {
        let w = width(&s.content);
        if used + w >= max {
            spans.push(Span::styled(
                cut(&s.content, max - used).into_owned(),
                s.style,
            ));
            break;
        }
        used += w;
        spans.push(s);
    }
    Line::from(spans).style(line.style)
}

/// `s` cut to `cols` columns and padded with spaces to exactly `cols`.
pub fn fit(s: &str, cols: usize) -> String {
    let cut = cut(s, cols);
    let pad = cols.saturating_sub(width(&cut));
    format!("{cut}{}", " ".repeat(pad))
}

/// Like [`fit`], right-aligned.
pub fn fit_right(s: &str, cols: usize) -> String {
    let cut = cut(s, cols);
    let pad = cols.saturating_sub(width(&cut));
    format!("{}{cut}", " ".repeat(pad))
}

/// The widest a STATUS column grows to fit its statuses (`permission: bash rm -rf build`); a
/// longer one is cut there.
pub const STATUS_MAX: usize = 30;

/// `s` broken into lines of at most `max` columns, at spaces; a word wider than `max` (a path)
/// keeps a line of its own, whole, so it can still be copied.
pub fn wrap(s: &str, max: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in s.split(' ').filter(|w| !w.is_empty()) {
        if !line.is_empty() && width(&line) + 1 + width(word) > max {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// 999, 1.2k, 12.3k, 123k, 1.2M, 3.4G.
pub fn count(n: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1_000_000_000, "G"), (1_000_000, "M"), (1_000, "k")];
    for (size, unit) in UNITS {
        if n >= size {
            let v = n as f64 / size as f64;
            return if v < 100.0 {
                format!("{v:.1}{unit}")
            } else {
                format!("{v:.0}{unit}")
            };
        }
    }
    n.to_string()
}

/// Dollars as $0.42, $12.30, $123, $1.2k: cents while they matter.
pub fn dollars(d: f64) -> String {
    if d < 100.0 {
        format!("${d:.2}")
    } else if d < 1000.0 {
        format!("${d:.0}")
    } else {
        format!("${}", count(d.round() as u64))
    }
}

/// Bytes as 512K, 245M, 1.2G.
pub fn bytes(n: u64) -> String {
    const UNITS: [(u64, &str); 3] = [(1 << 30, "G"), (1 << 20, "M"), (1 << 10, "K")];
    for (size, unit) in UNITS {
        if n >= size {
            let v = n as f64 / size as f64;
            return if v < 10.0 {
                format!("{v:.1}{unit}")
            } else {
                format!("{v:.0}{unit}")
            };
        }
    }
    format!("{n}B")
}

/// A duration in ms as 42s, 12m05s, 3h12m, 2d04h; negative durations (clock skew) as 0s.
pub fn duration(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    let (d, h, m, sec) = (s / 86_400, s / 3600 % 24, s / 60 % 60, s % 60);
    if d > 0 {
        format!("{d}d{h:02}h")
    } else if h > 0 {
        format!("{h}h{m:02}m")
    } else if m > 0 {
        format!("{m}m{sec:02}s")
    } else {
        format!("{sec}s")
    }
}

/// Unix ms as `HH:MM:SS` at a fixed UTC offset (the caller supplies the local offset, so
/// tests stay independent of the machine's zone).
pub fn clock(ms: i64, offset_secs: i32) -> String {
    let s = (ms / 1000 + i64::from(offset_secs)).rem_euclid(86_400);
    format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dollars_keep_cents_while_they_matter() {
        assert_eq!(dollars(0.4234), "$0.42");
        assert_eq!(dollars(12.3), "$12.30");
        assert_eq!(dollars(123.4), "$123");
        assert_eq!(dollars(1234.0), "$1.2k");
    }

    #[test]
    fn wrap_breaks_at_spaces_and_keeps_long_words_whole() {
        assert_eq!(wrap("one two three", 7), ["one two", "three"]);
        assert_eq!(
            wrap("a /very/long/path b", 5),
            ["a", "/very/long/path", "b"]
        );
        assert_eq!(wrap("", 10), [""]);
        assert_eq!(wrap("日本語 日本語", 7), ["日本語", "日本語"]);
    }

    #[test]
    fn cut_respects_display_width() {
        assert_eq!(cut("hello", 5), "hello");
        assert_eq!(cut("hello world", 6), "hello…");
        assert_eq!(cut("hello", 0), "");
        assert_eq!(cut("hello", 1), "…");
        // CJK: two columns each; a char that would straddle the edge is dropped.
        assert_eq!(cut("日本語テキスト", 6), "日本…");
        assert_eq!(cut("日本語テキスト", 7), "日本語…");
        assert_eq!(width(&cut("日本語テキスト", 6)), 5);
        // Emoji, including a ZWJ family that must not be split.
        assert_eq!(cut("ok 🎉🎉🎉", 6), "ok 🎉…");
        let family = "👨‍👩‍👧 family";
        assert_eq!(cut(family, 3), "👨‍👩‍👧…");
        assert_eq!(cut(family, 2), "…");
        // A combining accent stays with its letter.
        assert_eq!(cut("e\u{301}xyz", 3), "e\u{301}x…");
    }

    #[test]
    fn lines_are_cut_across_spans() {
        let line = Line::from(vec![Span::raw("ab"), Span::raw("日本語"), Span::raw("z")]);
        let cut = cut_line(line, 5);
        let text: String = cut.spans.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(text, "ab日…");
        let short = cut_line(Line::raw("ok"), 5);
        assert_eq!(short.spans[0].content, "ok");
    }

    #[test]
    fn fit_pads_to_exact_width() {
        for (s, cols) in [("日本語", 5), ("abc", 6), ("🎉x", 2), ("long text", 4)] {
            assert_eq!(width(&fit(s, cols)), cols, "{s:?} in {cols}");
            assert_eq!(width(&fit_right(s, cols)), cols, "{s:?} in {cols}");
        }
        assert_eq!(fit_right("42", 4), "  42");
    }

    #[test]
    fn numbers_are_humanised() {
        assert_eq!(count(999), "999");
        assert_eq!(count(12_345), "12.3k");
        assert_eq!(count(123_456), "123k");
        assert_eq!(count(1_234_567), "1.2M");
        assert_eq!(bytes(250 * 1024 * 1024), "250M");
        assert_eq!(bytes(1536 * 1024 * 1024), "1.5G");
        assert_eq!(duration(42_000), "42s");
        assert_eq!(duration(725_000), "12m05s");
        assert_eq!(duration(3 * 3_600_000 + 12 * 60_000), "3h12m");
        assert_eq!(duration(-5), "0s");
        assert_eq!(clock(3_723_000, 3600), "02:02:03");
    }
}
