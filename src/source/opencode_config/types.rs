//! The MCP panel: what the configuration files name, as the views show it.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct McpServer {
    pub name: String,
    /// `local` or `remote`.
    pub kind: String,
    /// The command line of a local server, the URL of a remote one.
    pub target: String,
    pub enabled: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct McpFile {
    pub path: String,
    pub servers: Result<Vec<McpServer>, Unusable>,
}

/// Why a file's servers are not shown. The panel is data a view compares and clones, so the
/// causes are kept as the words shown.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unusable {
    #[error("{0}")]
    Unreadable(String),
    /// Not JSON(C), in serde_json's words.
    #[error("invalid: {0}")]
    Invalid(String),
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct McpPanel {
    pub files: Vec<McpFile>,
}
