//! `otop pick`: a compact session picker for `tmux display-popup -E`; enter jumps to the pane.

pub mod keymap;
pub mod state;
pub mod view;

use std::process::ExitCode;

use crate::error::{Error, Result};

use crossterm::event::{self, Event, KeyEventKind};

use crate::collect::{Collector, CollectorOptions, Focus, Source, now_ms};
use crate::jump::{self, Here, Went};
use crate::model::select;
use crate::paths::Env;
use crate::tui::terminal::{self, Screen};
use crate::tui::theme::Theme;
use state::{Outcome, Picker};

/// What the picker needs, built by the command line from flags and the configuration file.
#[derive(Debug, Clone)]
pub struct PickOptions {
    pub collector: CollectorOptions,
    pub keymap: keymap::Keymap,
    pub theme: Theme,
    /// The tmux client to move (the popup binding passes `#{client_name}`).
    pub client: Option<String>,
    pub env: Env,
}

pub fn run(opts: PickOptions) -> Result<ExitCode> {
    let here = Here::from_env(opts.client.clone(), &opts.env);
    let snap = Collector::new(opts.collector, opts.env).collect(&Focus::default(), now_ms());
    let mut picker = Picker::new(select::sessions(snap.rows, false));
    picker.keymap = opts.keymap;
    if let Some(e) = snap.db_error {
        picker.message = Some(e);
    }

    let mut terminal = terminal::setup(Screen::Picker)?;
    let result = loop {
        if let Err(e) = terminal.draw(|f| view::draw(f, &picker, &opts.theme)) {
            break Err(Error::Terminal(e));
        }
        let key = match event::read() {
            Ok(Event::Key(k)) if k.kind != KeyEventKind::Release => k,
            Ok(_) => continue,
            Err(e) => break Err(Error::Terminal(e)),
        };
        let action = picker.key_to_action(key);
        match picker.apply(action) {
            Outcome::Continue => {}
            Outcome::Cancel => break Ok(None),
            Outcome::Pick(i) => match jump::go(&picker.rows()[i], &here) {
                Ok(Went::Jumped(_)) => break Ok(None),
                Ok(Went::Print(text)) => break Ok(Some(text)),
                Err(Error::Refused(why)) => picker.message = Some(why),
                Err(e) => picker.message = Some(format!("jump failed: {e}")),
            },
        }
    };
    terminal::restore();
    match result {
        Ok(Some(text)) => crate::outln!("{text}")?,
        Ok(None) => {}
        Err(e) => return Err(e),
    }
    Ok(ExitCode::SUCCESS)
}
