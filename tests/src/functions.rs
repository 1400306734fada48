//! The Lambda functions under `cargo lambda watch`, with the table they need in moto.

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, bail};
use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use shared::store::Store;
use tokio::process::Command;

use crate::invoke_proxy::InvokeProxy;
use crate::paths::{venv_bin, workspace_root};
use crate::service::{Service, free_port};

/// The DynamoDB table the local stack uses.
pub const TABLE_NAME: &str = "magento-odoo-connector";

/// Every Lambda function of the workspace, by binary name.
pub const FUNCTIONS: [&str; 6] = [
    "instances",
    "customers",
    "create-customer",
    "update-customer",
    "pull-customer",
    "sync-customers",
];

/// Instances that watch may run per function. The sync function needs two, so that
/// it can serve a progress request while a slice of a bulk pull runs.
const CONCURRENCY: u32 = 4;

/// Time for one function's first request. watch builds the function on its first
/// invocation, and the build waits while another cargo command locks the target
/// directory.
const FIRST_REQUEST_TIMEOUT: Duration = Duration::from_secs(900);

/// Placeholder AWS credentials that moto accepts; no real account is ever reached.
pub const LOCAL_AWS_ENV: [(&str, &str); 3] = [
    ("AWS_REGION", "us-east-1"),
    ("AWS_ACCESS_KEY_ID", "local"),
    ("AWS_SECRET_ACCESS_KEY", "local"),
];

/// The functions running under `cargo lambda watch`; dropping it stops them.
pub struct Functions {
    /// Base URL of watch: function URLs at `<url>/lambda-url/<function>/<path>`, the
    /// Invoke API at `<url>/2015-03-31/functions/<function>/invocations`.
    pub url: String,
    /// The Lambda endpoint that the functions call, an [`InvokeProxy`] in front of watch.
    pub lambda_endpoint: String,
    _watch: Service,
    _proxy: InvokeProxy,
}

impl Functions {
    /// Creates the table in moto, builds the workspace's binaries, starts watch and
    /// sends each function a first request, so that later requests find it running.
    pub async fn start(log_dir: &Path, moto_url: &str) -> anyhow::Result<Self> {
        local_store(moto_url)
            .create_table()
            .await
            .with_context(|| {
                format!("failed to create table {TABLE_NAME} in moto at {moto_url}")
            })?;
        build_workspace_binaries()?;

        let port = free_port()?;
        let url = format!("http://127.0.0.1:{port}");
        let proxy = InvokeProxy::start(&url).await?;

        let env_file = write_env_file(log_dir, moto_url, &proxy.url)?;
        let mut command = Command::new(venv_bin("cargo-lambda")?);
        command
            .current_dir(workspace_root())
            .args(["lambda", "watch", "--ignore-changes", "--quiet"])
            .args(["--invoke-address", "127.0.0.1"])
            .args(["--invoke-port", &port.to_string()])
            .args(["--concurrency", &CONCURRENCY.to_string()])
            .arg("--env-file")
            .arg(&env_file)
            .env("PATH", path_with_venv());

        let mut watch = Service::start_logged(
            "cargo lambda watch",
            command,
            &log_dir.join("functions.log"),
        )?;
        watch.wait_for_http(&url, Duration::from_secs(60)).await?;
        let first_requests = FUNCTIONS.map(|function| first_request(&url, function));
        futures::future::try_join_all(first_requests).await?;

        Ok(Self {
            url,
            lambda_endpoint: proxy.url.clone(),
            _watch: watch,
            _proxy: proxy,
        })
    }
}

/// Returns a store on the local table in moto.
pub fn local_store(moto_url: &str) -> Store {
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(moto_url)
        .credentials_provider(Credentials::new("local", "local", None, None, "harness"))
        .build();
    Store::new(aws_sdk_dynamodb::Client::from_conf(config), TABLE_NAME)
}

/// Environment variables that point the AWS SDK at moto and name the table.
pub fn aws_env(moto_url: &str) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = LOCAL_AWS_ENV
        .iter()
        .map(|(key, value)| (key.to_string(), value.to_string()))
        .collect();
    env.push(("AWS_ENDPOINT_URL".into(), moto_url.into()));
    env.push(("TABLE_NAME".into(), TABLE_NAME.into()));
    env
}

fn write_env_file(
    log_dir: &Path,
    moto_url: &str,
    lambda_endpoint: &str,
) -> anyhow::Result<std::path::PathBuf> {
    let mut env = aws_env(moto_url);
    env.push(("AWS_ENDPOINT_URL_LAMBDA".into(), lambda_endpoint.into()));
    env.push(("RUST_LOG".into(), "info".into()));

    let env_file = log_dir.join("functions.env");
    let lines: Vec<String> = env
        .iter()
        .map(|(key, value)| format!("{key}={value}"))
        .collect();
    std::fs::write(&env_file, lines.join("\n"))
        .with_context(|| format!("failed to write {}", env_file.display()))?;
    Ok(env_file)
}

/// Builds every binary of the workspace, as watch does for one function with
/// `cargo run --bin <function>` from the workspace root. The same package selection
/// resolves the same features, so watch finds the functions built.
fn build_workspace_binaries() -> anyhow::Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = std::process::Command::new(&cargo)
        .current_dir(workspace_root())
        .args(["build", "--quiet", "--bins"])
        .status()
        .with_context(|| format!("failed to run {cargo} build --bins"))?;
    if !status.success() {
        bail!("cargo build --bins failed with {status}; see the compiler output above");
    }
    Ok(())
}

/// Sends `GET /` to a function, which starts it. Any response of the function will
/// do, but a 5xx without the function's error shape comes from watch when the function
/// could not start.
async fn first_request(url: &str, function: &str) -> anyhow::Result<()> {
    let client = reqwest::Client::builder()
        .timeout(FIRST_REQUEST_TIMEOUT)
        .build()?;
    let response = client
        .get(format!("{url}/lambda-url/{function}/"))
        .send()
        .await
        .with_context(|| format!("function {function} did not answer its first request"))?;

    let status = response.status();
    if status.is_server_error() {
        let body = response.text().await.unwrap_or_default();
        if !body.contains("\"error\"") {
            bail!("function {function} failed to start (HTTP {status}): {body}");
        }
    }
    Ok(())
}

fn path_with_venv() -> String {
    let venv = workspace_root().join(".venv").join("bin");
    let path = std::env::var("PATH").unwrap_or_default();
    format!("{}:{path}", venv.display())
}
