//! Runs one scenario in a child process, so that its peak RSS is the
//! connector's alone: the sandboxes, moto and the latency proxy live in other
//! processes.

use std::process::Stdio;

use anyhow::{Context, bail};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::Command;

use super::endpoints::Endpoints;
use super::rss::peak_rss_kib;
use super::scenario::{Scenario, ScenarioResult};
use super::{baseline, bulk, fetch_only};

/// What a child runs; it becomes the child's command-line flags.
#[derive(Debug, Clone, Copy)]
pub struct ChildTask {
    pub scenario: Scenario,
    /// Customers in the Magento sandbox.
    pub customers: u64,
    pub page_size: u32,
    /// Customers the baseline syncs.
    pub sample: u64,
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
        ]
    }
}

/// Starts this executable as a scenario child, hands it `endpoints` on stdin
/// and returns the result line it prints. The child's stderr (its logs) goes
/// to this process's stderr.
pub async fn run_in_child(
    task: ChildTask,
    endpoints: &Endpoints,
) -> anyhow::Result<ScenarioResult> {
    let executable =
        std::env::current_exe().context("failed to find the path of the bench executable")?;
    let mut child = Command::new(&executable)
        .args(task.args())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("failed to start {}", executable.display()))?;

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
        bail!(
            "the {} scenario child exited with {status}; its error is on stderr above",
            task.scenario.name()
        );
    }

    parse_result_line(&output)
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
        Scenario::Bulk => bulk::run(&endpoints, task.page_size).await?,
    };

    let covers_all = matches!(task.scenario, Scenario::FetchOnly | Scenario::Bulk);
    if covers_all && result.customers != task.customers {
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
        let output = "noise\n{\"scenario\":\"fetch-only\",\"customers\":10,\"wall_secs\":0.5,\"magento_calls\":1,\"odoo_calls\":0,\"peak_rss_kib\":2048,\"created\":0,\"linked\":0,\"failed\":0,\"note\":null}\n\n";

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
    fn child_args_name_the_scenario() {
        let task = ChildTask {
            scenario: Scenario::FetchOnly,
            customers: 10_000,
            page_size: 100,
            sample: 300,
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
                "300"
            ]
        );
    }
}
