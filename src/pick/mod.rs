//! `otop pick`: a compact session picker for `tmux display-popup -E`; enter jumps to the pane,
//! and the answer keys answer the selected session's permission or question.

pub mod keymap;
pub mod state;
pub mod view;

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::error::{Error, Result};

use crossterm::event::{self, Event, KeyEventKind};

use crate::collect::{Focus, Source, now_ms};
use crate::interact::answer;
use crate::jump::{self, Here, Went};
use crate::model::select;
use crate::tui::terminal::{self, Screen};
use crate::tui::theme::Theme;
use state::{Outcome, Picker};

/// What the picker needs, built by the command line from flags and the configuration file.
#[derive(Debug, Clone)]
pub struct PickOptions {
    pub keymap: keymap::Keymap,
    pub theme: Theme,
    /// The tmux client to move (the popup binding passes `#{client_name}`).
    pub client: Option<String>,
    /// The unseen marks' file: picking a session clears its mark.
    pub marks: Option<std::path::PathBuf>,
    /// `[[hosts]]`: picking a row of one jumps through ssh.
    pub hosts: Vec<crate::config::hosts::Host>,
    /// `[drive] end_grace`: how long alt-e's end waits before SIGKILL.
    pub end_grace: std::time::Duration,
}

/// `asking box, vm…` while some host has not answered yet.
fn waiting_for(hosts: &[crate::collect::hosts::HostState]) -> Option<String> {
    let names: Vec<&str> = hosts
        .iter()
        .filter(|h| h.is_asking())
        .map(|h| h.name.as_str())
        .collect();
    (!names.is_empty()).then(|| format!("asking {}…", names.join(", ")))
}

/// The hosts that did not answer, in one line.
fn down_line(snap: &crate::collect::Snapshot) -> Option<String> {
    let lines: Vec<String> = snap.hosts.iter().filter_map(|h| h.line()).collect();
    (!lines.is_empty()).then(|| lines.join(" · "))
}

/// Collects once from `source`, then runs the picker until a pick or a cancel.
pub fn run(opts: PickOptions, mut source: Box<dyn Source>) -> Result<ExitCode> {
    let woken = Arc::new(AtomicBool::new(false));
    let flag = woken.clone();
    source.wake_with(Arc::new(move || flag.store(true, Ordering::Relaxed)));
    let snap = source.collect(&Focus::default(), now_ms());
    let mut hosts_seen = snap.hosts.clone();
    let down = down_line(&snap);
    let mut picker = Picker::new(select::sessions(snap.rows, false));
    picker.keymap = opts.keymap;
    picker.hosts = !opts.hosts.is_empty();
    picker.end_grace = opts.end_grace;
    picker.message = snap
        .db_error
        .map(|e| e.to_string())
        .or(down)
        .or_else(|| waiting_for(&hosts_seen));
    let here =
        Here::new(opts.client.clone(), snap.demo, opts.marks.clone()).with_hosts(&opts.hosts);

    let mut terminal = terminal::setup(Screen::Picker)?;
    let result = loop {
        if let Err(e) = terminal.draw(|f| view::draw(f, &picker, &opts.theme)) {
            break Err(Error::Terminal(e));
        }
        // Until every host has answered (or failed), a host's link wakes the picker when it
        // comes or goes: this machine's rows are on screen at once, a host's join when they
        // come, and nothing is collected again meanwhile.
        if hosts_seen.iter().any(|h| h.is_asking()) {
            match event::poll(std::time::Duration::from_millis(100)) {
                Ok(false) => {
                    if woken.swap(false, Ordering::Relaxed) {
                        let snap = source.collect(&Focus::default(), now_ms());
                        hosts_seen = snap.hosts.clone();
                        let down = down_line(&snap);
                        picker.replace_rows(select::sessions(snap.rows, false));
                        picker.message = down.or_else(|| waiting_for(&hosts_seen));
                    }
                    continue;
                }
                Ok(true) => {}
                Err(e) => break Err(Error::Terminal(e)),
            }
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
                // The picker stays open: the user came to see it work.
                Ok(Went::Demo(text)) => picker.message = Some(text),
                Err(Error::Refused(why)) => picker.message = Some(why),
                Err(e) => picker.message = Some(format!("jump failed: {e}")),
            },
            Outcome::Drive(order) => {
                // Driving reads the world again and may wait for opencode: say so meanwhile.
                picker.message = Some(crate::interact::drive::acting(&order));
                let _ = terminal.draw(|f| view::draw(f, &picker, &opts.theme));
                let said =
                    crate::drive::act(&order, source.as_mut(), &crate::paths::Env::from_process());
                let snap = source.collect(&Focus::default(), now_ms());
                picker.replace_rows(select::sessions(snap.rows, false));
                picker.message = Some(said.unwrap_or_else(|e| e.to_string()));
            }
            Outcome::Answer(order) => {
                // Answering reads the world again and may wait for opencode: say so meanwhile.
                picker.message = Some(answer::sending(&order));
                let _ = terminal.draw(|f| view::draw(f, &picker, &opts.theme));
                let said = source.answer(&order, now_ms());
                // The rows as they are now: the answered one shows what became of it.
                let snap = source.collect(&Focus::default(), now_ms());
                picker.replace_rows(select::sessions(snap.rows, false));
                picker.message = Some(said.unwrap_or_else(|e| e.to_string()));
            }
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
