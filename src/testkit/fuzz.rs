//! The bodies of the fuzz targets (`tests/fuzz`): one function per parser of untrusted text,
//! taking the fuzzer's bytes and asserting what must hold whatever they are (no panic, and a
//! bound or two). They live in the library so that a stable build compiles them on every
//! change: `tests/fuzz_corpus.rs` runs each over its corpus kept in `tests/fuzz/corpus/<name>`,
//! and `cargo +nightly fuzz run --fuzz-dir tests/fuzz <name>` (`just fuzz`) searches further.

use std::path::Path;

use crate::model::sanitize::{clean, for_tmux};

/// A target's body: the fuzzer's bytes in, a panic when something does not hold.
pub type Body = fn(&[u8]);

/// Each target's name (its corpus directory and fuzz binary) and body.
pub const TARGETS: &[(&str, Body)] = &[
    ("clean", sanitizer),
    ("config", config),
    ("db_json", db_json),
    ("dialog", dialog),
    ("log_line", log_line),
    ("status_template", status_template),
    ("wire", wire),
];

/// Invalid UTF-8 reaches otop through lossy decoding (SQLite text, capture-pane, ssh output).
fn text(data: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(data)
}

/// C0, DEL, C1, bidi and zero-width chars, listed independently of the sanitiser.
fn drives_terminal(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{061c}' | '\u{200b}'..='\u{200f}'
        | '\u{202a}'..='\u{202e}' | '\u{2060}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
}

/// `sanitize::clean` and `for_tmux`: nothing a terminal or tmux would act on comes out.
pub fn sanitizer(data: &[u8]) {
    let s = text(data);
    let out = clean(&s);
    assert!(!out.chars().any(drives_terminal), "{s:?} -> {out:?}");
    let tm = for_tmux(&s);
    assert!(!tm.chars().any(drives_terminal), "{s:?} -> {tm:?}");
    // tmux reads `##` as one literal `#`: an odd run would start a format.
    for run in tm.split(|c| c != '#') {
        assert!(run.len() % 2 == 0, "unescaped # in {tm:?}");
    }
}

/// The configuration file: an error or a configuration, and every interval it accepts is one
/// a `Duration` can hold.
pub fn config(data: &[u8]) {
    if let Ok(c) = crate::config::parse(&text(data), Path::new("/fuzz/config.toml")) {
        assert!(crate::config::interval(c.monitor.interval).is_ok());
    }
}

/// `message.data` and `part.data` as a model, a tool or a broken database may write them:
/// every field otop reads, read, and the kept text bounded.
pub fn db_json(data: &[u8]) {
    use crate::source::db::json::{MAX_LINE, MsgData, PartData};
    let s = text(data);
    let m = MsgData::parse(Some(&s));
    let _ = (m.role(), m.model_name(), m.agent_name(), m.tokens());
    let _ = (m.completed_at(), m.created_at(), m.is_open_assistant());
    for line in [m.error_name(), m.error_message()].into_iter().flatten() {
        assert!(line.chars().count() <= MAX_LINE + 1, "{line:?}");
    }
    let p = PartData::parse(Some(&s));
    let _ = (p.is_text(), p.is_tool(), p.tool_status(), p.has_metadata());
    let _ = (p.child_session(), p.started_at(), p.command());
    if let Some(line) = p.input_summary() {
        assert!(line.chars().count() <= MAX_LINE + 1, "{line:?}");
    }
    for q in p.questions() {
        assert!(q.options.len() <= 20);
        assert!(q.question.chars().count() <= MAX_LINE + 1);
    }
    let _ = crate::source::db::facts::session_model_name(&s);
    let _ = crate::source::db::recent::json_strings(&s);
}

/// A pane's capture: a dialog or none; a permission's options are opencode's three.
pub fn dialog(data: &[u8]) {
    use crate::source::dialog::{Dialog, parse};
    if let Some(Dialog::Permission {
        options, selected, ..
    }) = parse(&text(data))
    {
        assert_eq!(options.len(), 3);
        assert!(selected.is_none_or(|s| s < 3));
    }
}

/// A line of opencode's log, in either format.
pub fn log_line(data: &[u8]) {
    use crate::source::log::parse;
    let s = text(data);
    let _ = parse::parse_shared_line(&s);
    let _ = parse::parse_file_line(&s);
    let _ = parse::fields(&s);
    let _ = parse::parse_time(&s);
}

/// `otop status --format` templates: rendered or refused, never a panic or a stack overflow.
pub fn status_template(data: &[u8]) {
    use crate::statusline::format::{Counts, Style, render};
    let template = text(data);
    let mut counts = Counts {
        waiting: 1,
        working: 3,
        idle: 2,
        done: 1,
        top_title: Some("t;#{x}".into()),
        unreachable: 1,
        ..Counts::default()
    };
    counts.per_host.insert("box".into(), counts.clone());
    for plain in [false, true] {
        let style = Style {
            plain,
            ..Style::default()
        };
        let _ = render(&template, &counts, &style);
    }
}

/// A line of another machine's `otop serve`: a snapshot or an error, never a panic.
pub fn wire(data: &[u8]) {
    let _ = crate::collect::wire::decode(&text(data), "box");
}

/// Runs target `name` over every file of its corpus under `root`; the number of inputs run.
pub fn run_corpus(root: &Path, name: &str) -> std::io::Result<usize> {
    let body = TARGETS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, f)| *f)
        .ok_or_else(|| std::io::Error::other(format!("no fuzz target {name}")))?;
    let mut n = 0;
    for entry in std::fs::read_dir(root.join(name))? {
        let path = entry?.path();
        if path.is_file() {
            body(&std::fs::read(&path)?);
            n += 1;
        }
    }
    Ok(n)
}
