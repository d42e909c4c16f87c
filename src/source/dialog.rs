//! opencode's permission and question dialogs as `capture-pane -e -p` shows them (1.18): what a
//! dialog asks and which of its options is selected, so an answer typed into the pane goes to
//! the request it is meant for. A pure parser of the capture; nothing here touches tmux.
//!
//! The dialog is a box with a `┃` left border. Each of its lines ends where the background
//! returns to the screen's (the sidebar beside it has a background of its own), and the
//! selected option of a permission is the one label drawn on another background than the bar.

/// A dialog on screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dialog {
    /// "△ Permission required": the body lines (the tool's title, `$ command`, …) and the
    /// options `Allow once`, `Allow always`, `Reject`, with the selected one when it can be told.
    Permission {
        body: Vec<String>,
        options: Vec<String>,
        selected: Option<usize>,
    },
    /// "△ Always allow", after `Allow always`: `Confirm`, `Cancel`.
    AlwaysConfirm { selected: Option<usize> },
    /// "Reject permission" with a message box (a subagent's permission).
    RejectMessage,
    /// One question: its text, its options' labels (the typed answer's `Type your own answer`
    /// left out, `custom` instead), and the typed-answer box's text while it is open.
    Question {
        text: String,
        options: Vec<String>,
        custom: bool,
        /// Several questions (tabs and a confirm step): not answered from outside.
        tabs: bool,
        typing: Option<String>,
    },
}

pub mod prompt;

const BORDER: char = '┃';
const CUSTOM: &str = "Type your own answer";
const PERMISSION_OPTIONS: [&str; 3] = ["Allow once", "Allow always", "Reject"];

/// One drawn cell: its character and the background it was drawn on (the SGR parameters that
/// set it, `None` for the terminal's default).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Cell {
    ch: char,
    bg: Option<String>,
}

/// The cells of one captured line, backgrounds tracked through SGR sequences (other escape
/// sequences are skipped) from `bg`, where the line before left it: `capture-pane -e` writes
/// only what changes from one cell to the next, across the ends of lines too.
fn cells(line: &str, bg: &mut Option<String>) -> Vec<Cell> {
    let mut out = Vec::new();
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            if !c.is_control() {
                out.push(Cell {
                    ch: c,
                    bg: bg.clone(),
                });
            }
            continue;
        }
        if chars.peek() != Some(&'[') {
            chars.next();
            continue;
        }
        chars.next();
        let mut params = String::new();
        let mut end = None;
        for c in chars.by_ref() {
            if ('\u{40}'..='\u{7e}').contains(&c) {
                end = Some(c);
                break;
            }
            params.push(c);
        }
        if end == Some('m') {
            apply_sgr(&params, bg);
        }
    }
    out
}

/// Follows the background through one SGR sequence's parameters.
fn apply_sgr(params: &str, bg: &mut Option<String>) {
    let p: Vec<&str> = params.split(';').collect();
    let mut i = 0;
    while i < p.len() {
        match p[i] {
            "" | "0" | "49" => *bg = None,
            "48" => {
                let n = if p.get(i + 1) == Some(&"2") { 5 } else { 3 };
                *bg = Some(p[i..(i + n).min(p.len())].join(";"));
                i += n - 1;
            }
            // Foreground colours carry arguments too: skip them.
            "38" | "58" => i += if p.get(i + 1) == Some(&"2") { 4 } else { 2 },
            code => {
                if let Ok(n) = code.parse::<u16>()
                    && ((40..=47).contains(&n) || (100..=107).contains(&n))
                {
                    *bg = Some(code.to_string());
                }
            }
        }
        i += 1;
    }
}

/// The part of a line inside a dialog: after the first `┃`, up to where the background
/// returns to the line's own.
fn inside(line: &[Cell]) -> Option<&[Cell]> {
    let start = line.iter().position(|c| c.ch == BORDER)? + 1;
    let screen = &line.first()?.bg;
    let rest = &line[start..];
    // Drawn without a background of its own (no colours): the whole rest of the line.
    if rest.first().is_some_and(|c| &c.bg == screen) {
        return Some(rest);
    }
    let end = rest
        .iter()
        .position(|c| &c.bg == screen)
        .unwrap_or(rest.len());
    Some(&rest[..end])
}

fn text(cells: &[Cell]) -> String {
    cells
        .iter()
        .map(|c| c.ch)
        .collect::<String>()
        .trim()
        .to_string()
}

