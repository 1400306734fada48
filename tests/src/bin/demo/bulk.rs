//! The bulk sync: started through the API, followed with a live progress bar.

use std::time::Duration;

use anyhow::{Context, bail};
use harness::api::Api;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{Value, json};

/// How often the job's progress is read.
const POLL_INTERVAL: Duration = Duration::from_millis(250);

/// Longest wait for the job to finish. 1,000 sandbox customers take seconds; a job
/// that takes this long is stuck, and its last state is reported.
const JOB_TIMEOUT: Duration = Duration::from_secs(900);

/// Starts a bulk sync of `instance_id`, shows its progress until it finishes and
/// returns the finished job as `GET /instances/{id}/sync/{job_id}` returns it.
pub async fn run(api: &Api, instance_id: &str) -> anyhow::Result<Value> {
    let started = api
        .post(&format!("/instances/{instance_id}/sync"), &json!({}))
        .await?
        .expect_status(202, "start the bulk sync")?;
    let job_id = started["job_id"]
        .as_str()
        .with_context(|| format!("the sync response has no job_id: {started}"))?
        .to_owned();
    println!("  job {job_id} accepted (HTTP 202); following its progress:");

    let bar = ProgressBar::new_spinner();
    bar.set_style(waiting_style());
    bar.enable_steady_tick(Duration::from_millis(120));

    let path = format!("/instances/{instance_id}/sync/{job_id}");
    let job = loop {
        let job = api
            .get(&path)
            .await?
            .expect_status(200, "read the job's progress")?;
        show(&bar, &job);

        if !matches!(job["status"].as_str(), Some("queued" | "running")) {
            break job;
        }
        if bar.elapsed() > JOB_TIMEOUT {
            bar.abandon();
            bail!("job {job_id} has not finished after {JOB_TIMEOUT:?}; its last state: {job}");
        }
        tokio::time::sleep(POLL_INTERVAL).await;
    };

    bar.finish();
    // The bar is not drawn when the output is not a terminal, so the result is also
    // printed as a line.
    println!(
        "  job {}: {} of {} customers processed",
        job["status"].as_str().unwrap_or("unknown"),
        job["processed"],
        job["total"]
    );
    Ok(job)
}

/// Updates the bar from one progress response. The total is unknown until the first
/// Magento page has been read, so the bar is a spinner until then.
fn show(bar: &ProgressBar, job: &Value) {
    let count = |name: &str| job[name].as_u64().unwrap_or(0);

    if let Some(total) = job["total"].as_u64()
        && bar.length() != Some(total)
    {
        bar.set_length(total);
        bar.set_style(counting_style());
    }
    bar.set_position(count("processed"));

    let rate = job["customers_per_second"]
        .as_f64()
        .map(|rate| format!(" · {rate:.0}/s"))
        .unwrap_or_default();
    bar.set_message(format!(
        "{} · created {} · linked {} · updated {} · skipped {} · failed {}{rate}",
        job["status"].as_str().unwrap_or("unknown"),
        count("created"),
        count("linked"),
        count("updated"),
        count("skipped"),
        count("failed"),
    ));
}

fn waiting_style() -> ProgressStyle {
    ProgressStyle::with_template("  {spinner} {elapsed:>4} {msg}")
        .unwrap_or_else(|_| ProgressStyle::default_spinner())
}

fn counting_style() -> ProgressStyle {
    ProgressStyle::with_template(
        "  {spinner} {elapsed:>4} [{bar:32.cyan/blue}] {pos:>5}/{len} customers · {msg}",
    )
    .map(|style| style.progress_chars("=> "))
    .unwrap_or_else(|_| ProgressStyle::default_bar())
}
