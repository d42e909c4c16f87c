//! Effects the monitor's state asks for, performed outside drawing: quitting, a refresh, the
//! clipboard, a jump, reading MCP configuration.

use std::path::Path;
use std::sync::mpsc::Sender;

use super::clipboard;
use super::event::Request;
use super::options::MonitorOptions;
use super::state::{App, Effect};
use crate::source::opencode_config as mcp;

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
        Effect::Jump(loc) => match crate::jump::jump_to(&loc, None) {
            Ok(msg) => app.post(msg, false),
            Err(e) => app.post(e.to_string(), true),
        },
        Effect::LoadMcp(dir) => {
            let global = opts.opencode_config_dir.as_deref();
            app.set_mcp(mcp::load(global, dir.as_deref().map(Path::new)));
        }
    }
    false
}
