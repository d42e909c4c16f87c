//! The companion plugin's answer channel: a unix socket per opencode process,
//! `<opencode data>/otop/reply/<pid>.sock`, in a directory only this user can enter. Nothing is
//! sent unless the directory is a real directory of this user's that nobody else may enter,
//! and the socket is this user's too: the plugin answers whoever can connect.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;

use crate::error::answer::ChannelError;
use crate::paths;
use crate::source::file;
use crate::source::process::types::ProcessInfo;

/// The plugin waits up to 5 s for opencode to confirm an answer; a little more for the round
/// trip.
const TIMEOUT: Duration = Duration::from_secs(8);
/// The longest answer line read back.
const MAX_REPLY: u64 = 64 << 10;
/// The plugin's word for a request it no longer holds (`otop.js`): a kind of its protocol,
/// told apart here once.
const NOT_PENDING: &str = "no longer pending";

/// Where the plugin in `process` listens: its data directory, found as the plugin finds it
/// (`$XDG_DATA_HOME`, else `$HOME/.local/share`, in the process's environment; otop's own
/// where the process's cannot be read).
pub fn socket_of(process: &ProcessInfo, own: &paths::Env) -> PathBuf {
    crate::source::plugin::dir_of(process, own)
        .join("reply")
        .join(format!("{}.sock", process.pid))
}

/// Whether `socket` and its directory are this user's alone; if not, why.
pub fn check(socket: &Path) -> Result<(), ChannelError> {
    let me = file::uid().ok_or(ChannelError::NoUser)?;
    let dir = socket.parent().ok_or(ChannelError::NoDir)?;
    let stat = |path: &Path| {
        std::fs::symlink_metadata(path).map_err(|source| ChannelError::Stat {
            path: path.to_path_buf(),
            source,
        })
    };
    let d = stat(dir)?;
    if !d.file_type().is_dir() {
        return Err(ChannelError::NotDir(dir.to_path_buf()));
    }
    if d.uid() != me {
        return Err(ChannelError::Foreign(dir.to_path_buf()));
    }
    if d.permissions().mode() & 0o077 != 0 {
        return Err(ChannelError::Open {
            path: dir.to_path_buf(),
            mode: d.permissions().mode() & 0o777,
        });
    }
    let s = stat(socket)?;
    if !s.file_type().is_socket() || s.uid() != me {
        return Err(ChannelError::NotSocket(socket.to_path_buf()));
    }
    Ok(())
}

/// Sends one request line and reads the one line that answers it.
pub fn ask(socket: &Path, request: &Value) -> Result<Value, ChannelError> {
    check(socket)?;
    let mut conn = UnixStream::connect(socket).map_err(ChannelError::Connect)?;
    conn.set_read_timeout(Some(TIMEOUT))
        .and_then(|()| conn.set_write_timeout(Some(TIMEOUT)))
        .map_err(ChannelError::Timeouts)?;
    conn.write_all(format!("{request}\n").as_bytes())
        .map_err(ChannelError::Send)?;
    let mut line = String::new();
    BufReader::new(std::io::Read::take(&conn, MAX_REPLY))
        .read_line(&mut line)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => ChannelError::Late,
            _ => ChannelError::Read(e),
        })?;
    serde_json::from_str(&line).map_err(|_| ChannelError::NotJson)
}

/// `Ok` when the plugin confirmed; its refusal otherwise.
pub fn outcome(answer: &Value) -> Result<(), ChannelError> {
    if answer["ok"] == true {
        return Ok(());
    }
    match answer["error"].as_str() {
        Some(NOT_PENDING) => Err(ChannelError::NotPending),
        why => Err(ChannelError::Plugin(
            why.unwrap_or("the plugin gave no reason").to_string(),
        )),
    }
}

/// The version of opencode the plugin at `socket` runs in, when it answers at all.
pub fn ping(socket: &Path) -> Result<Option<String>, ChannelError> {
    let answer = ask(socket, &serde_json::json!({"op": "ping"}))?;
    outcome(&answer)?;
    Ok(answer["version"].as_str().map(str::to_string))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::net::UnixListener;

    #[test]
    fn a_socket_others_could_reach_is_never_used() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("reply");
        std::fs::create_dir(&dir).expect("mkdir");
        let sock = dir.join("7.sock");
        let _listener = UnixListener::bind(&sock).expect("bind");
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let why = check(&sock).expect_err("a directory others may enter");
        assert!(
            matches!(&why, ChannelError::Open { path, mode: 0o755 } if *path == dir),
            "{why}"
        );
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).expect("chmod");
        assert!(check(&sock).is_ok());
        // A symlinked directory could point anywhere.
        let link = tmp.path().join("link");
        std::os::unix::fs::symlink(&dir, &link).expect("symlink");
        assert!(matches!(
            check(&link.join("7.sock")),
            Err(ChannelError::NotDir(_))
        ));
        // A regular file in a socket's place.
        std::fs::write(dir.join("8.sock"), "").expect("write");
        assert!(matches!(
            check(&dir.join("8.sock")),
            Err(ChannelError::NotSocket(_))
        ));
    }

    #[test]
    fn one_line_each_way() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("reply");
        std::fs::create_dir(&dir).expect("mkdir");
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).expect("chmod");
        let sock = dir.join("7.sock");
        let listener = UnixListener::bind(&sock).expect("bind");
        let server = std::thread::spawn(move || {
            let (conn, _) = listener.accept().expect("accept");
            let mut line = String::new();
            BufReader::new(&conn).read_line(&mut line).expect("read");
            let req: Value = serde_json::from_str(&line).expect("json");
            let mut conn = conn;
            let reply = if req["request"] == "per_1" {
                r#"{"ok":true}"#
            } else {
                r#"{"ok":false,"error":"no longer pending"}"#
            };
            writeln!(conn, "{reply}").expect("write");
        });
        let a = ask(
            &sock,
            &serde_json::json!({"op": "permission", "request": "per_2"}),
        )
        .expect("an answer");
        assert!(matches!(outcome(&a), Err(ChannelError::NotPending)));
        let other = serde_json::json!({"ok": false, "error": "no option 3"});
        assert!(matches!(outcome(&other), Err(ChannelError::Plugin(why)) if why == "no option 3"));
        server.join().expect("server");
    }

    #[test]
    fn the_socket_is_where_the_plugin_puts_it() {
        let mut p = ProcessInfo {
            pid: 42,
            ..ProcessInfo::default()
        };
        p.env.home = Some("/home/u".into());
        let own = paths::Env {
            xdg_data_home: Some("/mine".into()),
            ..paths::Env::default()
        };
        assert_eq!(
            socket_of(&p, &own),
            PathBuf::from("/home/u/.local/share/opencode/otop/reply/42.sock")
        );
        p.env.home = None;
        assert_eq!(
            socket_of(&p, &own),
            PathBuf::from("/mine/opencode/otop/reply/42.sock")
        );
    }
}
