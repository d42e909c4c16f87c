//! The status-line template language of `otop status --format`.
//!
//! Placeholders:
//! - `{waiting}` `{error}` `{working}` `{idle}` `{stalled}` `{total}`: counts; `{done}`: idle
//!   sessions that finished since you last looked (counted there, not in `{idle}`); `done`
//!   also works wherever a state name does below;
//! - `{sym:STATE}`: the state's symbol; `{fg:STATE}`: its tmux colour (`#[fg=…]`), `{reset}`:
//!   `#[default]` (both empty with `--plain`);
//! - `{title}`: the title of the most urgent session (sanitised, `#` escaped for tmux);
//! - `{?STATE:TEXT}`: TEXT only when that count is non-zero (`{?any:TEXT}` when any session
//!   runs); TEXT may hold placeholders;
//! - `{STATE@HOST}`, `{total@HOST}`, `{?STATE@HOST:TEXT}`: the same for one machine (a
//!   `[[hosts]]` name, or `local`); `{unreachable}`: hosts that did not answer;
//! - `{waited}`: today's time this machine's sessions spent waiting for you (`12m05s`),
//!   `{?waited:TEXT}` when there was any;
//! - `{{` and `}}`: literal braces.

use crate::model::sanitize::{clean, for_tmux};
use crate::model::state::State;
pub use crate::statusline::counts::Counts;

/// Symbols and colours per state.
#[derive(Debug, Clone, PartialEq)]
pub struct Style {
    /// No tmux `#[…]` styles, no `#` escaping (for other status bars).
    pub plain: bool,
    /// Indexed like `State::ALL`: waiting, error, working, idle, stalled.
    pub symbols: [String; 5],
    pub colours: [String; 5],
    /// `done`'s symbol and colour.
    pub done: (String, String),
}

impl Default for Style {
    /// The configuration file's defaults (`[status.symbols]`, `[status.colours]`).
    fn default() -> Self {
        Style::from_config(&crate::config::Status::default(), false)
    }
}

impl Style {
    pub fn from_config(c: &crate::config::Status, plain: bool) -> Style {
        Style {
            plain: plain || c.plain,
            symbols: c.symbols.as_array().map(str::to_string),
            colours: c.colours.as_array().map(str::to_string),
            done: (c.symbols.done.clone(), c.colours.done.clone()),
        }
    }
}

/// Most urgent first; each segment vanishes when its count is zero. `↯N`: N hosts did not
/// answer, so the counts miss their sessions.
pub const DEFAULT_FORMAT: &str = "{?waiting:{fg:waiting}{sym:waiting}{waiting} }\
{?error:{fg:error}{sym:error}{error} }{?working:{fg:working}{sym:working}{working} }\
{?done:{fg:done}{sym:done}{done} }{?idle:{fg:idle}{sym:idle}{idle} }\
{?stalled:{fg:stalled}{sym:stalled}{stalled} }{?unreachable:{fg:error}↯{unreachable} }{reset}";

