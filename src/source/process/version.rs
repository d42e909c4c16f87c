//! Which opencode version a process runs, from the npm package its executable came from
//! (`…/node_modules/opencode-ai/bin/opencode.exe` beside `…/opencode-ai/package.json`, or a
//! platform package such as `opencode-linux-x64`). Installs without a package say nothing.

use std::path::Path;

use serde::Deserialize;

use crate::source::file::read_capped;

#[derive(Deserialize)]
struct Package {
    name: Option<String>,
    version: Option<String>,
}

/// The version in the `package.json` of the package `exe` is in; None when there is none, it
/// is not opencode's, or the executable was replaced since the process started.
pub fn from_package(exe: &str) -> Option<String> {
    if exe.ends_with(" (deleted)") {
        return None;
    }
    let package = Path::new(exe).parent()?.parent()?.join("package.json");
    let p: Package = serde_json::from_str(&read_capped(&package, 64 << 10).ok()?).ok()?;
    p.name
        .filter(|n| n == "opencode-ai" || n.starts_with("opencode-"))
        .and(p.version)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_package_beside_the_executable_names_the_version() {
        let dir = tempfile::tempdir().expect("tempdir");
        let pkg = dir.path().join("opencode-ai");
        std::fs::create_dir_all(pkg.join("bin")).expect("mkdir");
        let exe = pkg.join("bin/opencode.exe").display().to_string();
        assert_eq!(from_package(&exe), None);
        let write = |json: &str| std::fs::write(pkg.join("package.json"), json).expect("write");
        write(r#"{"name":"opencode-ai","version":"1.18.33"}"#);
        assert_eq!(from_package(&exe).as_deref(), Some("1.18.33"));
        assert_eq!(from_package(&format!("{exe} (deleted)")), None);
        write(r#"{"name":"left-pad","version":"1.0.0"}"#);
        assert_eq!(from_package(&exe), None);
    }
}
