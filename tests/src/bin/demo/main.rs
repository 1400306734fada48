//! `make demo`: the connector's main jobs end to end on the local sandboxes, through
//! the Lambda functions under `cargo lambda watch`.
//!
//! It starts moto, the Magento sandbox with realistic customers and the Odoo sandbox
//! with some of the same people as existing partners, registers an instance through
//! the API, runs a bulk sync with a live progress bar, creates, updates and pulls
//! single customers, and prints a summary and the first rows of the list view.
//! Everything it started stops when it ends, also on Ctrl-C or SIGTERM. The services'
//! logs go to `.demo/logs/`.

mod bulk;
mod flow;
mod report;
mod single;

use std::process::ExitCode;

use clap::Parser;
use tokio::signal::unix::{SignalKind, signal};

/// Runs the connector's main jobs end to end on the local sandboxes.
#[derive(Debug, Parser)]
pub struct Args {
    /// Magento customers to seed, with ids 1 to N.
    #[arg(long, default_value_t = 1000)]
    customers: u64,

    /// Odoo partner slots to seed; every third one (1, 4, 7, ...) is the Magento
    /// customer with that id, its email in another letter case.
    #[arg(long, default_value_t = 300)]
    partners: u64,

    /// Seed of both sandboxes' data.
    #[arg(long, default_value_t = 7)]
    seed: u64,

    /// Odoo version to emulate: 17, 18 or 19.
    #[arg(long, default_value_t = 18)]
    odoo_version: u8,
}

/// Exit status after an interruption: 128 plus SIGINT's number, as shells report it.
const INTERRUPTED: u8 = 130;

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    if let Err(error) = init_logging() {
        eprintln!("demo failed to set up its log file: {error:#}");
        return ExitCode::FAILURE;
    }

    tokio::select! {
        result = flow::run(&args) => match result {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                tracing::error!(error = format!("{error:#}"), "demo failed");
                eprintln!("\ndemo failed: {error:#}");
                eprintln!("The services' logs are in .demo/logs/.");
                ExitCode::FAILURE
            }
        },
        signal = interruption() => {
            // Returning drops the demo's future and with it the stack, which stops
            // every service before the process exits.
            eprintln!("\n{signal} received: stopping every service the demo started.");
            ExitCode::from(INTERRUPTED)
        }
    }
}

/// Waits for SIGINT (Ctrl-C) or SIGTERM and returns its name.
async fn interruption() -> &'static str {
    let (Ok(mut interrupt), Ok(mut terminate)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) else {
        tracing::error!("failed to install the SIGINT and SIGTERM handlers");
        return std::future::pending().await;
    };

    tokio::select! {
        _ = interrupt.recv() => "SIGINT",
        _ = terminate.recv() => "SIGTERM",
    }
}

/// Sends the demo's own log lines to `.demo/logs/demo.log`, so that the terminal
/// shows only the demo's output.
fn init_logging() -> anyhow::Result<()> {
    let log_dir = harness::paths::workspace_root().join(".demo").join("logs");
    std::fs::create_dir_all(&log_dir)?;
    let log_file = std::fs::File::create(log_dir.join("demo.log"))?;

    tracing_subscriber::fmt()
        .with_writer(std::sync::Mutex::new(log_file))
        .with_ansi(false)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    Ok(())
}
