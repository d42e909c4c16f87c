//! Driving a session through the companion plugin's channel (the socket answers take): a
//! prompt or an abort by session id, which the plugin sends to opencode's own server routes
//! and confirms from opencode's events. A plugin from before these ops leaves the pane.

use std::path::PathBuf;

use serde_json::json;

use super::{Act, taken};
use crate::error::Error;
use crate::model::row::Row;
use crate::paths::Env;
use crate::reply::channel;

/// The plugin's socket for a row's process, checked to be this user's.
pub struct Channel(PathBuf);

/// The channel of `row`'s process when its plugin reports and takes prompts and aborts; None
/// when there is none (no plugin, or one from before these ops), so the pane is tried.
pub fn channel(row: &Row, env: &Env) -> Result<Option<Channel>, Error> {
    let Some(p) = row.process.as_ref().filter(|p| p.plugin) else {
        return Ok(None);
    };
    let socket = channel::socket_of(&p.info, env);
    if !socket.exists() {
        return Ok(None);
    }
    channel::check(&socket).map_err(|why| Error::Channel {
        what: "the companion plugin's channel",
        why,
    })?;
    let ping = channel::ask(&socket, &json!({"op": "ping"})).map_err(|why| Error::Channel {
        what: "the companion plugin",
        why,
    })?;
    let ops = ping["ops"].as_array().cloned().unwrap_or_default();
    let takes = ops.iter().any(|o| o == "prompt") && ops.iter().any(|o| o == "abort");
    Ok(takes.then_some(Channel(socket)))
}

/// Sends `act` for `row`'s session and waits until opencode took it.
pub fn act(
    channel: &Channel,
    row: &Row,
    env: &Env,
    act: &Act,
    since: i64,
    again: &mut dyn FnMut() -> Option<Row>,
) -> Result<String, Error> {
    let session = row.session_id().unwrap_or_default();
    let request = match act {
        Act::Send(text) => json!({"op": "prompt", "session": session, "text": text}),
        Act::Interrupt => json!({"op": "abort", "session": session}),
        Act::End { .. } => return Err(Error::Refused("the plugin ends no process".into())),
    };
    channel::ask(&channel.0, &request)
        .and_then(|a| channel::outcome(&a))
        .map_err(|why| Error::Channel {
            what: "the companion plugin",
            why,
        })?;
    match act {
        Act::Send(text) => taken::message(row, env, text, since)?,
        _ => taken::turn_over(again)?,
    }
    Ok("through the companion plugin".into())
}
