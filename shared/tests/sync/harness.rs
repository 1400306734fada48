//! The systems a sync test runs against: moto for DynamoDB, the Magento sandbox and the
//! Odoo sandbox, all in this process or on 127.0.0.1, with clients and a context
//! aimed at them.

use std::time::Duration;

use anyhow::Context;
use chrono::Utc;
use secrecy::SecretString;
use serde_json::{Value, json};
use shared::config::{ConflictPolicy, InstanceConfig, MagentoAuthKind, OdooProtocol};
use shared::magento::{self, Credentials, SignatureMethod};
use shared::odoo::{self, Partner};
use shared::retry::RetryPolicy;
use shared::store::Store;
use shared::sync::SyncContext;
use url::Url;

pub const INSTANCE: &str = "main";
const TABLE: &str = "sync-test";
const REGION: &str = "us-east-1";

/// What to start.
pub struct Setup {
    pub customers: u64,
    pub partners: u64,
    pub seed: u64,
    pub odoo_version: sandbox::odoo::OdooVersion,
    pub base_vat: bool,
    pub policy: ConflictPolicy,
    /// Attempts per remote call, the first included.
    pub attempts: u32,
}

impl Default for Setup {
    fn default() -> Self {
        Self {
            customers: 0,
            partners: 0,
            seed: 7,
            odoo_version: sandbox::odoo::OdooVersion::V18,
            base_vat: false,
            policy: ConflictPolicy::MagentoWins,
            attempts: 6,
        }
    }
}

/// The running systems. Dropping it stops all of them.
pub struct Env {
    pub ctx: SyncContext,
    pub magento: sandbox::magento::Running,
    pub odoo: sandbox::odoo::Running,
    pub http: reqwest::Client,
    _moto: sandbox::moto::MotoServer,
}

impl Env {
    pub async fn start(setup: Setup) -> anyhow::Result<Self> {
        let moto = sandbox::moto::spawn()?;
        let magento = sandbox::magento::spawn(sandbox::magento::Options {
            customers: setup.customers,
            seed: setup.seed,
            ..sandbox::magento::Options::default()
        })
        .await?;
        let odoo = sandbox::odoo::spawn(sandbox::odoo::Options {
            partners: setup.partners,
            seed: setup.seed,
            version: setup.odoo_version,
            base_vat: setup.base_vat,
            ..sandbox::odoo::Options::default()
        })
        .await?;

        let store = Store::new(dynamodb(&moto.endpoint_url()), TABLE);
        store
            .create_table()
            .await
            .context("create the table in moto")?;

        let ctx = SyncContext::new(
            instance(setup.policy),
            magento_client(&magento, setup.attempts)?,
            odoo_client(&odoo, setup.attempts)?,
            store,
        );

        Ok(Self {
            ctx,
            magento,
            odoo,
            http: reqwest::Client::new(),
            _moto: moto,
        })
    }

    /// Builds a second context on the same systems, as a concurrent run would have.
    pub fn second_context(&self) -> anyhow::Result<SyncContext> {
        Ok(self.ctx.with_clients(
            magento_client(&self.magento, 6)?,
            odoo_client(&self.odoo, 6)?,
        ))
    }

    /// Replaces the fault settings of the Magento sandbox.
    pub async fn magento_faults(&self, faults: Value) -> anyhow::Result<()> {
        self.put(
            &format!("{}/_sandbox/faults", self.magento.base_url),
            faults,
        )
        .await
    }

    /// Replaces the fault settings of the Odoo sandbox.
    pub async fn odoo_faults(&self, faults: Value) -> anyhow::Result<()> {
        self.put(&format!("{}/_sandbox/faults", self.odoo.base_url), faults)
            .await
    }

    /// Replaces runtime settings of the Magento sandbox.
    pub async fn magento_config(&self, config: Value) -> anyhow::Result<()> {
        self.put(
            &format!("{}/_sandbox/config", self.magento.base_url),
            config,
        )
        .await
    }

    /// Returns the emails Magento would have sent.
    pub async fn magento_outbox(&self) -> anyhow::Result<Value> {
        let url = format!("{}/_sandbox/outbox", self.magento.base_url);
        Ok(self
            .http
            .get(url)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?)
    }

    async fn put(&self, url: &str, body: Value) -> anyhow::Result<()> {
        self.http
            .put(url)
            .json(&body)
            .send()
            .await?
            .error_for_status()
            .with_context(|| format!("PUT {url}"))?;
        Ok(())
    }

    /// Returns every partner with an email, archived ones included, in id order.
    pub async fn odoo_partners_with_email(&self) -> anyhow::Result<Vec<Partner>> {
        let result = self
            .odoo_call(
                "res.partner",
                "search_read",
                json!([[["email", "!=", false]]]),
                json!({"fields": ["name", "email", "email_normalized", "parent_id", "child_ids", "type", "active", "vat", "phone", "street", "street2", "city", "zip", "country_id", "state_id", "company_name"],
                       "order": "id asc", "context": {"active_test": false}}),
            )
            .await?;
        Ok(serde_json::from_value(result)?)
    }

