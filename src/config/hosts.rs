//! `[[hosts]]`: other machines whose sessions join every view, reached over ssh with otop
//! itself on the other side (`otop serve`).

use serde::Deserialize;

use crate::error::Error;

/// One remote machine.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Host {
    /// Shown in the HOST column and status counts; names it on the command line (`--host`).
    pub name: String,
    /// Any ssh destination: the user's ssh config (keys, ProxyJump, ports) applies.
    pub ssh: String,
    /// Extra ssh arguments, before the destination.
    #[serde(default)]
    pub ssh_args: Vec<String>,
    /// The command on the remote side, as its shell reads it (`env X=1 ~/bin/otop` works).
    #[serde(default = "default_otop")]
    pub otop: String,
    /// Seconds a one-shot command waits for this host, and after which a live view calls a
    /// silent host unreachable.
    #[serde(default = "default_timeout")]
    pub timeout: f64,
}

fn default_otop() -> String {
    "otop".into()
}

fn default_timeout() -> f64 {
    3.0
}

/// The longest names the HOST column makes room for.
pub const MAX_NAME: usize = 24;

impl Host {
    pub fn timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs_f64(self.timeout)
    }

    /// What the ssh side needs of this entry.
    pub fn remote(&self) -> crate::source::remote::Remote {
        crate::source::remote::Remote {
            ssh: self.ssh.clone(),
            ssh_args: self.ssh_args.clone(),
            otop: self.otop.clone(),
            timeout: self.timeout(),
        }
    }

    /// Why the entry cannot be used, if it cannot.
    pub fn check(&self) -> Result<(), Error> {
        let n = &self.name;
        // A name is printed in tmux formats, terminals and target names (`box:%5`).
        if n.is_empty()
            || n.len() > MAX_NAME
            || !n
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            return Err(Error::Config(format!(
                "hosts: name {n:?}: use 1 to {MAX_NAME} letters, digits, '-', '_' or '.'"
            )));
        }
        if n == "local" {
            return Err(Error::Config(
                "hosts: \"local\" names this machine (--local); choose another name".into(),
            ));
        }
        // ssh would read a destination starting with '-' as an option.
        if self.ssh.trim().is_empty() || self.ssh.starts_with('-') {
            return Err(Error::Config(format!(
                "hosts.{n}.ssh: an ssh destination such as \"box\" or \"me@box.example\""
            )));
        }
        if self.otop.trim().is_empty() {
            return Err(Error::Config(format!(
                "hosts.{n}.otop: the remote command is empty"
            )));
        }
        if !(0.2..=120.0).contains(&self.timeout) {
            return Err(Error::Config(format!(
                "hosts.{n}.timeout: must be between 0.2 and 120 seconds"
            )));
        }
        Ok(())
    }
}

/// Every entry's problems, and names used twice.
pub fn check(hosts: &[Host]) -> Result<(), Error> {
    for (i, h) in hosts.iter().enumerate() {
        h.check()?;
        if hosts[..i].iter().any(|o| o.name == h.name) {
            return Err(Error::Config(format!(
                "hosts: {:?} is listed twice",
                h.name
            )));
        }
    }
    Ok(())
}

/// Which machines a view reads: `--local` and `--host NAME` narrow it; neither is all.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reach {
    pub local: bool,
    pub hosts: Vec<Host>,
    /// Whether any host is configured at all (the HOST column shows then, even narrowed).
    pub configured: bool,
    /// Hosts were named (`--host`): a command that acts (`otop restore`) goes to them only then.
    pub named: bool,
}

impl Reach {
    /// `names` from `--host`, `local` from `--local`; an unknown name is the user's mistake.
    pub fn choose(all: &[Host], names: &[String], local: bool) -> Result<Reach, Error> {
        if let Some(n) = names.iter().find(|n| !all.iter().any(|h| &h.name == *n)) {
            let known: Vec<&str> = all.iter().map(|h| h.name.as_str()).collect();
            return Err(Error::Invalid(if known.is_empty() {
                format!("--host {n}: no [[hosts]] in the configuration file")
            } else {
                format!("--host {n}: not a configured host ({})", known.join(", "))
            }));
        }
        let everything = names.is_empty() && !local;
        Ok(Reach {
            local: everything || local,
            hosts: all
                .iter()
                .filter(|h| everything || names.contains(&h.name))
                .cloned()
                .collect(),
            configured: !all.is_empty(),
            named: !names.is_empty(),
        })
    }

    /// This machine alone (a command that acts only here).
    pub fn here(&self) -> Reach {
        Reach {
            local: true,
            hosts: Vec::new(),
            configured: self.configured,
            named: false,
        }
    }

    pub fn host(&self, name: &str) -> Option<&Host> {
        self.hosts.iter().find(|h| h.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(name: &str) -> Host {
        Host {
            name: name.into(),
            ssh: name.into(),
            ssh_args: vec![],
            otop: default_otop(),
            timeout: 3.0,
        }
    }

    #[test]
    fn names_and_destinations_are_checked() {
        assert!(host("box").check().is_ok());
        for bad in ["", "a b", "x;y", "local", "#[fg=red]", &"x".repeat(25)] {
            assert!(host(bad).check().is_err(), "{bad:?}");
        }
        let mut h = host("box");
        h.ssh = "-oProxyCommand=x".into();
        assert!(h.check().is_err());
        h.ssh = "box".into();
        h.timeout = f64::NAN;
        assert!(h.check().is_err());
        assert!(check(&[host("a"), host("a")]).is_err());
    }

    #[test]
    fn flags_narrow_the_reach() {
        let all = [host("a"), host("b")];
        let r = Reach::choose(&all, &[], false).unwrap();
        assert!(r.local && r.hosts.len() == 2);
        let r = Reach::choose(&all, &["b".into()], false).unwrap();
        assert!(!r.local && r.hosts == [host("b")]);
        let r = Reach::choose(&all, &["b".into()], true).unwrap();
        assert!(r.local && r.hosts.len() == 1);
        let r = Reach::choose(&all, &[], true).unwrap();
        assert!(r.local && r.hosts.is_empty() && r.configured);
        assert!(matches!(
            Reach::choose(&all, &["c".into()], false),
            Err(Error::Invalid(_))
        ));
    }
}
