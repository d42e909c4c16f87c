//! opencode's prompt box and the line under it, as `capture-pane -e -p` shows them (1.18): what
//! the box holds, and whether a turn runs (`esc interrupt`) or the first `esc` of an interrupt
//! was pressed (`esc again to interrupt`). A message is typed only into an empty box seen on
//! screen, and an interrupt pressed only while a turn shows running. A pure parser.
//!
//! The box is the lowest block of `┃`-bordered lines, closed by a `╹▀▀…` line: a blank line,
//! the text (or the placeholder of a new session), a blank line, and the agent and model.

use super::{Cell, blank, cells, inside, text};

/// The placeholder of a new session's empty box.
const PLACEHOLDER: &str = "Ask anything";
const RUNNING: &str = "esc interrupt";
const ARMED: &str = "esc again to interrupt";

/// The prompt box on screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    /// What the box holds, its lines joined by spaces; empty when it shows only a placeholder.
    pub text: String,
    /// The line under the box says a turn runs.
    pub running: bool,
    /// The first `esc` of an interrupt was pressed: the next one interrupts.
    pub armed: bool,
}

/// The prompt box at the bottom of the pane, if it is there.
pub fn parse(capture: &str) -> Option<Prompt> {
    let mut bg = None;
    let lines: Vec<Vec<Cell>> = capture.lines().map(|l| cells(l, &mut bg)).collect();
    let bottom = lines.iter().rposition(|l| {
        let t = text(l);
        t.starts_with('╹') && t.contains('▀')
    })?;
    // Nothing but the lines under the box (hints, the directory, the turn's progress) below
    // it: a new session has two, others one.
    let under: Vec<String> = lines[bottom + 1..]
        .iter()
        .filter(|l| !blank(l))
        .map(|l| text(l))
        .collect();
    if under.len() > 2 {
        return None;
    }
    let footer = under.join(" ");
    let mut block: Vec<String> = Vec::new();
    for line in lines[..bottom].iter().rev() {
        match inside(line) {
            Some(l) => block.push(text(l)),
            None => break,
        }
    }
    block.reverse();
    // A blank line, the text, a blank line, the agent and model.
    let [first, body @ .., gap, agent] = block.as_slice() else {
        return None;
    };
    if !first.is_empty() || !gap.is_empty() || agent.is_empty() {
        return None;
    }
    let typed = body.join(" ").trim().to_string();
    let shown = if typed.starts_with(PLACEHOLDER) {
        String::new()
    } else {
        typed
    };
    Some(Prompt {
        text: shown,
        running: footer.contains(RUNNING) || footer.contains(ARMED),
        armed: footer.contains(ARMED),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    macro_rules! capture {
        ($name:literal) => {
            include_str!(concat!(
                "../../../tests/fixtures/prompt/opencode-1.18.33-",
                $name,
                ".ansi"
            ))
        };
    }

    fn prompt(text: &str, running: bool, armed: bool) -> Option<Prompt> {
        Some(Prompt {
            text: text.into(),
            running,
            armed,
        })
    }

    #[test]
    fn an_idle_box_new_or_not() {
        assert_eq!(
            parse(capture!("idle-new-session")),
            prompt("", false, false)
        );
        assert_eq!(parse(capture!("after-ctrl-u")), prompt("", false, false));
        assert_eq!(parse(capture!("after")), prompt("", false, false));
    }

    #[test]
    fn text_in_the_box() {
        assert_eq!(
            parse(capture!("typed-new-session")),
            prompt("-t %9 hello", false, false)
        );
    }

    #[test]
    fn a_running_turn_and_its_first_esc() {
        assert_eq!(parse(capture!("streaming")), prompt("", true, false));
        assert_eq!(parse(capture!("one-esc")), prompt("", true, true));
        assert_eq!(parse(capture!("two-esc")), prompt("", false, false));
    }

    /// A dialog in the box's place, or a screen of something else, is no prompt box.
    #[test]
    fn no_box() {
        let dialog = include_str!("../../../tests/fixtures/dialog/opencode-1.18.33-perm.ansi");
        assert_eq!(parse(dialog), None);
        assert_eq!(parse("$ ls\nfile\n$ "), None);
        assert_eq!(parse(""), None);
    }
}
