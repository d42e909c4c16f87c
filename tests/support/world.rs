//! A temporary world for tests that run otop against stand-in processes: a data directory
//! (`XDG_DATA_HOME`) holding opencode's database, project directories, the stand-ins, and
//! database sessions in the states the tests look for.

use std::path::{Path, PathBuf};

use otop::testkit::fixture::{AssistantSpec, Fixture, Schema, SessionSpec, ToolSpec};

use super::{StandIns, in_env};

pub struct World {
    pub tmp: tempfile::TempDir,
    /// `XDG_DATA_HOME` of otop and the stand-ins.
    pub data: PathBuf,
    pub standins: StandIns,
}

impl World {
    pub fn new() -> World {
        let tmp = tempfile::tempdir().expect("tempdir");
        let data = tmp.path().join("data");
        std::fs::create_dir_all(&data).expect("mkdir data");
        World {
            tmp,
            data,
            standins: StandIns::new(),
        }
    }

    /// A project directory `name` (created).
    pub fn project(&self, name: &str) -> PathBuf {
        let dir = self.tmp.path().join(name);
        std::fs::create_dir_all(&dir).expect("mkdir project");
        dir
    }

    /// Where opencode keeps its database under `data`.
    pub fn db(&self) -> PathBuf {
        self.data.join("opencode/opencode.db")
    }

    /// A new database of the current schema at [`World::db`].
    pub fn fixture(&self) -> Fixture {
        let db = self.db();
        std::fs::create_dir_all(db.parent().expect("parent")).expect("mkdir");
        Fixture::create(&db, Schema::Current).expect("fixture database")
    }

    /// A shell command running a plain `opencode` stand-in that uses this world's data.
    pub fn opencode(&self) -> String {
        in_env(&self.data, &self.standins.plain())
    }

    /// The same for `opencode -s <id>`.
    pub fn opencode_resumed(&self, id: &str) -> String {
        in_env(&self.data, &self.standins.with_session(id))
    }

    /// `XDG_DATA_HOME` as an environment override for [`super::otop`].
    pub fn data_env(&self) -> String {
        self.data.display().to_string()
    }
}

/// Creates session `id` titled `title` in `dir`, created at `created`.
pub fn session(fx: &mut Fixture, id: &str, title: &str, dir: &Path, created: i64) -> String {
    fx.session(SessionSpec {
        id: id.into(),
        title: title.into(),
        directory: dir.display().to_string(),
        created,
        ..SessionSpec::default()
    })
    .expect("session")
}

/// A tool call the tests put sessions in: mid-turn, the assistant's message runs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Running {
    /// The `question` tool (header "Colour"): waiting, `asking`.
    Question,
    /// `bash` running `cargo test`, with output metadata (so not a permission wait): working,
    /// `tool:bash`.
    Bash,
}

/// Session `sid` starts a turn at `t` (the user's message at t+1) whose reply, at t+2, runs
/// `tool`. Returns the reply's message id.
pub fn running(fx: &mut Fixture, sid: &str, t: i64, tool: Running) -> String {
    fx.user_message(sid, t + 1).expect("user message");
    let m = fx
        .assistant_message(sid, t + 2, AssistantSpec::default())
        .expect("assistant message");
    let spec = match tool {
        Running::Question => ToolSpec {
            tool: "question".into(),
            input: serde_json::json!({"questions": [{"header": "Colour", "question": "Which?"}]}),
            ..ToolSpec::default()
        },
        Running::Bash => ToolSpec {
            tool: "bash".into(),
            title: Some("cargo test".into()),
            metadata: Some(serde_json::json!({"output": ""})),
            input: serde_json::json!({"command": "cargo test"}),
            ..ToolSpec::default()
        },
    };
    fx.tool_part(&m, t + 2, spec).expect("tool part");
    m
}

/// The reply `msg` finishes its turn now: its tool parts complete and it ends with `stop`.
pub fn finish(fx: &mut Fixture, msg: &str) {
    fx.conn()
        .execute(
            "UPDATE part SET data = json_set(data, '$.state.status', 'completed') WHERE message_id = ?1",
            [msg],
        )
        .expect("complete the parts");
    fx.update_assistant(
        msg,
        AssistantSpec {
            completed: Some(otop::collect::now_ms()),
            finish: Some("stop".into()),
            ..AssistantSpec::default()
        },
    )
    .expect("finish the reply");
}
