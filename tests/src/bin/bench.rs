//! `make bench`: measures the connector's bulk pull against a per-record
//! baseline and the fetch-only limit, and prints a Markdown report.
//!
//! Without `--scenario` it starts the stacks and runs each scenario as a child
//! process of itself. With `--scenario` it is such a child: it reads the
//! endpoints JSON on stdin, runs that one scenario and prints one JSON result
//! line on stdout.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use harness::bench::child::{ChildTask, run_here};
use harness::bench::environment::Latency;
use harness::bench::runner::{self, Settings};
use harness::bench::scenario::Scenario;
use shared::config::DEFAULT_MAGENTO_PAGE_SIZE;
use tracing_subscriber::EnvFilter;

#[derive(Debug, Parser)]
#[command(
    about = "Benchmarks the bulk pull against a per-record baseline and the fetch-only limit"
)]
struct Args {
    /// Magento customer counts to benchmark, comma-separated; one stack each.
    #[arg(long, value_delimiter = ',', default_values_t = [10_000u64, 100_000])]
    sizes: Vec<u64>,
    /// Customers the per-record baseline syncs at each size.
    #[arg(long, default_value_t = 300)]
    sample: u64,
    /// Magento search page size of the bulk pull and of the fetch-only run.
    #[arg(long, default_value_t = DEFAULT_MAGENTO_PAGE_SIZE)]
    page_size: u32,
    /// Delay added to every Magento request, in milliseconds.
    #[arg(long, default_value_t = 40)]
    magento_latency_ms: u64,
    /// Delay added to every Odoo call, in milliseconds.
    #[arg(long, default_value_t = 30)]
    odoo_latency_ms: u64,
    /// Delay added to every DynamoDB call by the proxy in front of moto, in milliseconds.
    #[arg(long, default_value_t = 5)]
    dynamodb_latency_ms: u64,
    /// Bulk runs at each size, each from an empty link state. The memory
    /// targets compare their median peak RSS.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u16).range(1..))]
    bulk_runs: u16,
    /// Time in seconds after which the bulk pull takes no new page; its figures
    /// then cover the customers processed so far. Any scenario still running
    /// 120 s later is killed and reported as not run.
    #[arg(long, default_value_t = 240)]
    scenario_timeout_secs: u64,
    /// Directory for the logs of moto and the sandboxes.
    #[arg(long)]
    log_dir: Option<PathBuf>,
    /// Run only this scenario, in this process, against the endpoints JSON on
    /// stdin, and print one JSON result line. The bench starts its scenario
    /// children with this flag.
    #[arg(long, value_enum)]
    scenario: Option<Scenario>,
    /// With --scenario: customers in the Magento sandbox.
    #[arg(long, default_value_t = 0)]
    customers: u64,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("warn,harness=info")),
        )
        .init();
    let args = Args::parse();

    if let Some(scenario) = args.scenario {
        let task = ChildTask {
            scenario,
            customers: args.customers,
            page_size: args.page_size,
            sample: args.sample,
            time_limit: Duration::from_secs(args.scenario_timeout_secs),
        };
        let result = run_here(task).await?;
        println!(
            "{}",
            serde_json::to_string(&result).context("failed to encode the result line")?
        );
        return Ok(());
    }

    let settings = Settings {
        sizes: args.sizes,
        sample: args.sample,
        page_size: args.page_size,
        latency: Latency {
            magento_ms: args.magento_latency_ms,
            odoo_ms: args.odoo_latency_ms,
            dynamodb_ms: args.dynamodb_latency_ms,
        },
        bulk_runs: usize::from(args.bulk_runs),
        scenario_timeout: Duration::from_secs(args.scenario_timeout_secs),
        log_dir: args
            .log_dir
            .unwrap_or_else(|| std::env::temp_dir().join("magento-odoo-bench")),
    };
    let report = runner::run(&settings).await?;
    println!("{report}");
    Ok(())
}
