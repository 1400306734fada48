//! The stack one size runs on: moto behind the latency proxy, and both
//! sandboxes with injected latency, built in release mode.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use shared::store::Store;

use super::counters::StackCounters;
use super::endpoints::{Endpoints, dynamodb_client};
use super::instance::INSTANCE_ID;
use crate::latency_proxy::LatencyProxy;
use crate::paths::Profile;
use crate::stack::{Stack, StackOptions, TABLE_NAME};

/// Seed of the sandboxes' generated customers and partners.
const SEED: u64 = 7;
/// Odoo version the Odoo sandbox emulates: 19, the current release, served over JSON-2.
///
/// NOTE: on 17 and 18 the Odoo client looks titles up by name only ("Mister",
/// not the Magento prefix "Mr."), so it tries to create one per prefix, which
/// the sandbox rejects with an AccessError.
const ODOO_VERSION: u8 = 19;

/// Delay added to every remote call, by system.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Latency {
    pub magento_ms: u64,
    pub odoo_ms: u64,
    pub dynamodb_ms: u64,
}

/// A running stack for one size. Dropping it stops every service.
pub struct BenchStack {
    stack: Stack,
    proxy: LatencyProxy,
    http: reqwest::Client,
    pub endpoints: Endpoints,
}

impl BenchStack {
    /// Starts the stack with `customers` Magento customers, an Odoo database in
    /// which every third customer has a partner with the same email, and an
    /// empty table.
    pub async fn start(customers: u64, latency: Latency, log_dir: PathBuf) -> anyhow::Result<Self> {
        let options = StackOptions {
            seed: SEED,
            magento_customers: customers,
            odoo_partners: partner_slots(customers),
            odoo_version: ODOO_VERSION,
            magento_args: latency_args(latency.magento_ms),
            odoo_args: latency_args(latency.odoo_ms),
            functions: false,
            log_dir,
            sandbox_profile: Profile::Release,
        };
        let stack = Stack::start(&options)
            .await
            .with_context(|| format!("failed to start the stack for {customers} customers"))?;

        // The table is created on moto directly, so its calls stay out of the count.
        Store::new(dynamodb_client(&stack.moto_url), TABLE_NAME)
            .create_table()
            .await
            .context("failed to create the DynamoDB table on moto")?;

        let proxy =
            LatencyProxy::start(&stack.moto_url, Duration::from_millis(latency.dynamodb_ms))
                .await?;
        let endpoints =
            Endpoints::from_ready_lines(&stack.magento, &stack.odoo, &proxy.url, TABLE_NAME)?;

        Ok(Self {
            stack,
            proxy,
            http: reqwest::Client::new(),
            endpoints,
        })
    }

    /// Reads the request counters of the proxy and both sandboxes.
    pub async fn counters(&self) -> anyhow::Result<StackCounters> {
        StackCounters::read(
            &self.proxy,
            &self.http,
            &self.endpoints.odoo_base_url,
            &self.endpoints.magento_base_url,
        )
        .await
    }

    /// Returns the processed and total counters of the instance's newest job,
    /// read from moto directly so that the read is not counted.
    pub async fn newest_job_progress(&self) -> anyhow::Result<Option<(u64, u64)>> {
        let store = Store::new(dynamodb_client(&self.stack.moto_url), TABLE_NAME);
        let jobs = store
            .list_jobs(INSTANCE_ID, 1)
            .await
            .context("failed to read the newest job from moto")?;

        Ok(jobs
            .first()
            .map(|job| (job.counts.processed, job.counts.total)))
    }
}

/// Returns the Odoo seed slots for `customers`: one per customer. The sandbox
/// gives every third slot (1, 4, 7, ...) the email of the Magento customer with
/// that id, so a third of the customers link and the rest are created, evenly
/// over the id range. The baseline's sample of the first ids then has the same
/// mix as the whole run.
pub fn partner_slots(customers: u64) -> u64 {
    customers
}

fn latency_args(milliseconds: u64) -> Vec<String> {
    vec!["--latency-ms".to_owned(), milliseconds.to_string()]
}
