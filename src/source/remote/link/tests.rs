use super::*;

/// A stand-in for the snapshot format: `snap` is one, `v9` a format refused, anything else
/// not otop's.
fn decode(line: &str) -> Result<(), RemoteError> {
    match line.trim() {
        "snap" => Ok(()),
        "v9" => Err(RemoteError::Version("format 9.0".into())),
        other => Err(RemoteError::NotOurs(other.into())),
    }
}

/// Reads `input` as a connection's output; what was told, in order.
fn read(input: impl Read, interval: Duration) -> (Ended, bool, Vec<String>) {
    let mut said = Vec::new();
    let (ended, live) = read_snapshots(input, interval, &decode, &mut |r| {
        said.push(match r {
            Ok(()) => "live".to_string(),
            Err(e) => e.to_string(),
        })
    });
    (ended, live, said)
}

/// Lines, each after a pause (a host printing at its own pace).
struct Paced(Vec<String>, Duration, usize);
impl Read for Paced {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let Some(line) = self.0.first_mut() else {
            return Ok(0);
        };
        if self.2 == 0 {
            std::thread::sleep(self.1);
        }
        let n = buf.len().min(line.len() - self.2);
        buf[..n].copy_from_slice(&line.as_bytes()[self.2..self.2 + n]);
        self.2 += n;
        if self.2 == line.len() {
            self.0.remove(0);
            self.2 = 0;
        }
        Ok(n)
    }
}

/// A host printing snapshots as fast as the pipe takes them is cut off after the burst
/// allowed, having had one decoded.
#[test]
fn a_host_faster_than_asked_is_ended() {
    let flood = "snap\n".repeat(200);
    let (ended, live, said) = read(flood.as_bytes(), Duration::from_secs(1));
    assert!(matches!(ended, Ended::Misbehaved(true)) && live);
    assert_eq!(said.iter().filter(|s| *s == "live").count(), 1, "{said:?}");
    assert!(
        said.last().unwrap().contains("faster than asked"),
        "{said:?}"
    );
    // At its pace, every snapshot is taken, however many.
    let paced = Paced(vec!["snap\n".into(); 12], Duration::from_millis(20), 0);
    let (ended, live, said) = read(paced, Duration::from_millis(20));
    assert!(matches!(ended, Ended::Closed) && live, "{said:?}");
    assert!(said.iter().all(|s| s == "live"), "{said:?}");
}

/// A line longer than the bound is not read to its end, and ends the connection.
#[test]
fn a_line_too_long_is_not_read() {
    /// An endless line, counting what was read of it.
    struct Endless(u64);
    impl Read for Endless {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            buf.fill(b'x');
            self.0 += buf.len() as u64;
            Ok(buf.len())
        }
    }
    let mut endless = Endless(0);
    let (ended, _, said) = read(&mut endless, Duration::from_secs(1));
    assert!(matches!(ended, Ended::Misbehaved(false)));
    assert_eq!(said, ["sent a line longer than 8 MiB"]);
    assert!(
        endless.0 <= MAX_LINE as u64 + 16 * 1024,
        "read {}",
        endless.0
    );
}

/// Lines before the first snapshot may be a login banner; anything else once snapshots
/// came is not otop's, and ends the connection; a format refused ends it at once.
#[test]
fn a_banner_is_forgiven_garbage_after_snapshots_is_not() {
    let (ended, live, said) = read(
        "Welcome to box\n\nsnap\n".as_bytes(),
        Duration::from_millis(1),
    );
    assert!(matches!(ended, Ended::Closed) && live, "{said:?}");
    assert_eq!(said.last().map(String::as_str), Some("live"));
    let garbage = Paced(
        vec!["snap\n".into(), "garbage\n".into(), "snap\n".into()],
        Duration::from_millis(20),
        0,
    );
    let (ended, _, said) = read(garbage, Duration::from_millis(10));
    assert!(matches!(ended, Ended::Misbehaved(true)), "{said:?}");
    let junk = "junk\n".repeat(100);
    let (ended, live, _) = read(junk.as_bytes(), Duration::from_millis(1));
    assert!(matches!(ended, Ended::Misbehaved(false)) && !live);
    let (ended, _, said) = read("v9\nsnap\n".as_bytes(), Duration::from_millis(1));
    assert_eq!(
        (ended, said),
        (Ended::Refused, vec!["format 9.0".to_string()])
    );
}

