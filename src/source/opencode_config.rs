//! MCP servers configured for a session: the `mcp` entries of opencode's global config and of
//! the project's `opencode.json[c]`. Environment variables and headers are never read out:
//! they hold secrets.

use std::path::Path;

use serde_json::Value;

use super::file::{FileError, read_capped};

pub mod types;
pub use types::{McpFile, McpPanel, McpServer, Unusable};

/// JSONC → JSON: drops `//` and `/* */` comments outside strings and trailing commas.
pub fn strip_jsonc(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    let mut chars = src.chars().peekable();
    let mut in_str = false;
    while let Some(c) = chars.next() {
        if in_str {
            out.push(c);
            match c {
                '\\' => out.extend(chars.next()),
                '"' => in_str = false,
                _ => {}
            }
            continue;
        }
        match (c, chars.peek()) {
            ('"', _) => {
                in_str = true;
                out.push(c);
            }
            ('/', Some('/')) => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            ('/', Some('*')) => {
                chars.next();
                let mut prev = ' ';
                for c in chars.by_ref() {
                    if prev == '*' && c == '/' {
                        break;
                    }
                    prev = c;
                }
                out.push(' ');
            }
            (',', _) => {
                // A comma followed only by whitespace and a closing bracket is dropped.
                let rest: String = chars.clone().collect();
                let next = strip_leading_comments(&rest);
                if !matches!(next.chars().next(), Some('}' | ']')) {
                    out.push(',');
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// `s` without leading whitespace and comments (to look past them for a closing bracket).
fn strip_leading_comments(mut s: &str) -> &str {
    loop {
        s = s.trim_start();
        if let Some(rest) = s.strip_prefix("//") {
            s = rest.split_once('\n').map_or("", |(_, r)| r);
        } else if let Some(rest) = s.strip_prefix("/*") {
            s = rest.split_once("*/").map_or("", |(_, r)| r);
        } else {
            return s;
        }
    }
}

/// The `mcp` servers of one config file's text, sorted by name.
pub fn parse_mcp(text: &str) -> Result<Vec<McpServer>, Unusable> {
    let v: Value =
        serde_json::from_str(&strip_jsonc(text)).map_err(|e| Unusable::Invalid(e.to_string()))?;
    let Some(mcp) = v.get("mcp").and_then(Value::as_object) else {
        return Ok(Vec::new());
    };
    let mut servers: Vec<McpServer> = mcp
        .iter()
        .map(|(name, cfg)| {
            let kind = cfg.get("type").and_then(Value::as_str).unwrap_or("local");
            let target = match cfg.get("command") {
                Some(Value::Array(parts)) => parts
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(" "),
                Some(Value::String(s)) => s.clone(),
                _ => cfg
                    .get("url")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
            };
            McpServer {
                name: name.clone(),
                kind: kind.to_string(),
                target,
                enabled: cfg.get("enabled").and_then(Value::as_bool).unwrap_or(true),
            }
        })
        .collect();
    servers.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(servers)
}

const NAMES: [&str; 2] = ["opencode.json", "opencode.jsonc"];
/// The largest opencode configuration file read.
const MAX_FILE_BYTES: u64 = 4 << 20;

fn read_files(dir: &Path) -> Vec<McpFile> {
    NAMES
        .iter()
        .map(|n| dir.join(n))
        .filter_map(|p| match read_capped(&p, MAX_FILE_BYTES) {
            Err(FileError::Missing) => None,
            read => Some(McpFile {
                path: p.display().to_string(),
                servers: read
                    .map_err(|e| Unusable::Unreadable(e.to_string()))
                    .and_then(|t| parse_mcp(&t)),
            }),
        })
        .collect()
}

/// The global config, then the project's: the nearest directory from `cwd` up to the git root
/// that holds an `opencode.json[c]`.
pub fn load(global: Option<&Path>, cwd: Option<&Path>) -> McpPanel {
    let mut files = global.map(read_files).unwrap_or_default();
    let mut dir = cwd;
    while let Some(d) = dir {
        if global.is_some_and(|g| g == d) {
            break;
        }
        let found = read_files(d);
        if !found.is_empty() {
            files.extend(found);
            break;
        }
        if d.join(".git").exists() {
            break;
        }
        dir = d.parent();
    }
    McpPanel { files }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = r#"{
      // global config
      "$schema": "https://opencode.ai/config.json",
      "mcp": {
        "github": {
          "type": "local",
          "command": ["npx", "-y", "@modelcontextprotocol/server-github"],
          "environment": { "GITHUB_TOKEN": "secret" }, /* never shown */
        },
        "docs": { "type": "remote", "url": "https://mcp.example.com/sse", "enabled": false, },
      },
      "theme": "url // not a comment",
    }"#;

    #[test]
    fn jsonc_comments_and_trailing_commas_are_tolerated() {
        let servers = parse_mcp(CONFIG).unwrap_or_default();
        assert_eq!(
            servers,
            vec![
                McpServer {
                    name: "docs".into(),
                    kind: "remote".into(),
                    target: "https://mcp.example.com/sse".into(),
                    enabled: false,
                },
                McpServer {
                    name: "github".into(),
                    kind: "local".into(),
                    target: "npx -y @modelcontextprotocol/server-github".into(),
                    enabled: true,
                },
            ]
        );
        assert!(!format!("{servers:?}").contains("secret"));
    }

    #[test]
    fn strings_keep_comment_like_text() {
        let v: Value = serde_json::from_str(&strip_jsonc(CONFIG)).unwrap_or(Value::Null);
        assert_eq!(v["theme"], "url // not a comment");
        assert_eq!(strip_jsonc(r#"["a\"//b", 1,]"#), r#"["a\"//b", 1]"#);
    }

    #[test]
    fn missing_or_broken_mcp() {
        assert_eq!(parse_mcp("{}"), Ok(Vec::new()));
        assert!(parse_mcp("{ nope").is_err());
    }

    #[test]
    fn project_config_is_found_up_to_the_git_root() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        std::fs::create_dir_all(root.join("repo/.git")).unwrap();
        std::fs::create_dir_all(root.join("repo/src/deep")).unwrap();
        std::fs::create_dir_all(root.join("global")).unwrap();
        std::fs::write(root.join("repo/opencode.jsonc"), CONFIG).unwrap();
        std::fs::write(root.join("global/opencode.json"), "{\"mcp\":{}}").unwrap();
        let panel = load(
            Some(&root.join("global")),
            Some(&root.join("repo/src/deep")),
        );
        assert_eq!(panel.files.len(), 2);
        assert_eq!(panel.files[1].servers.as_ref().map(Vec::len), Ok(2));
    }
}