/// The label among `labels` drawn on another background than the bar they stand on.
fn selected(line: &[Cell], labels: &[&str]) -> Option<usize> {
    let bar = &line.first()?.bg;
    let s: String = line.iter().map(|c| c.ch).collect();
    let mut odd = Vec::new();
    for (i, label) in labels.iter().enumerate() {
        let at = s[..s.find(label)?].chars().count();
        if &line.get(at)?.bg != bar {
            odd.push(i);
        }
    }
    match odd[..] {
        [one] => Some(one),
        _ => None,
    }
}

/// The dialog at the bottom of the pane, if one is open. opencode draws its live dialog where
/// the prompt box is, below everything else: only the lowest block of bordered lines, with
/// nothing but blank lines under it, is read. The transcript above is drawn in bordered blocks
/// too (messages, tool calls, a model's text), and any of it may look like a dialog.
pub fn parse(capture: &str) -> Option<Dialog> {
    let mut bg = None;
    let lines: Vec<Vec<Cell>> = capture.lines().map(|l| cells(l, &mut bg)).collect();
    let last = lines.iter().rposition(|l| !blank(l))?;
    let mut block: Vec<&[Cell]> = Vec::new();
    for line in lines[..=last].iter().rev() {
        match inside(line) {
            Some(l) => block.push(l),
            None => break,
        }
    }
    block.reverse();
    dialog(&block)
}

fn blank(line: &[Cell]) -> bool {
    line.iter().all(|c| c.ch.is_whitespace())
}

fn dialog(block: &[&[Cell]]) -> Option<Dialog> {
    let texts: Vec<String> = block.iter().map(|l| text(l)).collect();
    let has = |t: &str| texts.iter().position(|l| l.contains(t));
    // A dialog's title is its first line; its options come after it.
    let first = texts.iter().position(|l| !l.is_empty())?;
    let after = |at: usize, ok: &dyn Fn(&str) -> bool| {
        texts[at + 1..]
            .iter()
            .position(|l| ok(l))
            .map(|i| at + 1 + i)
    };
    if texts[first].contains("Permission required") {
        let opts = after(first, &|l| PERMISSION_OPTIONS.iter().all(|o| l.contains(o)))?;
        return Some(Dialog::Permission {
            body: texts[first + 1..opts]
                .iter()
                .filter(|l| !l.is_empty())
                .cloned()
                .collect(),
            options: PERMISSION_OPTIONS.map(String::from).to_vec(),
            selected: selected(block[opts], &PERMISSION_OPTIONS),
        });
    }
    if texts[first].contains("Always allow") {
        let opts = after(first, &|l| l.contains("Confirm") && l.contains("Cancel"))?;
        return Some(Dialog::AlwaysConfirm {
            selected: selected(block[opts], &["Confirm", "Cancel"]),
        });
    }
    if has("Reject permission").is_some() {
        return Some(Dialog::RejectMessage);
    }
    // A question's footer is its last line.
    let footer = texts.iter().rposition(|l| !l.is_empty())?;
    let hint = &texts[footer];
    if !(hint.contains("esc dismiss") && hint.contains("enter")) {
        return None;
    }
    question(&texts[first..footer], hint.contains("⇆"))
}

/// `1. Red` → (1, `Red`); a picked option's `✓` is not part of its label.
fn option(line: &str) -> Option<(usize, String)> {
    let (n, label) = line.split_once(". ")?;
    let n = n.parse().ok()?;
    Some((n, label.trim_end_matches('✓').trim().to_string()))
}

fn question(lines: &[String], tabs: bool) -> Option<Dialog> {
    let first = lines
        .iter()
        .position(|l| option(l).is_some_and(|(n, _)| n == 1))?;
    let text = lines[..first]
        .iter()
        .filter(|l| !l.is_empty())
        .cloned()
        .collect::<Vec<_>>()
        .join(" ");
    let mut options = Vec::new();
    let mut custom = false;
    let mut typing = None;
    for (i, l) in lines.iter().enumerate().skip(first) {
        match option(l) {
            Some((n, label)) if n == options.len() + 1 && label == CUSTOM => {
                custom = true;
                // The box under it, its text wrapped over as many lines as it takes.
                let text: Vec<&str> = lines[i + 1..]
                    .iter()
                    .map(String::as_str)
                    .filter(|t| !t.is_empty())
                    .collect();
                typing = (!text.is_empty()).then(|| text.join(" "));
                break;
            }
            Some((n, label)) if n == options.len() + 1 => options.push(label),
            _ => {}
        }
    }
    Some(Dialog::Question {
        text,
        options,
        custom,
        tabs,
        typing,
    })
}

/// Text compared without its whitespace: the dialog wraps long lines where it likes.
pub fn squeezed(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[cfg(test)]
mod tests;
