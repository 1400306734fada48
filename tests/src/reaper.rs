//! Stops every service of this process when the process exits, however it exits.
//!
//! Dropping a [`Service`](crate::Service) stops it, but a static is never dropped (the
//! end-to-end tests share one stack between test threads) and a killed process drops
//! nothing. So each service's process group is also registered with a small `sh` child,
//! the reaper, which reads group ids on its stdin. When this process exits, the kernel
//! closes the pipe, `read` returns end-of-file, and the reaper sends SIGTERM to every
//! registered group.

use std::io::Write;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Mutex, OnceLock};

use anyhow::Context;

/// Collects group ids until end-of-file, then signals each group. A group that has
/// already stopped makes `kill` fail, which is ignored. `env kill` runs the procps
/// binary, because dash's built-in `kill` rejects negative process ids.
const SCRIPT: &str = r#"
groups=""
while read -r group; do groups="$groups $group"; done
for group in $groups; do env kill -TERM -- "-$group" 2>/dev/null; done
"#;

struct Reaper {
    stdin: ChildStdin,
    // Kept so that the handle is not dropped; the reaper outlives this process anyway.
    _child: Child,
}

static REAPER: OnceLock<Mutex<Option<Reaper>>> = OnceLock::new();

/// Registers a process group to be stopped when this process exits.
///
/// The first call starts the reaper in its own process group, so that a Ctrl-C in the
/// terminal does not stop it before it has done its work.
pub fn register(process_group: u32) -> anyhow::Result<()> {
    let reaper = REAPER.get_or_init(|| Mutex::new(None));
    let mut reaper = reaper
        .lock()
        .map_err(|_| anyhow::anyhow!("the reaper's lock is poisoned by a panic"))?;

    if reaper.is_none() {
        *reaper = Some(start()?);
    }
    if let Some(reaper) = reaper.as_mut() {
        writeln!(reaper.stdin, "{process_group}")
            .context("failed to register a process group with the reaper")?;
    }
    Ok(())
}

fn start() -> anyhow::Result<Reaper> {
    use std::os::unix::process::CommandExt;

    let mut child = Command::new("sh")
        .args(["-c", SCRIPT])
        .process_group(0)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("failed to start the reaper (sh)")?;
    let stdin = child
        .stdin
        .take()
        .context("the reaper was started without a stdin pipe")?;

    Ok(Reaper {
        stdin,
        _child: child,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::process::CommandExt;
    use std::time::{Duration, Instant};

    #[test]
    fn reaper_stops_group_at_end_of_input() -> anyhow::Result<()> {
        let mut service = Command::new("sleep").arg("60").process_group(0).spawn()?;
        let mut reaper = start()?;

        writeln!(reaper.stdin, "{}", service.id())?;
        drop(reaper.stdin);

        let started = Instant::now();
        let status = loop {
            if let Some(status) = service.try_wait()? {
                break Some(status);
            }
            if started.elapsed() > Duration::from_secs(10) {
                service.kill()?;
                break None;
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let status = status.context("the reaper did not stop the group within 10 s")?;
        assert_eq!(
            std::os::unix::process::ExitStatusExt::signal(&status),
            Some(15)
        );
        Ok(())
    }
}
