//! The model: correlated sessions and their status, built from source facts by pure functions.

pub mod correlate;
pub mod infer;
pub mod report;
pub mod request;
pub mod row;
pub mod row_json;
pub mod sanitize;
pub mod select;
pub mod state;
pub mod text;
pub mod timeline;
pub mod transition;
pub mod unseen;

/// The facts rows carry, as the sources read them. Views name them through here, so nothing
/// past the model depends on which source a fact came from.
pub mod facts {
    pub use crate::source::db::types::{
        HistoryItem, Role, SessionFacts, Todo, Tokens, ToolStatus, Totals, TotalsPair,
    };
    pub use crate::source::opencode_config::types::{McpFile, McpPanel, McpServer, Unusable};
    pub use crate::source::process::types::{Kind, ProcessInfo};
}
