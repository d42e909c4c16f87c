//! `otop reply`: answer a session's pending permission or question from a script.

use std::process::ExitCode;

use crate::collect::now_ms;
use crate::error::{Error, Result};
use crate::model::request::Answer;
use crate::model::request::Order;

/// The answers to a permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Reply {
    /// Allow it this once
    Once,
    /// Allow it, and what matches it, until opencode restarts
    Always,
    /// Reject it
    Reject,
}

#[derive(Debug, clap::Args)]
#[command(group = clap::ArgGroup::new("answer").required(true).args(["reply", "option", "text"]))]
pub struct Args {
    /// A session id (ses_…), the pid of its opencode process, its tmux pane (%5) or tty
    pub target: String,
    /// The answer to a permission
    #[arg(value_enum)]
    pub reply: Option<Reply>,
    /// Choose the question's option N (from 1)
    #[arg(long, value_name = "N")]
    pub option: Option<usize>,
    /// Answer the question with this text (where it takes a typed answer)
    #[arg(long, value_name = "TEXT", allow_hyphen_values = true)]
    pub text: Option<String>,
    /// Answer only this request (its id, from `otop sessions --json`): refused once it is no
    /// longer pending
    #[arg(long, value_name = "ID")]
    pub request: Option<String>,
}

pub fn run(args: &Args, ctx: &super::Ctx) -> Result<ExitCode> {
    let answer = match (args.reply, args.option, &args.text) {
        (Some(Reply::Once), ..) => Answer::Once,
        (Some(Reply::Always), ..) => Answer::Always,
        (Some(Reply::Reject), ..) => Answer::Reject,
        (_, Some(n), _) => Answer::Option(n),
        (_, _, Some(t)) => Answer::Text(t.clone()),
        _ => {
            return Err(Error::Invalid(
                "once, always, reject, --option or --text".into(),
            ));
        }
    };
    let said = give(ctx, &args.target, args.request.clone(), answer)?;
    crate::outln!("{said}")?;
    Ok(ExitCode::SUCCESS)
}

/// Answers the session `target` names, as found now (where it can be, nearest first; the
/// source that found it answers it): what was done, in a line. `otop reply` and an answer
/// sent from another machine (`otop serve --reply`) both come here.
pub(super) fn give(
    ctx: &super::Ctx,
    target: &str,
    request: Option<String>,
    answer: Answer,
) -> Result<String> {
    let (mut source, _, row) = ctx.find(target)?;
    let order = Order {
        row,
        request,
        answer,
    };
    source.answer(&order, now_ms())
}

/// `otop doctor`'s line on answers: whether each process the companion plugin reports for
/// takes answers on its channel; `false` when a channel is there but unusable.
pub fn channels(env: &crate::paths::Env, rows: &[crate::model::row::Row]) -> (bool, String) {
    use crate::reply::{channel, pane};
    let mut pids = std::collections::BTreeMap::new();
    for p in rows.iter().filter_map(|r| r.process.as_ref()) {
        if p.plugin {
            pids.insert(p.info.pid, &p.info);
        }
    }
    let log = env
        .otop_state_dir()
        .map(|d| {
            format!(
                "; answers are logged to {}",
                d.join("answers.log").display()
            )
        })
        .unwrap_or_default();
    if pids.is_empty() {
        return (
            true,
            format!(
                "no process reports through the companion plugin: answers are typed into the \
                 session's pane, on opencode {} only{log}",
                pane::PROVEN.join(", ")
            ),
        );
    }
    let (mut up, mut old, mut broken) = (0, 0, Vec::new());
    for (pid, info) in &pids {
        let socket = channel::socket_of(info, env);
        if !socket.exists() {
            old += 1;
            continue;
        }
        match channel::ping(&socket) {
            Ok(_) => up += 1,
            Err(why) => broken.push(format!("pid {pid}: {why}")),
        }
    }
    let mut text = format!(
        "{up} of {} plugin processes take answers on their channel",
        pids.len()
    );
    if old > 0 {
        text.push_str(&format!(
            "; {old} without one (a plugin from before answers: restart those sessions; \
             meanwhile answers are typed into their panes)"
        ));
    }
    for b in &broken {
        text.push_str(&format!("; {b}"));
    }
    text.push_str(&log);
    (broken.is_empty(), text)
}
