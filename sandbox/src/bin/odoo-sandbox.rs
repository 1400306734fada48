//! Starts the Odoo external API sandbox and prints one JSON line with its
//! address and credentials on stdout once it accepts requests.

use std::net::IpAddr;

use anyhow::Context;
use clap::Parser;
use sandbox::faults::FaultArgs;
use sandbox::odoo::{self, OdooVersion, Options};
use tracing_subscriber::EnvFilter;

#[derive(Debug, Parser)]
#[command(about = "Emulates the Odoo external API (JSON-RPC and JSON-2) in memory")]
struct Args {
    /// Port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Odoo major version to emulate: 17, 18 or 19.
    #[arg(long, default_value = "19")]
    odoo_version: OdooVersion,
    /// Database name that clients must send.
    #[arg(long, default_value = "sandbox")]
    database: String,
    /// Number of seed partner slots (about 1.7 partners per slot).
    #[arg(long, default_value_t = 0)]
    partners: u64,
    /// Seed for partners, API keys and fault rolls.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Check VAT numbers on create and write, as with base_vat installed.
    #[arg(long)]
    base_vat: bool,
    #[command(flatten)]
    faults: FaultArgs,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();

    let args = Args::parse();
    let options = Options {
        host: args.host,
        port: args.port,
        version: args.odoo_version,
        database: args.database,
        partners: args.partners,
        seed: args.seed,
        base_vat: args.base_vat,
        faults: args.faults.into(),
    };

    let running = odoo::spawn(options).await?;
    let ready = serde_json::json!({
        "base_url": running.base_url,
        "database": running.database,
        "login": running.login,
        "api_key": running.api_key,
        "version": running.version.serie(),
    });
    println!("{ready}");
    tracing::info!(base_url = %running.base_url, version = %running.version.serie(), "odoo sandbox ready");

    tokio::signal::ctrl_c()
        .await
        .context("waiting for Ctrl-C failed")?;
    tracing::info!("odoo sandbox stopping");
    drop(running);
    Ok(())
}