    /// Reads partners by id with the fields the sync uses.
    pub async fn odoo_read(&self, ids: &[i64]) -> anyhow::Result<Vec<Partner>> {
        let result = self
            .odoo_call(
                "res.partner",
                "read",
                json!([ids]),
                json!({"fields": ["name", "email", "parent_id", "child_ids", "type", "active", "vat", "phone", "street", "street2", "city", "zip", "country_id", "state_id", "company_name"]}),
            )
            .await?;
        Ok(serde_json::from_value(result)?)
    }

    /// Writes values on a partner, as a person editing it in Odoo would.
    pub async fn odoo_write(&self, id: i64, values: Value) -> anyhow::Result<()> {
        self.odoo_call("res.partner", "write", json!([[id], values]), json!({}))
            .await?;
        Ok(())
    }

    /// Creates a partner directly in Odoo and returns its id.
    pub async fn odoo_create(&self, values: Value) -> anyhow::Result<i64> {
        let result = self
            .odoo_call("res.partner", "create", json!([[values]]), json!({}))
            .await?;
        let ids: Vec<i64> = serde_json::from_value(result)?;
        ids.first().copied().context("no id created")
    }

    /// Calls `execute_kw` on the Odoo sandbox over JSON-RPC.
    pub async fn odoo_call(
        &self,
        model: &str,
        method: &str,
        args: Value,
        kwargs: Value,
    ) -> anyhow::Result<Value> {
        let body = json!({
            "jsonrpc": "2.0", "method": "call", "id": 1,
            "params": {"service": "object", "method": "execute_kw",
                "args": [self.odoo.database, self.odoo.uid, self.odoo.api_key, model, method, args, kwargs]}
        });
        let reply: Value = self
            .http
            .post(format!("{}/jsonrpc", self.odoo.base_url))
            .json(&body)
            .send()
            .await?
            .json()
            .await?;
        if let Some(error) = reply.get("error") {
            anyhow::bail!("Odoo {model}.{method} failed: {error}");
        }
        Ok(reply.get("result").cloned().unwrap_or(Value::Null))
    }

    /// Returns the Odoo sandbox's per-method request counters.
    pub async fn odoo_stats(&self) -> anyhow::Result<Value> {
        let url = format!("{}/_sandbox/stats", self.odoo.base_url);
        Ok(self
            .http
            .get(url)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?)
    }
}

fn instance(policy: ConflictPolicy) -> InstanceConfig {
    let now = Utc::now();
    InstanceConfig {
        id: INSTANCE.into(),
        name: "Sandbox store".into(),
        magento_base_url: "http://127.0.0.1".into(),
        magento_store_code: "default".into(),
        magento_website_id: 1,
        magento_auth: MagentoAuthKind::OauthHmacSha256,
        odoo_url: "http://127.0.0.1".into(),
        odoo_database: "sandbox".into(),
        odoo_login: "admin".into(),
        odoo_protocol: OdooProtocol::Auto,
        pull_interval_minutes: 15,
        conflict_policy: policy,
        street_lines: 2,
        magento_page_size: 100,
        magento_secret_ref: "magento-odoo/main/magento".into(),
        odoo_secret_ref: "magento-odoo/main/odoo".into(),
        created_at: now,
        updated_at: now,
    }
}

fn retry(attempts: u32) -> RetryPolicy {
    RetryPolicy::new(
        attempts,
        Duration::from_millis(5),
        Duration::from_millis(200),
        Duration::from_secs(60),
    )
}

fn magento_client(
    running: &sandbox::magento::Running,
    attempts: u32,
) -> anyhow::Result<magento::Client> {
    let integration = &running.integration;
    let credentials = Credentials::OAuth {
        consumer_key: integration.consumer_key.clone(),
        consumer_secret: SecretString::from(integration.consumer_secret.clone()),
        access_token: integration.access_token.clone(),
        access_token_secret: SecretString::from(integration.access_token_secret.clone()),
        signature_method: SignatureMethod::HmacSha256,
    };
    let mut config = magento::ClientConfig::new(running.base_url.clone(), credentials);
    config.instance_id = INSTANCE.into();
    config.store_code = Some("default".into());
    config.retry = retry(attempts);
    config.max_concurrent_requests = 8;

    Ok(magento::Client::new(config)?)
}

fn odoo_client(running: &sandbox::odoo::Running, attempts: u32) -> anyhow::Result<odoo::Client> {
    let mut config = odoo::ClientConfig::new(
        Url::parse(&running.base_url)?,
        running.database.clone(),
        running.login.clone(),
        SecretString::from(running.api_key.clone()),
    );
    config.retry = retry(attempts);
    config.max_concurrency = 8;

    Ok(odoo::Client::new(config)?)
}

fn dynamodb(endpoint: &str) -> aws_sdk_dynamodb::Client {
    let credentials =
        aws_sdk_dynamodb::config::Credentials::new("test", "test", None, None, "moto-test");
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
        .region(aws_sdk_dynamodb::config::Region::new(REGION))
        .credentials_provider(credentials)
        .endpoint_url(endpoint)
        // Plain moto deep-copies a table for every TransactWriteItems and returns 500
        // when a concurrent write changes the table during the copy, so allow retries.
        .retry_config(
            aws_sdk_dynamodb::config::retry::RetryConfig::standard().with_max_attempts(10),
        )
        .build();
    aws_sdk_dynamodb::Client::from_conf(config)
}
