//! Runs one scenario in a child process, so that its peak RSS is the
//! connector's alone: the sandboxes, moto and the latency proxy live in other
//! processes.

use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context, bail};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::Command;

use super::endpoints::Endpoints;
use super::rss::peak_rss_kib;
use super::scenario::{Scenario, ScenarioResult};
use super::{baseline, bulk, fetch_only};

/// The scenario and sizes that a child runs, passed as its command-line flags.
#[derive(Debug, Clone, Copy)]
pub struct ChildTask {
    pub scenario: Scenario,
    /// Customers in the Magento sandbox.
    pub customers: u64,
    pub page_size: u32,
    /// Customers the baseline syncs.
    pub sample: u64,
    /// Time after which the bulk pull takes no new page.
    pub time_limit: Duration,
}

impl ChildTask {
    fn args(&self) -> Vec<String> {
        vec![
            "--scenario".into(),
            self.scenario.name().into(),
            "--customers".into(),
            self.customers.to_string(),
            "--page-size".into(),
            self.page_size.to_string(),
            "--sample".into(),
            self.sample.to_string(),
            "--scenario-timeout-secs".into(),
            self.time_limit.as_secs().to_string(),
        ]
    }
}

/// Starts this executable as a scenario child, hands it `endpoints` on stdin
/// and returns the result line it prints. The child's stderr (its logs) is
/// copied to this process's stderr, and the error it ends with becomes the
/// error returned here.
pub async fn run_in_child(
    task: ChildTask,
    endpoints: &Endpoints,
) -> anyhow::Result<ScenarioResult> {
    let executable =
        std::env::current_exe().context("failed to find the path of the bench executable")?;
    let mut child = Command::new(&executable)
        .args(task.args())
        // The error message is enough for the report; a backtrace would bury it.
        .env("RUST_LIB_BACKTRACE", "0")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("failed to start {}", executable.display()))?;

    let stderr = child
        .stderr
        .take()
        .context("the scenario child has no stderr")?;
    let error_message = tokio::spawn(copy_stderr(stderr));

    let input = serde_json::to_vec(endpoints).context("failed to encode the endpoints")?;
    let mut stdin = child
        .stdin
        .take()
        .context("the scenario child has no stdin")?;
    stdin
        .write_all(&input)
        .await
        .context("failed to send the endpoints to the scenario child")?;
    drop(stdin);

    let mut output = String::new();
    if let Some(mut stdout) = child.stdout.take() {
        stdout
            .read_to_string(&mut output)
            .await
            .context("failed to read the scenario child's output")?;
    }
    let status = child
        .wait()
        .await
        .context("failed to wait for the scenario child")?;
    if !status.success() {
        let error = error_message.await.ok().flatten().unwrap_or_default();
        bail!(
            "the {} scenario child exited with {status}: {error}",
            task.scenario.name()
        );
    }

    parse_result_line(&output)
}

/// Copies the child's stderr to ours line by line and returns the error that
/// its `main` printed last.
async fn copy_stderr(stderr: tokio::process::ChildStderr) -> Option<String> {
    let mut lines = BufReader::new(stderr).lines();
    let mut output = tokio::io::stderr();
    let mut error = ErrorLines::default();

    while let Ok(Some(line)) = lines.next_line().await {
        let _ = output.write_all(format!("{line}\n").as_bytes()).await;
        error.push(&line);
    }
    error.message()
}

/// The error that an anyhow `main` prints: an `Error:` line, then optionally
/// `Caused by:` and numbered causes, then optionally a backtrace.
#[derive(Debug, Default)]
struct ErrorLines {
    parts: Vec<String>,
    in_error: bool,
}

impl ErrorLines {
    fn push(&mut self, line: &str) {
        if let Some(message) = line.strip_prefix("Error: ") {
            self.parts = vec![message.to_owned()];
            self.in_error = true;
            return;
        }
        if !self.in_error {
            return;
        }
        if line.starts_with("Stack backtrace:") {
            self.in_error = false;
            return;
        }

        let cause = line.trim();
        let cause = cause
            .split_once(": ")
            .filter(|(index, _)| index.chars().all(|c| c.is_ascii_digit()))
            .map_or(cause, |(_, message)| message);
        if !cause.is_empty() && cause != "Caused by:" {
            self.parts.push(cause.to_owned());
        }
    }

