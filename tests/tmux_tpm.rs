//! Real TPM (Debian's `tmux-plugin-manager`, which is TPM itself): the README's TPM block as
//! written, its `@plugin` pointing at a local clone of this repository, `prefix + I` pressed on
//! an attached client. Before otop is installed the bar and the key say how to install it;
//! once it is where `cargo install` puts it, the bar fills and `prefix + o` → enter jumps.

#![allow(clippy::unwrap_used)]

mod support;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use support::world::{Running, World, running, session};
use support::{Client, TmuxServer, have_tmux, wait_for};

/// Where Debian's package puts TPM (and what the README says to `run` then).
const TPM: &str = "/usr/share/tmux-plugin-manager/tpm";

/// The README's TPM block: the first ```tmux block after "With [TPM]".
fn readme_tpm_block() -> String {
    let readme = include_str!("../README.md");
    let from = readme.find("With [TPM]").expect("README has a TPM section");
    let rest = &readme[from..];
    let start = rest.find("```tmux\n").expect("a tmux block") + "```tmux\n".len();
    let end = rest[start..].find("```").expect("its end");
    rest[start..start + end].to_string()
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@t"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A clone of this repository with the working tree's plugin files committed (so that the test
/// runs the plugin as it is now, not as last committed).
fn local_clone(into: &Path) -> std::path::PathBuf {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let clone = into.join("otop");
    let out = Command::new("git")
        .args(["clone", "-q", "--no-hardlinks"])
        .arg(repo)
        .arg(&clone)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for f in ["otop.tmux", "tmux/otop.tmux"] {
        std::fs::copy(repo.join(f), clone.join(f)).unwrap();
    }
    git(
        &clone,
        &[
            "commit",
            "-qam",
            "plugin as in the working tree",
            "--allow-empty",
        ],
    );
    clone
}

#[test]
fn readme_tpm_block_installs_with_prefix_i_and_prefix_o_jumps() {
    if !have_tmux() || !Path::new(TPM).exists() {
        assert!(
            !support::opencode::in_ci(),
            "CI must run this: .ci/run installs tmux-plugin-manager"
        );
        eprintln!("skipped: needs tmux and Debian's tmux-plugin-manager (.ci/run installs it)");
        return;
    }
    let world = World::new();
    let home = world.tmp.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let clone = local_clone(&world.tmp.path().join("src"));

    let block = readme_tpm_block();
    let readme = include_str!("../README.md");
    assert!(
        readme.contains(&format!("run '{TPM}'")),
        "README names Debian's TPM path"
    );
    let conf = block
        .replace("'otop-rs/otop'", &format!("'{}'", clone.display()))
        .replace("run '~/.tmux/plugins/tpm/tpm'", &format!("run '{TPM}'"));
    assert!(
        conf.contains(&format!("@plugin '{}'", clone.display())),
        "{conf}"
    );
    assert!(conf.contains(&format!("run '{TPM}'")), "{conf}");
    let tmux_conf = home.join(".tmux.conf");
    // Faster redraws than a person needs; nothing else added to the README's block.
    std::fs::write(&tmux_conf, format!("set -g status-interval 1\n{conf}")).unwrap();

    // tmux started as a user does, with otop nowhere it looks yet.
    let cargo_home = home.join(".cargo");
    let srv = TmuxServer::start_with_config(
        &tmux_conf,
        &[
            ("HOME", home.display().to_string()),
            ("PATH", "/usr/local/bin:/usr/bin:/bin".into()),
            ("CARGO_HOME", cargo_home.display().to_string()),
            ("XDG_DATA_HOME", world.data.display().to_string()),
        ],
    );
    let (pa, pb) = (world.project("alpha"), world.project("beta"));
    srv.session("alpha", &pa, &world.opencode());
    let pane_beta = srv.session("beta", &pb, &world.opencode());
    std::thread::sleep(Duration::from_millis(100));
    let t = chrono::Utc::now().timestamp_millis();
    let mut fx = world.fixture();
    session(&mut fx, "ses_tpm_alpha", "Choose a colour tpm", &pa, t);
    running(&mut fx, "ses_tpm_alpha", t, Running::Question);
    session(&mut fx, "ses_tpm_beta", "Run the tests tpm", &pb, t);
    running(&mut fx, "ses_tpm_beta", t, Running::Bash);
    drop(fx);

    let mut client = Client::attach(&srv, "alpha");
    let squeezed = |c: &Client| c.screen_text().replace(char::is_whitespace, "");
    let wait_screen = |c: &Client, what: &str, secs: u64| {
        wait_for(Duration::from_secs(secs), || {
            squeezed(c).contains(what).then_some(())
        })
        .unwrap_or_else(|| panic!("never showed {what}:\n{}", c.screen_text()))
    };

    // prefix + I: TPM clones the plugin and runs it. No otop yet: the bar says so, and the
    // key says how to install it.
    client.press(b"\x02I");
    wait_screen(&client, "otopnotinstalled:prefix+o", 20);
    // TPM's own report waits ("press ENTER": vi mode's key; q leaves it in either mode).
    wait_screen(&client, "pressENTER", 5);
    client.press(b"q");
    wait_for(Duration::from_secs(5), || {
        srv.ok(&["display", "-p", "-t", "alpha", "#{pane_in_mode}"])
            .starts_with('0')
            .then_some(())
    })
    .expect("TPM's report closes on q");
    assert!(home.join(".tmux/plugins/otop/otop.tmux").exists());
    client.press(b"\x02o");
    wait_screen(&client, "cargoinstall--path", 5);
    client.press(b"\r");

    // Installed where `cargo install` puts it; the README's next step: source the config.
    std::fs::create_dir_all(cargo_home.join("bin")).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_otop"), cargo_home.join("bin/otop")).unwrap();
    srv.ok(&["source-file", &tmux_conf.display().to_string()]);
    // The bar fills: counts by state (not exact ones: otop counts every opencode of this user,
    // other tests' stand-ins included).
    wait_screen(&client, "◆", 15);
    wait_screen(&client, "●", 5);

    client.press(b"\x02o");
    wait_screen(&client, "otoppick", 10);
    // Filtered to the one session by its id (other tests' sessions are listed too); what the
    // filter leaves is not read off the screen, redrawn in place, but from where enter goes.
    client.press(b"ses_tpm_beta");
    std::thread::sleep(Duration::from_millis(800));
    client.press(b"\r");
    let moved = wait_for(Duration::from_secs(5), || {
        (client.showing(&srv) == format!("beta 0 {pane_beta}")).then_some(())
    });
    assert!(
        moved.is_some(),
        "enter did not jump: {}\n{}",
        client.showing(&srv),
        client.screen_text()
    );
}
