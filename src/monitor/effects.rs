//! Effects the monitor's state asks for, performed outside drawing: quitting, a refresh, the
//! clipboard; a jump, an answer and reading MCP configuration on the collector's thread (an
//! answer needs the source; either may wait on ssh; files are read off the UI thread), their
//! outcome on the footer.

use std::sync::mpsc::Sender;

use super::clipboard;
use super::event::Request;
use super::options::MonitorOptions;
use super::state::{App, Effect};
use crate::error::Error;
use crate::jump::Here;

/// Performs one effect; true means quit.
pub(super) fn perform(
    effect: Effect,
    app: &mut App,
    req_tx: &Sender<Request>,
    out: &mut std::io::Stdout,
    opts: &MonitorOptions,
) -> bool {
    match effect {
        Effect::Quit => return true,
        Effect::Refresh => {
            let _ = req_tx.send(Request::Refresh);
        }
        Effect::Copy(id) => {
            let msg = clipboard::copy(&id, out, &opts.clipboard);
            app.post(msg, false);
        }
        Effect::Jump(row) => {
            let here =
                Here::new(None, app.snapshot.demo, opts.marks.clone()).with_hosts(&opts.hosts);
            if let Some(host) = &row.host {
                app.post(format!("jumping to {host}…"), false);
            }
            let _ = req_tx.send(Request::Jump(row, Box::new(here)));
        }
        Effect::Answer(order) => {
            let _ = req_tx.send(Request::Answer(order));
        }
        Effect::LoadMcp(dir) => {
            let _ = req_tx.send(Request::Mcp {
                dir,
                global: opts.opencode_config_dir.clone(),
                demo: app.snapshot.demo,
            });
        }
    }
    false
}

/// What became of a jump or an answer, on the footer.
pub(super) fn acted(app: &mut App, said: Result<String, Error>) {
    match said {
        Ok(line) => app.post(line, false),
        Err(e) => app.post(e.to_string(), true),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jump::{self, Went};
    use crate::model::row::Row;
    use crate::model::row::TmuxLocation;
    use crate::model::state::{State, Status};
    use crate::tui::theme::Theme;

    /// A session on another tmux server is never switched to against this one: the footer
    /// says how to reach it instead.
    #[test]
    fn a_jump_to_another_server_explains_instead_of_moving_a_client() {
        let mut app = App::new(0, Theme::default());
        let row = Row {
            process: None,
            session: None,
            status: Status::new(State::Idle, "idle"),
            matched: None,
            tmux: Some(TmuxLocation {
                socket: "/nonexistent/other-server".into(),
                pane_id: "%9".into(),
                target: "s:1.0".into(),
                session: "s".into(),
                window: 1,
                window_name: "w".into(),
                host: None,
            }),
            unseen: false,
            certain: false,
            host: None,
        };
        let here = Here {
            current_socket: Some("/nonexistent/this-server".into()),
            ..Here::default()
        };
        acted(&mut app, jump::go(&row, &here).map(Went::text));
        let note = app.note.expect("a note");
        assert!(note.error);
        assert!(note.text.contains("another tmux server"), "{}", note.text);
        assert!(
            note.text
                .contains("tmux -S /nonexistent/other-server attach -t s:1.0")
        );
    }

    /// `o` on the demo moves no client of the user's tmux, whatever `$TMUX` says: it says
    /// where the jump would go.
    #[test]
    fn a_demo_jump_says_where_it_would_go() {
        let mut app = App::new(0, Theme::default());
        app.ingest(crate::collect::demo::snapshot(
            &crate::collect::Focus::default(),
            0,
        ));
        let row = app
            .snapshot
            .rows
            .iter()
            .find(|r| r.tmux.is_some())
            .cloned()
            .expect("a demo row in a pane");
        let here = Here::new(None, app.snapshot.demo, None);
        assert!(here.demo);
        acted(&mut app, jump::go(&row, &here).map(Went::text));
        let note = app.note.expect("a note");
        assert!(!note.error);
        assert!(
            note.text.starts_with("demo: would jump to "),
            "{}",
            note.text
        );
    }
}