    /// Returns the message and its causes joined with ": ".
    fn message(self) -> Option<String> {
        (!self.parts.is_empty()).then(|| self.parts.join(": "))
    }
}

/// Runs `task` in this process, which is the child: reads the endpoints from
/// stdin and returns the result with the peak RSS filled in.
pub async fn run_here(task: ChildTask) -> anyhow::Result<ScenarioResult> {
    let mut input = String::new();
    tokio::io::stdin()
        .read_to_string(&mut input)
        .await
        .context("failed to read the endpoints JSON from stdin")?;
    let endpoints: Endpoints = serde_json::from_str(&input)
        .context("stdin is not the endpoints JSON that the bench process sends")?;

    let mut result = match task.scenario {
        Scenario::FetchOnly => fetch_only::run(&endpoints, task.page_size).await?,
        Scenario::Baseline => baseline::run(&endpoints, task.page_size, task.sample).await?,
        Scenario::Bulk => bulk::run(&endpoints, task.page_size, task.time_limit).await?,
    };

    let covers_all = matches!(task.scenario, Scenario::FetchOnly | Scenario::Bulk);
    if covers_all && result.customers != task.customers && result.note.is_none() {
        result.note = Some(format!(
            "went through {} of the {} customers",
            result.customers, task.customers
        ));
    }

    result.peak_rss_kib = peak_rss_kib()?;
    Ok(result)
}

/// Parses the last non-empty line of a child's stdout as its result.
fn parse_result_line(output: &str) -> anyhow::Result<ScenarioResult> {
    let line = output
        .lines()
        .rev()
        .find(|line| !line.trim().is_empty())
        .context("the scenario child printed no result line")?;

    serde_json::from_str(line)
        .with_context(|| format!("the scenario child printed an invalid result line: {line}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_line_last_wins() {
        let output = "noise\n{\"scenario\":\"fetch-only\",\"customers\":10,\"wall_secs\":0.5,\"magento_calls\":1,\"odoo_calls\":0,\"peak_rss_kib\":2048,\"created\":0,\"linked\":0,\"skipped\":0,\"failed\":0,\"complete\":true,\"note\":null}\n\n";

        let result = parse_result_line(output);

        let result = result.ok();
        assert_eq!(
            result.as_ref().map(|r| r.scenario),
            Some(Scenario::FetchOnly)
        );
        assert_eq!(result.as_ref().map(|r| r.customers), Some(10));
        assert_eq!(result.map(|r| r.peak_rss_kib), Some(2048));
    }

    #[test]
    fn result_line_missing() {
        let error = parse_result_line("\n\n").err().map(|e| e.to_string());

        assert_eq!(
            error.as_deref(),
            Some("the scenario child printed no result line")
        );
    }

    #[test]
    fn error_lines_join_causes() {
        let mut error = ErrorLines::default();
        let stderr = [
            "2026-01-01T00:00:00Z  WARN something: retrying",
            "Error: bulk: page 3 failed",
            "",
            "Caused by:",
            "    0: odoo res.partner.create failed",
            "    1: connection refused",
            "",
            "Stack backtrace:",
            "   0: <unknown>",
        ];

        for line in stderr {
            error.push(line);
        }

        assert_eq!(
            error.message().as_deref(),
            Some("bulk: page 3 failed: odoo res.partner.create failed: connection refused")
        );
    }

    #[test]
    fn error_lines_single_cause() {
        let mut error = ErrorLines::default();

        error.push("Error: shared::sync has no bulk pull yet");
        error.push("");
        error.push("Caused by:");
        error.push("    connection refused");

        assert_eq!(
            error.message().as_deref(),
            Some("shared::sync has no bulk pull yet: connection refused")
        );
    }

    #[test]
    fn error_lines_without_error() {
        let mut error = ErrorLines::default();

        error.push("INFO started");

        assert_eq!(error.message(), None);
    }

    #[test]
    fn child_args_name_the_scenario() {
        let task = ChildTask {
            scenario: Scenario::FetchOnly,
            customers: 10_000,
            page_size: 100,
            sample: 300,
            time_limit: Duration::from_secs(240),
        };

        assert_eq!(
            task.args(),
            vec![
                "--scenario",
                "fetch-only",
                "--customers",
                "10000",
                "--page-size",
                "100",
                "--sample",
                "300",
                "--scenario-timeout-secs",
                "240"
            ]
        );
    }
}