/// The template and style to use: flags (`--format`, `--plain`) over the config file's
/// `[status]`, over the built-in defaults.
pub fn settings<'a>(
    format: Option<&'a str>,
    plain: bool,
    conf: &'a crate::config::Status,
) -> (&'a str, Style) {
    let template = format
        .or(Some(conf.format.as_str()).filter(|f| !f.is_empty()))
        .unwrap_or(DEFAULT_FORMAT);
    (template, Style::from_config(conf, plain))
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum FormatError {
    #[error("unclosed `{{` at byte {0} of the format")]
    Unclosed(usize),
    #[error("unknown placeholder `{{{0}}}` in the format")]
    Unknown(String),
}

/// Whether `format` shows `{waited}`: only then is each session's day read (it costs a
/// database read per session, which the status line otherwise spares).
pub fn uses_waited(format: &str) -> bool {
    format.contains("{waited") || format.contains("{?waited")
}

/// A bad template is the user's mistake: said as it is.
impl From<FormatError> for crate::error::Error {
    fn from(e: FormatError) -> Self {
        crate::error::Error::Invalid(e.to_string())
    }
}

/// Renders `format` with `counts`. The output ends trimmed of trailing spaces.
pub fn render(format: &str, counts: &Counts, style: &Style) -> Result<String, FormatError> {
    let mut out = String::new();
    render_into(format, counts, style, &mut out)?;
    let trimmed = out.trim_end().len();
    // Keep a trailing reset intact after trimming the space before it.
    out.truncate(trimmed);
    if let Some(stripped) = out.strip_suffix(" #[default]") {
        out = format!("{}#[default]", stripped.trim_end());
    }
    Ok(out)
}

/// One pass over `format`, without recursion: an open `{?STATE:TEXT}` whose count is non-zero
/// pushes the position of its closing brace and the scan goes on into TEXT, so any nesting
/// costs linear time and no stack (a template is the user's, but it may be generated).
fn render_into(
    format: &str,
    counts: &Counts,
    style: &Style,
    out: &mut String,
) -> Result<(), FormatError> {
    let close = closing_braces(format);
    // Closing braces of the conditionals being rendered, innermost last.
    let mut ends: Vec<usize> = Vec::new();
    let mut i = 0;
    loop {
        let end = ends.last().copied().unwrap_or(format.len());
        if i >= end {
            if ends.pop().is_none() {
                return Ok(());
            }
            i = end + 1;
            continue;
        }
        let rest = &format[i..end];
        if rest.starts_with("{{") || rest.starts_with("}}") {
            out.push_str(&rest[..1]);
            i += 2;
        } else if rest.starts_with('{') {
            let c = close
                .get(i)
                .copied()
                .filter(|&c| c != usize::MAX)
                .ok_or(FormatError::Unclosed(i))?;
            let inner = &format[i + 1..c];
            match conditional(inner, counts)? {
                // TEXT starts after `{?`, the name and `:`.
                Some((name, true)) => {
                    ends.push(c);
                    i += 3 + name.len();
                }
                Some((_, false)) => i = c + 1,
                None => {
                    placeholder(inner, counts, style, out)?;
                    i = c + 1;
                }
            }
        } else {
            let next = rest.find(['{', '}']).unwrap_or(rest.len()).max(1);
            // Literal text is the user's own: pass it to tmux as written.
            out.push_str(&rest[..next]);
            i += next;
        }
    }
}

/// For each byte index of a `{`, the index of the `}` closing it (counting nesting, escapes
/// included, as a reader counts them); `usize::MAX` where none does. One pass with a stack.
fn closing_braces(s: &str) -> Vec<usize> {
    let mut close = vec![usize::MAX; s.len()];
    let mut open = Vec::new();
    for (i, b) in s.bytes().enumerate() {
        match b {
            b'{' => open.push(i),
            b'}' => {
                if let Some(o) = open.pop() {
                    close[o] = i;
                }
            }
            _ => {}
        }
    }
    close
}

/// For `?STATE:TEXT`, the state name and whether TEXT shows; None for other placeholders.
fn conditional<'a>(
    inner: &'a str,
    counts: &Counts,
) -> Result<Option<(&'a str, bool)>, FormatError> {
    let Some(cond) = inner.strip_prefix('?') else {
        return Ok(None);
    };
    let unknown = || FormatError::Unknown(inner.to_string());
    let (full, _) = cond.split_once(':').ok_or_else(unknown)?;
    let (counts, name) = scoped(counts, full);
    let n = match name {
        "any" => counts.total(),
        "none" => usize::from(counts.total() == 0),
        "unreachable" => counts.unreachable,
        "waited" => usize::from(counts.waited_ms > 0),
        _ => count(counts, named(name).ok_or_else(unknown)?),
    };
    Ok(Some((full, n > 0)))
}

/// `waiting@box`: host `box`'s counts and `waiting`; a name without `@`, all of them.
fn scoped<'a>(counts: &'a Counts, name: &'a str) -> (&'a Counts, &'a str) {
    match name.split_once('@') {
        Some((name, host)) => (
            counts
                .per_host
                .get(host)
                .unwrap_or(&crate::statusline::counts::NONE),
            name,
        ),
        None => (counts, name),
    }
}

/// What a name in a placeholder counts: a state, or `done`.
#[derive(Debug, Clone, Copy)]
enum Name {
    State(State),
    Done,
}

fn named(name: &str) -> Option<Name> {
    if name == "done" {
        return Some(Name::Done);
    }
    State::ALL
        .into_iter()
        .find(|s| s.as_str() == name)
        .map(Name::State)
}

fn count(counts: &Counts, name: Name) -> usize {
    match name {
        Name::State(s) => counts.get(s),
        Name::Done => counts.done,
    }
}

/// `name`'s symbol and tmux colour.
fn looks(style: &Style, name: Name) -> (&str, &str) {
    match name {
        Name::State(s) => {
            let i = State::ALL.iter().position(|x| *x == s).unwrap_or(0);
            (&style.symbols[i], &style.colours[i])
        }
        Name::Done => (&style.done.0, &style.done.1),
    }
}

fn placeholder(
    inner: &str,
    counts: &Counts,
    style: &Style,
    out: &mut String,
) -> Result<(), FormatError> {
    let unknown = || FormatError::Unknown(inner.to_string());
    if let Some(name) = inner.strip_prefix("sym:") {
        let n = named(name).ok_or_else(unknown)?;
        out.push_str(looks(style, n).0);
        return Ok(());
    }
    if let Some(name) = inner.strip_prefix("fg:") {
        let n = named(name).ok_or_else(unknown)?;
        if !style.plain {
            out.push_str(&format!("#[fg={}]", looks(style, n).1));
        }
        return Ok(());
    }
    let (counts, inner) = scoped(counts, inner);
    match inner {
        "total" => out.push_str(&counts.total().to_string()),
        "unreachable" => out.push_str(&counts.unreachable.to_string()),
        "waited" => out.push_str(&crate::tui::text::duration(counts.waited_ms)),
        "reset" if !style.plain => out.push_str("#[default]"),
        "reset" => {}
        "title" => {
            let t = counts.top_title.as_deref().unwrap_or("");
            if style.plain {
                out.push_str(&clean(t));
            } else {
                out.push_str(&for_tmux(t));
            }
        }
        name => out.push_str(&count(counts, named(name).ok_or_else(unknown)?).to_string()),
    }
    Ok(())
}

#[cfg(test)]
mod tests;
