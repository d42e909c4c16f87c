//! The spells of waiting and error running otops saw (#30), kept in
//! `${XDG_STATE_HOME:-~/.local/state}/otop/timeline.jsonl`, one JSON [`Spell`] a line, so that
//! `otop report` and a monitor started later know what opencode's records cannot say.
//!
//! Appended by the long-lived views (`effects`), read by the collector and `otop report`.
//! Bounded: at most [`MAX_FILE_BYTES`] read; past [`ROTATE_AT`] the file is written again with
//! the spells of the last [`KEEP_MS`] only. A line that does not parse (a torn write, another
//! format) is left out: what was seen is then less known, never wrong.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::model::timeline::{Interval, Spell};
use crate::source::file::{FileError, Own, Stamp, open_own, private_dir, read_capped, stamp};

/// Bytes read at most: a spell is under 100 bytes, a day of a busy fleet a few hundred.
pub const MAX_FILE_BYTES: u64 = 4 << 20;
/// Past this size an append first drops the old spells.
pub const ROTATE_AT: u64 = 1 << 20;
/// How long spells are kept (ms): a report asks for a few days at most.
pub const KEEP_MS: i64 = 3 * 24 * 3600 * 1000;
/// The longest session id written; a longer one is not a session of opencode's.
const MAX_ID: usize = 128;

/// The spells in `text` that end after `since`, by session, each session's in order.
pub fn parse(text: &str, since: i64) -> BTreeMap<String, Vec<Interval>> {
    let mut out: BTreeMap<String, Vec<Interval>> = BTreeMap::new();
    for s in text
        .lines()
        .filter_map(|l| serde_json::from_str::<Spell>(l).ok())
    {
        if s.end > since && s.end > s.start && s.session.len() <= MAX_ID {
            out.entry(s.session.clone()).or_default().push(s.interval());
        }
    }
    for v in out.values_mut() {
        v.sort_by_key(|i| (i.start, i.end));
    }
    out
}

/// The file's spells ending after `since`; none when it is missing, too large or not otop's.
pub fn read(path: &Path, since: i64) -> BTreeMap<String, Vec<Interval>> {
    read_capped(path, MAX_FILE_BYTES)
        .map(|t| parse(&t, since))
        .unwrap_or_default()
}

/// The file, read again only when it changed.
#[derive(Debug, Default)]
pub struct Reader {
    path: Option<PathBuf>,
    known: Option<(Stamp, i64, BTreeMap<String, Vec<Interval>>)>,
}

impl Reader {
    pub fn new(path: Option<PathBuf>) -> Reader {
        Reader { path, known: None }
    }

    /// The spells ending after `since`, by session.
    pub fn read(&mut self, since: i64) -> &BTreeMap<String, Vec<Interval>> {
        let now = stamp(self.path.as_deref());
        let fresh = match &self.known {
            Some((s, at, _)) => *s != now || *at != since,
            None => true,
        };
        if fresh {
            let spells = self
                .path
                .as_deref()
                .map(|p| read(p, since))
                .unwrap_or_default();
            self.known = Some((now, since, spells));
        }
        static EMPTY: BTreeMap<String, Vec<Interval>> = BTreeMap::new();
        self.known.as_ref().map_or(&EMPTY, |k| &k.2)
    }
}

/// Appends `spells` to the file at `path` (in a private directory), first dropping spells
/// older than [`KEEP_MS`] when the file has grown past [`ROTATE_AT`].
pub fn append(path: &Path, spells: &[Spell], now: i64) -> Result<(), FileError> {
    let lines: String = spells
        .iter()
        .filter(|s| s.session.len() <= MAX_ID)
        .filter_map(|s| serde_json::to_string(s).ok())
        .map(|l| l + "\n")
        .collect();
    if lines.is_empty() {
        return Ok(());
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    private_dir(dir)?;
    let mut file = open_own(path, Own::Append)?;
    let len = file.metadata().map_err(FileError::Io)?.len();
    if len > ROTATE_AT {
        let text = read_capped(path, MAX_FILE_BYTES).unwrap_or_default();
        let kept = rotate(&text, now);
        crate::source::file::write_atomic(path, kept.as_bytes())?;
        file = open_own(path, Own::Append)?;
    }
    file.write_all(lines.as_bytes()).map_err(FileError::Io)
}

/// The lines of `text` worth keeping at `now`: spells of the last [`KEEP_MS`], the newest
/// that fit in half of [`ROTATE_AT`].
fn rotate(text: &str, now: i64) -> String {
    let mut keep: Vec<&str> = text
        .lines()
        .filter(|l| serde_json::from_str::<Spell>(l).is_ok_and(|s| s.end >= now - KEEP_MS))
        .collect();
    let mut size: usize = keep.iter().map(|l| l.len() + 1).sum();
    let mut drop = 0;
    while size as u64 > ROTATE_AT / 2 && drop < keep.len() {
        size -= keep[drop].len() + 1;
        drop += 1;
    }
    keep.drain(..drop);
    keep.iter().map(|l| format!("{l}\n")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::state::State;

    fn spell(id: &str, state: State, start: i64, end: i64) -> Spell {
        Spell {
            session: id.into(),
            state,
            start,
            end,
        }
    }

    #[test]
    fn spells_round_trip_and_a_bad_line_is_left_out() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("otop/timeline.jsonl");
        append(&path, &[spell("s1", State::Waiting, 10, 20)], 30).unwrap();
        append(
            &path,
            &[
                spell("s1", State::Error, 1, 5),
                spell("s2", State::Waiting, 0, 9),
            ],
            30,
        )
        .unwrap();
        let mut f = open_own(&path, Own::Append).unwrap();
        f.write_all(b"{\"session\":\"s3\",\"sta").unwrap();
        let got = read(&path, 6);
        assert_eq!(got.keys().collect::<Vec<_>>(), ["s1", "s2"]);
        let s1: Vec<_> = got["s1"]
            .iter()
            .map(|i| (i.state, i.start, i.end))
            .collect();
        assert_eq!(
            s1,
            [(State::Waiting, 10, 20)],
            "the error ended before `since`"
        );
        let mut r = Reader::new(Some(path.clone()));
        assert_eq!(r.read(0).len(), 2);
        assert!(Reader::new(None).read(0).is_empty());
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with(r#"{"session":"s1","state":"waiting","start":10,"end":20}"#));
    }

    #[test]
    fn a_full_file_keeps_only_the_recent_spells() {
        let now = KEEP_MS * 2;
        let old: String = (0..20)
            .map(|i| serde_json::to_string(&spell("old", State::Waiting, i, i + 1)).unwrap() + "\n")
            .collect();
        let new = serde_json::to_string(&spell("new", State::Waiting, now - 5, now)).unwrap();
        let kept = rotate(&format!("{old}garbage\n{new}\n"), now);
        assert_eq!(kept, format!("{new}\n"));
        // A file past the cap is not read at all (slower to know, never wrong).
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.jsonl");
        std::fs::write(&path, "x".repeat(MAX_FILE_BYTES as usize + 1)).unwrap();
        assert!(read(&path, 0).is_empty());
    }
}
