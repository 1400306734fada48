//! Runs the Magento 2 customer REST API sandbox until interrupted.
//!
//! Prints one JSON ready line on stdout with the base URL and credentials; logs go
//! to stderr.

use std::net::{IpAddr, SocketAddr};

use anyhow::Context;
use clap::Parser;
use sandbox::faults::FaultArgs;
use sandbox::magento::{Options, Settings, ShareScope};

#[derive(Debug, Parser)]
#[command(about = "Emulates the Magento 2.4 customer REST API for tests and demos")]
struct Args {
    /// Port to listen on; 0 picks a free port.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Number of customers to create at start, with ids 1..=N.
    #[arg(long, default_value_t = 0)]
    customers: u64,
    /// Seed of the generated customers and of the fault RNG.
    #[arg(long)]
    seed: Option<u64>,
    /// Admin password; a random one is generated when left out.
    #[arg(long, env = "MAGENTO_SANDBOX_ADMIN_PASSWORD")]
    admin_password: Option<String>,
    /// Accept the integration access token as a bearer token.
    #[arg(long)]
    integration_as_bearer: bool,
    /// Enforce Magento's web API input limits (page size at most 300, default 20).
    #[arg(long)]
    input_limits: bool,
    /// Scope in which customer emails must be unique.
    #[arg(long, value_enum, default_value = "website")]
    account_share_scope: ShareScope,
    /// Max lines of an address street (1 to 4).
    #[arg(long, default_value_t = 2)]
    street_lines: usize,
    /// Require email confirmation for accounts created with a password.
    #[arg(long)]
    confirmation_required: bool,
    /// Make the admin token route reject valid credentials as two-factor auth does.
    #[arg(long)]
    two_factor_auth: bool,
    /// Comma-separated ISO-2 codes of allowed countries; all directory countries by default.
    #[arg(long, value_delimiter = ',')]
    allowed_countries: Vec<String>,
    #[command(flatten)]
    faults: FaultArgs,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();

    let args = Args::parse();
    let mut settings = Settings {
        integration_as_bearer: args.integration_as_bearer,
        input_limits: args.input_limits,
        account_share_scope: args.account_share_scope,
        street_lines: args.street_lines,
        confirmation_required: args.confirmation_required,
        two_factor_auth: args.two_factor_auth,
        ..Settings::default()
    };
    if !args.allowed_countries.is_empty() {
        settings.allowed_countries = args.allowed_countries.clone();
    }

    let options = Options {
        customers: args.customers,
        seed: args.seed.unwrap_or(1),
        fault_seed: args.seed,
        settings,
        faults: args.faults.clone().into(),
        admin_password: args.admin_password.clone(),
        ..Options::default()
    };
    let running = sandbox::magento::start(options, SocketAddr::new(args.host, args.port)).await?;

    let line = serde_json::to_string(&running.ready_line())
        .context("serializing the ready line failed")?;
    println!("{line}");

    tokio::signal::ctrl_c()
        .await
        .context("waiting for Ctrl-C failed")?;
    tracing::info!("interrupted, stopping");
    Ok(())
}
