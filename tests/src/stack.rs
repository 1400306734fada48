//! The whole local stack: moto, both sandboxes and, optionally, the functions.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use tokio::process::Command;

use crate::functions::{Functions, aws_env};
use crate::paths::{Profile, bin_dir, cargo_build_profile, venv_bin, workspace_root};
use crate::service::{Service, free_port};

pub use crate::functions::TABLE_NAME;

/// What to start and how to seed it.
#[derive(Debug, Clone)]
pub struct StackOptions {
    pub seed: u64,
    pub magento_customers: u64,
    pub odoo_partners: u64,
    pub odoo_version: u8,
    /// Extra flags for the Magento sandbox, such as `--latency-ms 40`.
    pub magento_args: Vec<String>,
    /// Extra flags for the Odoo sandbox.
    pub odoo_args: Vec<String>,
    /// Create the table and start the Lambda functions under `cargo lambda watch`.
    pub functions: bool,
    /// Directory for the services' logs.
    pub log_dir: PathBuf,
    /// Build profile of the sandbox binaries.
    pub sandbox_profile: Profile,
}

impl Default for StackOptions {
    fn default() -> Self {
        Self {
            seed: 7,
            magento_customers: 100,
            odoo_partners: 30,
            odoo_version: 18,
            magento_args: Vec::new(),
            odoo_args: Vec::new(),
            functions: false,
            log_dir: workspace_root().join(".demo").join("logs"),
            sandbox_profile: Profile::Debug,
        }
    }
}

/// The running stack. Dropping it stops every service.
pub struct Stack {
    pub moto_url: String,
    /// The Magento sandbox's ready line: base_url, admin credentials, integration keys.
    pub magento: serde_json::Value,
    /// The Odoo sandbox's ready line: base_url, database, login, api_key, version.
    pub odoo: serde_json::Value,
    /// Base URL of `cargo lambda watch`, when the functions were started.
    pub functions_url: Option<String>,
    functions: Option<Functions>,
    services: Vec<Service>,
}

impl Stack {
    /// Builds what is needed and starts every service, waiting until each one answers.
    pub async fn start(options: &StackOptions) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&options.log_dir)
            .with_context(|| format!("failed to create {}", options.log_dir.display()))?;
        cargo_build_profile("sandbox", options.sandbox_profile)?;

        let (moto, moto_url) = start_moto(&options.log_dir).await?;
        let (magento_service, magento) = start_magento(options).await?;
        let (odoo_service, odoo) = start_odoo(options).await?;
        let services = vec![moto, magento_service, odoo_service];

        let functions = match options.functions {
            true => Some(Functions::start(&options.log_dir, &moto_url).await?),
            false => None,
        };

        Ok(Self {
            moto_url,
            magento,
            odoo,
            functions_url: functions.as_ref().map(|functions| functions.url.clone()),
            functions,
            services,
        })
    }

    /// Environment variables that point the AWS SDK at moto.
    pub fn aws_env(&self) -> Vec<(String, String)> {
        aws_env(&self.moto_url)
    }

    /// Stops every service now rather than at drop, the functions first.
    pub fn stop(&mut self) {
        self.functions = None;
        self.services.clear();
    }
}

/// Starts moto (DynamoDB and Secrets Manager) on a free port and returns its URL.
///
/// It runs through the sandbox crate's launcher, which gives moto atomic conditional
/// writes and transactions that do not copy the whole table per item.
pub async fn start_moto(log_dir: &Path) -> anyhow::Result<(Service, String)> {
    let port = free_port()?;
    let mut command = Command::from(sandbox::moto::moto_command(&venv_bin("moto_server")?));
    command.args(["-H", "127.0.0.1", "-p", &port.to_string()]);

    let mut service = Service::start_logged("moto", command, &log_dir.join("moto.log"))?;
    let url = format!("http://127.0.0.1:{port}");
    service
        .wait_for_http(&format!("{url}/moto-api/"), Duration::from_secs(30))
        .await?;
    Ok((service, url))
}

async fn start_magento(options: &StackOptions) -> anyhow::Result<(Service, serde_json::Value)> {
    let mut command = Command::new(bin_dir(options.sandbox_profile).join("magento-sandbox"));
    command
        .args(["--port", "0", "--seed", &options.seed.to_string()])
        .args(["--customers", &options.magento_customers.to_string()])
        .args(&options.magento_args);

    let mut service = Service::start(
        "magento-sandbox",
        command,
        &options.log_dir.join("magento.log"),
    )?;
    let ready = service.ready_line(Duration::from_secs(120)).await?;
    Ok((service, ready))
}

async fn start_odoo(options: &StackOptions) -> anyhow::Result<(Service, serde_json::Value)> {
    let mut command = Command::new(bin_dir(options.sandbox_profile).join("odoo-sandbox"));
    command
        .args(["--port", "0", "--seed", &options.seed.to_string()])
        .args(["--partners", &options.odoo_partners.to_string()])
        .args(["--odoo-version", &options.odoo_version.to_string()])
        .args(&options.odoo_args);

    let mut service = Service::start("odoo-sandbox", command, &options.log_dir.join("odoo.log"))?;
    let ready = service.ready_line(Duration::from_secs(120)).await?;
    Ok((service, ready))
}
