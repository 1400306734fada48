//! The environment of the end-to-end tests.
//!
//! moto and `cargo lambda watch` are started once per test binary and shared: watch
//! builds and starts six functions, which is too slow to repeat per test. Each test
//! gets its own Magento and Odoo sandboxes, in-process, and registers its own
//! instance, so tests running in parallel never see each other's data.

use std::sync::OnceLock;
use std::time::Duration;

use anyhow::Context;
use harness::Functions;
use harness::api::{Api, Reply};
use harness::instance::instance_body;
use harness::odoo_rpc::OdooRpc;
use serde_json::{Value, json};

/// The shared services: URLs only, because the services live on their own thread.
pub struct Shared {
    /// Base URL of `cargo lambda watch`.
    pub functions_url: String,
}

impl Shared {
    /// Returns the port of `cargo lambda watch`, for `cargo lambda invoke`.
    pub fn functions_port(&self) -> anyhow::Result<u16> {
        let port = self.functions_url.rsplit(':').next().unwrap_or_default();
        port.parse()
            .with_context(|| format!("no port in the watch URL {}", self.functions_url))
    }
}

static SHARED: OnceLock<Result<Shared, String>> = OnceLock::new();

/// Returns the shared services, starting them on first use.
///
/// They run on a thread with its own runtime that never ends: statics are not
/// dropped, and the harness's reaper stops moto and watch when the test binary exits.
pub fn shared() -> &'static Shared {
    let started = SHARED.get_or_init(|| {
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let runtime = match tokio::runtime::Runtime::new() {
                Ok(runtime) => runtime,
                Err(error) => {
                    let _ = sender.send(Err(format!("failed to build a runtime: {error}")));
                    return;
                }
            };
            runtime.block_on(async move {
                match start_shared().await {
                    Ok((shared, services)) => {
                        let _ = sender.send(Ok(shared));
                        // Keeps moto, watch and the invoke proxy running until the
                        // process exits.
                        let _services = services;
                        std::future::pending::<()>().await;
                    }
                    Err(error) => {
                        let _ = sender.send(Err(format!("{error:#}")));
                    }
                }
            });
        });
        receiver
            .recv()
            .unwrap_or_else(|_| Err("the thread of the shared services ended".to_owned()))
    });

    match started {
        Ok(shared) => shared,
        Err(error) => panic!("failed to start moto and cargo lambda watch: {error}"),
    }
}

async fn start_shared() -> anyhow::Result<(Shared, (harness::Service, Functions))> {
    let log_dir = harness::paths::workspace_root()
        .join(".demo")
        .join("e2e-logs");
    std::fs::create_dir_all(&log_dir)
        .with_context(|| format!("failed to create {}", log_dir.display()))?;

    let (moto, moto_url) = harness::stack::start_moto(&log_dir).await?;
    let functions = Functions::start(&log_dir, &moto_url).await?;

    let shared = Shared {
        functions_url: functions.url.clone(),
    };
    Ok((shared, (moto, functions)))
}

/// One test's sandboxes and its registered instance.
pub struct Case {
    pub api: Api,
    pub instance_id: String,
    pub magento: sandbox::magento::Running,
    pub odoo: sandbox::odoo::Running,
}

/// What to seed in a test's sandboxes.
pub struct Seed {
    pub customers: u64,
    pub partners: u64,
}

impl Case {
    /// Starts sandboxes seeded with the same seed and registers instance `instance_id`.
    pub async fn start(instance_id: &str, seed: Seed) -> anyhow::Result<Self> {
        let case = Self::start_unregistered(instance_id, seed).await?;

        let body = case.instance_body()?;
        case.api
            .post("/instances", &body)
            .await?
            .expect_status(201, "register the instance")?;
        Ok(case)
    }

    /// Starts the sandboxes without registering the instance.
    pub async fn start_unregistered(instance_id: &str, seed: Seed) -> anyhow::Result<Self> {
        let shared = shared();
        let magento = sandbox::magento::spawn(sandbox::magento::Options {
            customers: seed.customers,
            seed: SEED,
            ..Default::default()
        })
        .await?;
        let odoo = sandbox::odoo::spawn(sandbox::odoo::Options {
            partners: seed.partners,
            seed: SEED,
            ..Default::default()
        })
        .await?;

        Ok(Self {
            api: Api::new(&shared.functions_url)?,
            instance_id: instance_id.to_owned(),
            magento,
            odoo,
        })
    }

    /// Returns the `POST /instances` body for this case's sandboxes.
    pub fn instance_body(&self) -> anyhow::Result<Value> {
        let magento = self.magento_ready_line();
        let odoo = json!({
            "base_url": self.odoo.base_url,
            "database": self.odoo.database,
            "login": self.odoo.login,
            "api_key": self.odoo.api_key,
        });
        instance_body(&self.instance_id, &magento, &odoo)
    }

    /// Returns the Magento sandbox's ready line: base URL, admin account, integration.
    pub fn magento_ready_line(&self) -> Value {
        serde_json::to_value(self.magento.ready_line()).unwrap_or_default()
    }

    /// Connects to the Odoo sandbox as its administrator.
    pub async fn odoo_rpc(&self) -> anyhow::Result<OdooRpc> {
        OdooRpc::connect(
            &self.odoo.base_url,
            &self.odoo.database,
            &self.odoo.login,
            &self.odoo.api_key,
        )
        .await
    }

    /// Returns `/instances/<instance_id>` followed by `rest`.
    pub fn path(&self, rest: &str) -> String {
        format!("/instances/{}{rest}", self.instance_id)
    }

    /// Polls a sync job until it has finished, failing after `timeout`.
    pub async fn wait_for_job(&self, job_id: &str, timeout: Duration) -> anyhow::Result<Value> {
        let path = self.path(&format!("/sync/{job_id}"));
        let started = std::time::Instant::now();

        loop {
            let job = self
                .api
                .get(&path)
                .await?
                .expect_status(200, "read the job")?;
            let status = job["status"].as_str().unwrap_or_default();
            if !matches!(status, "queued" | "running") {
                return Ok(job);
            }
            if started.elapsed() > timeout {
                anyhow::bail!("job {job_id} is still {status} after {timeout:?}: {job}");
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
}

/// The seed of every sandbox. The Odoo partners that match Magento customers are
/// built from it, so both sides must use the same one.
pub const SEED: u64 = 11;

/// Asserts an error reply's status, code and message.
pub fn assert_error(reply: &Reply, status: u16, code: &str, message: &str) {
    assert_eq!(reply.status, status, "status of {}", reply.body);
    assert_eq!(reply.error_code(), code, "code of {}", reply.body);
    assert_eq!(reply.error_message(), message, "message of {}", reply.body);
}
