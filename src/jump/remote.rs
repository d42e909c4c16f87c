//! A jump to a session on another machine: that machine's otop moves its tmux client to the
//! pane (`otop jump --any-client`, over ssh), and here the pane running ssh to that host, if
//! one does, is brought in front. Otherwise the line says how to attach.

use super::{Here, Went, jump_to};
use crate::collect::hosts::host_error;
use crate::config::hosts::Host;
use crate::error::Error;
use crate::model::row::{Row, TmuxLocation};
use crate::model::sanitize::clean;
use crate::source::remote::{self, once};
use crate::source::tmux;

pub(super) fn go(row: &Row, name: &str, here: &Here) -> Result<Went, Error> {
    let host = here
        .hosts
        .iter()
        .find(|h| h.name == name)
        .ok_or_else(|| Error::Refused(format!("{name}: not a configured host")))?;
    let target = row
        .target_there()
        .ok_or_else(|| Error::Refused(format!("{name}: nothing to jump to")))?;
    let attach = attach_line(host, row);
    if row.tmux.is_none() {
        return Err(Error::Refused(format!(
            "{} on {name} is not in a tmux pane",
            super::name(row)
        )));
    }
    let args = ["jump", "--any-client", "--", target.as_str()];
    let remote = host.remote();
    let there = once::start(
        &remote,
        &args,
        remote.timeout + std::time::Duration::from_secs(5),
    )
    .wait()
    .map_err(|why| host_error(name, why, Some(format!("to attach there: {attach}"))))?;
    if let (Some(marks), Some(id)) = (&here.marks, row.session_id()) {
        let _ = crate::source::unseen::clear(marks, id);
    }
    let there = crate::model::text::cut(&clean(there.trim()), 500).into_owned();
    match ssh_pane(host, here) {
        Some(pane) => {
            jump_to(&pane, here.client.as_deref())?;
            Ok(Went::Jumped(format!(
                "{name}: {there}; here: {} (ssh {})",
                clean(&pane.target),
                clean(&host.ssh)
            )))
        }
        None => Ok(Went::Jumped(format!(
            "{name}: {there}; no pane here runs ssh to {name}: {attach}"
        ))),
    }
}

/// The command that shows the row's pane from here.
fn attach_line(host: &Host, row: &Row) -> String {
    let Some(t) = &row.tmux else {
        return format!("ssh {}", clean(&host.ssh));
    };
    format!(
        "ssh -t {} tmux -S {} attach -t {}",
        clean(&host.ssh),
        remote::quote(&clean(&t.socket)),
        remote::quote(&clean(&t.target))
    )
}

/// The pane of this machine's reachable tmux servers whose terminal an interactive ssh to
/// `host` runs on; on the server otop runs under first.
fn ssh_pane(host: &Host, here: &Here) -> Option<TmuxLocation> {
    let ttys: Vec<String> = crate::source::process::named(|n| n == "ssh")
        .into_iter()
        .filter(|p| goes_to(&p.argv, &host.ssh))
        .filter_map(|p| p.tty)
        .collect();
    if ttys.is_empty() {
        return None;
    }
    let mut servers: Vec<String> = here.current_socket.iter().cloned().collect();
    for s in tmux::servers(tmux::user_sockets(), &[]) {
        if !servers.iter().any(|c| tmux::same_socket(c, &s)) {
            servers.push(s);
        }
    }
    // Only a pane of the server the client is on can be jumped to.
    if let Some(cur) = &here.current_socket {
        servers.retain(|s| tmux::same_socket(s, cur));
    }
    servers.iter().find_map(|s| {
        let panes = tmux::list_panes(s).ok()?;
        panes
            .iter()
            .find(|p| ttys.contains(&p.tty))
            .map(TmuxLocation::from)
    })
}

/// Whether an ssh command line is a person's session to `dest`: `dest` (or `user@dest`) among
/// its arguments, and not one of otop's own calls (no terminal, batch mode).
fn goes_to(argv: &[String], dest: &str) -> bool {
    let ours = argv.iter().any(|a| a == "-T") && argv.iter().any(|a| a == "BatchMode=yes");
    let bare = dest.rsplit('@').next().unwrap_or(dest);
    !ours
        && argv
            .iter()
            .skip(1)
            .any(|a| a == dest || a == bare || a.rsplit_once('@').is_some_and(|(_, h)| h == bare))
}

#[cfg(test)]
mod tests {
    use super::goes_to;

    fn v(s: &str) -> Vec<String> {
        s.split(' ').map(str::to_string).collect()
    }

    #[test]
    fn a_persons_ssh_to_the_host_is_found_and_otops_own_is_not() {
        assert!(goes_to(&v("ssh box"), "box"));
        assert!(goes_to(&v("ssh -p 2222 me@box"), "box"));
        assert!(goes_to(&v("ssh box"), "me@box"));
        assert!(!goes_to(&v("ssh boxer"), "box"));
        assert!(!goes_to(
            &v("ssh -T -o BatchMode=yes -- box otop 'serve'"),
            "box"
        ));
    }
}