fn remote() -> Remote {
    Remote {
        ssh: "box".into(),
        ssh_args: Vec::new(),
        otop: "otop".into(),
        timeout: Duration::from_secs(2),
    }
}

/// The race the link once lost: ssh exits with its reason on stderr, and the thread reading
/// stderr is slower than the one that saw stdout close. The reason is waited for (sent, owned,
/// when the pipe closes), never guessed after a pause: with a reader 150 ms late (the old code
/// gave it 20 ms), every run gives ssh's words and status.
#[test]
fn ssh_last_words_are_never_lost_to_a_late_reader() {
    /// A pipe read late, as by a thread that is not scheduled for a while.
    struct Late<R>(R, Duration);
    impl<R: Read> Read for Late<R> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            std::thread::sleep(self.1);
            self.0.read(buf)
        }
    }
    for late in [Duration::ZERO, Duration::from_millis(150)] {
        let mut child = std::process::Command::new("sh")
            .args([
                "-c",
                "echo 'ssh: connect to host box port 22: Connection refused' >&2; exit 255",
            ])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("sh");
        let (tx, stderr) = mpsc::channel();
        tail(Late(child.stderr.take().expect("stderr"), late), tx);
        // stdout closes: the connection ended.
        let mut out = Vec::new();
        child
            .stdout
            .take()
            .expect("stdout")
            .read_to_end(&mut out)
            .expect("read");
        let slot = Mutex::new(Some(child));
        assert_eq!(
            ended_with(&slot, &stderr, &remote()),
            RemoteError::Unreachable("ssh: connect to host box port 22: Connection refused".into()),
            "a reader {late:?} late"
        );
    }
}

/// A link with no thread behind it: news is sent by hand.
fn link(now: i64) -> (Link<u32>, mpsc::SyncSender<News<u32>>) {
    let (tx, news) = mpsc::sync_channel(NEWS_AHEAD);
    let link = Link {
        late: Duration::from_secs(3),
        seen: Seen::Asking { since: now },
        news,
        child: Arc::new(Mutex::new(None)),
        stop: Arc::new(AtomicBool::new(false)),
        wake: Arc::new(OnceLock::new()),
    };
    (link, tx)
}

/// News is taken in the order it happened, and aged at the refresh's `now`: the host's state
/// is a function of the two, not of which thread ran first.
#[test]
fn the_latest_state_follows_the_news_in_order() {
    let (mut l, tx) = link(1000);
    assert_eq!(l.latest(2000), Seen::Asking { since: 1000 });
    tx.send(News::Answered(1, 2500)).unwrap();
    tx.send(News::Answered(2, 4500)).unwrap();
    assert_eq!(l.latest(5000), Seen::Answered { with: 2, at: 4500 });
    // Silent past the timeout: down since the last snapshot.
    let down = l.latest(8000);
    assert_eq!(
        down,
        Seen::Down {
            since: 4500,
            why: RemoteError::Silent(3.0)
        }
    );
    // The connection killed for it ends "killed": the better why stays.
    tx.send(News::Failed(RemoteError::Killed)).unwrap();
    assert_eq!(l.latest(8200), down);
    let refused = RemoteError::Unreachable("ssh: refused".into());
    tx.send(News::Failed(refused.clone())).unwrap();
    tx.send(News::Answered(3, 9500)).unwrap();
    tx.send(News::Failed(refused.clone())).unwrap();
    assert_eq!(
        l.latest(9700),
        Seen::Down {
            since: 9500,
            why: refused
        }
    );
}

/// How long the link waits before connecting again.
#[test]
fn pauses_grow_and_reset() {
    let mut p = Pause::default();
    let secs = |p: &mut Pause, e: Ended| p.after(&e).as_secs();
    assert_eq!(
        [
            Ended::Closed,
            Ended::Closed,
            Ended::Closed,
            Ended::Closed,
            Ended::Closed
        ]
        .map(|e| secs(&mut p, e)),
        [1, 2, 4, 8, 15]
    );
    assert_eq!(secs(&mut p, Ended::Live), 1);
    assert_eq!(secs(&mut p, Ended::Refused), 60);
    assert_eq!(secs(&mut p, Ended::Misbehaved(false)), 60);
    assert_eq!(secs(&mut p, Ended::Misbehaved(false)), 120);
    assert_eq!(secs(&mut p, Ended::NoSsh), 30);
}
