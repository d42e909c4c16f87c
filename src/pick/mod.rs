//! `otop pick`: a compact session picker for `tmux display-popup -E`; enter jumps to the pane.

pub mod keymap;
pub mod state;
pub mod view;

use std::process::ExitCode;

use crossterm::event::{self, Event, KeyEventKind};

use crate::collect::{Collector, Env, Focus, Source, now_ms};
use crate::jump::{self, Plan};
use crate::model::row::{Row, sort_by_urgency};
use state::{Outcome, Picker};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// tmux client to move (the popup binding passes #{client_name})
    #[arg(long, value_name = "NAME")]
    pub client: Option<String>,
}

/// Sessions worth picking, most urgent first.
pub fn pickable(rows: Vec<Row>) -> Vec<Row> {
    let mut rows: Vec<Row> = rows
        .into_iter()
        .filter(|r| r.is_primary() && r.session.is_some())
        .collect();
    sort_by_urgency(&mut rows);
    rows
}

pub fn run(args: &Args, ctx: &crate::cli::Ctx) -> Result<ExitCode, String> {
    let snap =
        Collector::new(ctx.collector(), Env::from_process()).collect(&Focus::default(), now_ms());
    let mut picker = Picker::new(pickable(snap.rows));
    picker.keymap = keymap::Keymap::new(&ctx.config.picker);
    if let Some(e) = snap.db_error {
        picker.message = Some(e);
    }
    let colour = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && ctx.config.monitor.theme != crate::config::ThemeName::None;
    let current = jump::current_socket();
    let client = args.client.as_deref();

    let mut terminal = ratatui::init();
    let result = loop {
        if let Err(e) = terminal.draw(|f| view::draw(f, &picker, colour)) {
            break Err(e.to_string());
        }
        let key = match event::read() {
            Ok(Event::Key(k)) if k.kind != KeyEventKind::Release => k,
            Ok(_) => continue,
            Err(e) => break Err(e.to_string()),
        };
        let action = picker.key_to_action(key);
        match picker.apply(action) {
            Outcome::Continue => {}
            Outcome::Cancel => break Ok(None),
            Outcome::Pick(i) => match jump::plan(&picker.rows()[i], current.as_deref(), client) {
                Plan::Jump(loc) => match jump::jump_to(&loc, client) {
                    Ok(_) => break Ok(None),
                    Err(e) => picker.message = Some(format!("jump failed: {e}")),
                },
                Plan::Explain(why) => picker.message = Some(why),
                Plan::Print(text) => break Ok(Some(text)),
            },
        }
    };
    ratatui::restore();
    match result {
        Ok(Some(text)) => println!("{text}"),
        Ok(None) => {}
        Err(e) => return Err(e),
    }
    Ok(ExitCode::SUCCESS)
}
