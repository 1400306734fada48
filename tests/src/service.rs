//! A child process that is stopped, with its whole process group, when dropped.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// A running service. Dropping it sends SIGTERM to its process group, then kills it.
pub struct Service {
    name: String,
    child: Child,
}

impl Service {
    /// Starts `command` in a new process group, appending its stderr to `log_file`.
    /// Its stdout stays a pipe for [`Service::ready_line`].
    ///
    /// The group is also registered with the [reaper](crate::reaper), which stops it
    /// when this process exits without dropping the service.
    pub fn start(name: &str, command: Command, log_file: &Path) -> anyhow::Result<Self> {
        Self::spawn(name, command, log_file, Stdio::piped())
    }

    /// Starts `command` like [`Service::start`], appending both stdout and stderr to
    /// `log_file`. For services that print no ready line, because a pipe that is never
    /// read fills up and then blocks the writer.
    pub fn start_logged(name: &str, command: Command, log_file: &Path) -> anyhow::Result<Self> {
        let stdout = open_log(log_file)?;
        Self::spawn(name, command, log_file, Stdio::from(stdout))
    }

    fn spawn(
        name: &str,
        mut command: Command,
        log_file: &Path,
        stdout: Stdio,
    ) -> anyhow::Result<Self> {
        let child = command
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(Stdio::from(open_log(log_file)?))
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("failed to start {name}"))?;
        if let Some(pid) = child.id() {
            crate::reaper::register(pid)?;
        }

        Ok(Self {
            name: name.to_owned(),
            child,
        })
    }

    /// Reads the first line the service prints on stdout and parses it as JSON.
    ///
    /// The sandboxes print exactly one JSON line with their URL and credentials once
    /// they accept connections.
    pub async fn ready_line(&mut self, timeout: Duration) -> anyhow::Result<serde_json::Value> {
        let stdout = self
            .child
            .stdout
            .take()
            .with_context(|| format!("{} has no stdout to read", self.name))?;
        let mut lines = BufReader::new(stdout).lines();

        let line = tokio::time::timeout(timeout, lines.next_line())
            .await
            .with_context(|| format!("{} printed no ready line within {timeout:?}", self.name))?
            .with_context(|| format!("failed to read the ready line of {}", self.name))?
            .with_context(|| format!("{} exited before printing its ready line", self.name))?;

        serde_json::from_str(&line).with_context(|| {
            format!(
                "{} printed a ready line that is not JSON: {line}",
                self.name
            )
        })
    }

    /// Waits until `url` answers any HTTP status, failing after `timeout`.
    pub async fn wait_for_http(&mut self, url: &str, timeout: Duration) -> anyhow::Result<()> {
        let client = reqwest::Client::new();
        let started = Instant::now();

        loop {
            if let Some(status) = self.child.try_wait()? {
                bail!("{} exited with {status} before {url} answered", self.name);
            }
            if client.get(url).send().await.is_ok() {
                return Ok(());
            }
            if started.elapsed() > timeout {
                bail!("{} did not answer at {url} within {timeout:?}", self.name);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        if let Some(pid) = self.child.id() {
            // A negative pid addresses the whole process group, which includes the
            // function processes that cargo lambda watch starts.
            let _ = std::process::Command::new("kill")
                .args(group_kill_args(pid))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        let _ = self.child.start_kill();
    }
}

fn open_log(log_file: &Path) -> anyhow::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log_file)
        .with_context(|| format!("failed to open log file {}", log_file.display()))
}

/// Returns the arguments of `kill` that send SIGTERM to process group `pgid`.
///
/// The `--` is required: procps-ng 4.0.2 `kill -TERM -2050` sends the signal to
/// group 2, and `kill -TERM -1xxx` to -1, which is every process the user may
/// signal. After `--` it parses the whole negative number.
fn group_kill_args(pgid: u32) -> [String; 3] {
    ["-TERM".to_owned(), "--".to_owned(), format!("-{pgid}")]
}

/// Returns a TCP port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> anyhow::Result<u16> {
    let listener =
        std::net::TcpListener::bind("127.0.0.1:0").context("failed to bind 127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kill_args_end_options() {
        assert_eq!(group_kill_args(10178), ["-TERM", "--", "-10178"]);
    }

    /// Returns whether `pid` is gone or a zombie that only waits to be reaped.
    fn is_dead(pid: u32) -> bool {
        match std::fs::read_to_string(format!("/proc/{pid}/status")) {
            Err(_) => true,
            Ok(status) => status
                .lines()
                .any(|line| line.starts_with("State:") && line.contains('Z')),
        }
    }

    #[tokio::test]
    async fn drop_stops_process_group() -> anyhow::Result<()> {
        let log = std::env::temp_dir().join(format!("service-test-{}.log", std::process::id()));
        let mut command = Command::new("sh");
        command.args(["-c", "sleep 300 & echo \"{\\\"pid\\\": $!}\"; wait"]);
        let mut service = Service::start("sleeper", command, &log)?;
        let ready = service.ready_line(Duration::from_secs(10)).await?;
        let grandchild = ready["pid"]
            .as_u64()
            .and_then(|pid| u32::try_from(pid).ok())
            .context("the ready line has no pid")?;
        let own_pid = std::process::id();

        drop(service);

        let started = Instant::now();
        while !is_dead(grandchild) && started.elapsed() < Duration::from_secs(5) {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert!(
            is_dead(grandchild),
            "process {grandchild} survived the drop"
        );
        assert!(!is_dead(own_pid));
        let _ = std::fs::remove_file(log);
        Ok(())
    }
}
