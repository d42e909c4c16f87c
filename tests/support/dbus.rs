//! A private session D-Bus: `dbus-daemon` on a socket in a temporary directory, with a
//! notification service (`org.freedesktop.Notifications`) that records every `Notify` call, as
//! a desktop's notification daemon would receive it. Nothing else is on the bus: no real
//! service can be activated there.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One `Notify` call.
#[derive(Debug, Clone)]
pub struct Notified {
    pub app: String,
    pub summary: String,
    pub body: String,
    pub at: Instant,
    /// The same moment, Unix ms (to compare with times other processes wrote).
    pub at_ms: i64,
}

struct Service {
    calls: Arc<Mutex<Vec<Notified>>>,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Service {
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        app_name: String,
        _replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        _actions: Vec<String>,
        _hints: HashMap<String, zbus::zvariant::OwnedValue>,
        _expire_timeout: i32,
    ) -> u32 {
        let mut calls = self.calls.lock().expect("calls");
        calls.push(Notified {
            app: app_name,
            summary,
            body,
            at: Instant::now(),
            at_ms: otop::collect::now_ms(),
        });
        calls.len() as u32
    }

    fn get_capabilities(&self) -> Vec<String> {
        vec!["body".into()]
    }

    fn get_server_information(&self) -> (String, String, String, String) {
        (
            "otop-test-notifier".into(),
            "otop".into(),
            "1.0".into(),
            "1.2".into(),
        )
    }

    fn close_notification(&self, _id: u32) {}
}

pub struct Bus {
    /// `DBUS_SESSION_BUS_ADDRESS` for the processes under test.
    pub address: String,
    pub calls: Arc<Mutex<Vec<Notified>>>,
    daemon: Child,
    _conn: zbus::blocking::Connection,
    _dir: tempfile::TempDir,
}

/// Whether `dbus-daemon` is installed; CI must have it.
pub fn have_dbus() -> bool {
    let ok = Command::new("dbus-daemon")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "dbus-daemon is required in CI"
        );
        eprintln!("skipping: dbus-daemon is not installed");
    }
    ok
}

impl Bus {
    pub fn start() -> Bus {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = dir.path().join("bus.conf");
        let socket = dir.path().join("bus");
        std::fs::write(
            &config,
            format!(
                r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
                socket.display()
            ),
        )
        .expect("write the bus configuration");
        let mut daemon = Command::new("dbus-daemon")
            .arg(format!("--config-file={}", config.display()))
            .args(["--nofork", "--nopidfile", "--print-address=1"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start dbus-daemon");
        let mut address = String::new();
        BufReader::new(daemon.stdout.take().expect("stdout"))
            .read_line(&mut address)
            .expect("the bus address");
        let address = address.trim().to_string();
        assert!(!address.is_empty(), "dbus-daemon printed no address");
        let calls = Arc::new(Mutex::new(Vec::new()));
        let service = Service {
            calls: calls.clone(),
        };
        let conn = zbus::blocking::connection::Builder::address(address.as_str())
            .expect("the bus address parses")
            .name("org.freedesktop.Notifications")
            .expect("a service name")
            .serve_at("/org/freedesktop/Notifications", service)
            .expect("the service object")
            .build()
            .expect("the notification service is on the bus");
        Bus {
            address,
            calls,
            daemon,
            _conn: conn,
            _dir: dir,
        }
    }

    pub fn calls(&self) -> Vec<Notified> {
        self.calls.lock().expect("calls").clone()
    }

    /// Waits up to `timeout` for the `n`th call; returns every call by then.
    pub fn wait_calls(&self, n: usize, timeout: Duration) -> Vec<Notified> {
        let deadline = Instant::now() + timeout;
        while self.calls().len() < n && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        self.calls()
    }
}

impl Drop for Bus {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}
