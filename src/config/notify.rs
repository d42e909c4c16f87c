//! `[notify]`: when and how otop tells you that a session needs you or finished.

use serde::Deserialize;

use crate::error::Error;
use crate::model::transition::Kind;

/// How tmux tells: a message on the clients' status line, or the bell in the session's window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TmuxAlert {
    Message,
    Bell,
}

impl TmuxAlert {
    pub fn as_str(self) -> &'static str {
        match self {
            TmuxAlert::Message => "message",
            TmuxAlert::Bell => "bell",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Notify {
    pub on: Vec<Kind>,
    /// Seconds a state must last before it is told.
    pub hold_secs: f64,
    pub desktop: bool,
    pub tmux: Vec<TmuxAlert>,
    /// A program and its arguments, run without a shell for each notification.
    pub command: Vec<String>,
}

impl Default for Notify {
    fn default() -> Self {
        Notify {
            on: Kind::ALL.to_vec(),
            hold_secs: 3.0,
            desktop: true,
            tmux: vec![TmuxAlert::Message],
            command: Vec::new(),
        }
    }
}

impl Notify {
    /// Whether any channel is on and anything is to be told.
    pub fn any(&self) -> bool {
        !self.on.is_empty() && (self.desktop || !self.tmux.is_empty() || !self.command.is_empty())
    }

    /// The settings in one line, as the sending process records them for `otop doctor`.
    pub fn describe(&self) -> String {
        let mut channels = Vec::new();
        if self.desktop {
            channels.push("desktop".to_string());
        }
        channels.extend(self.tmux.iter().map(|t| format!("tmux {}", t.as_str())));
        if !self.command.is_empty() {
            channels.push(format!("command {}", self.command.join(" ")));
        }
        let on: Vec<&str> = self.on.iter().map(|k| k.as_str()).collect();
        format!(
            "{}; on {}; hold {}s",
            if channels.is_empty() {
                "no channel".into()
            } else {
                channels.join(", ")
            },
            if on.is_empty() {
                "nothing".into()
            } else {
                on.join(", ")
            },
            self.hold_secs
        )
    }

    /// Why the values cannot be used, if they cannot.
    pub fn check(&self) -> Result<(), Error> {
        if !(0.0..=HOLD_MAX_SECS).contains(&self.hold_secs) {
            return Err(Error::Config(format!(
                "notify.hold_secs: must be between 0 and {HOLD_MAX_SECS} seconds"
            )));
        }
        if self.command.first().is_some_and(|c| c.is_empty()) {
            return Err(Error::Config(
                "notify.command: the program (its first word) is empty".into(),
            ));
        }
        Ok(())
    }
}

/// The longest hold a state may be asked to last.
const HOLD_MAX_SECS: f64 = 3600.0;
