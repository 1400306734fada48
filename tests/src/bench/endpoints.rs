//! Where a scenario child finds the stack: URLs and credentials of the two
//! sandboxes and the DynamoDB endpoint, and the clients built from them.
//!
//! The bench process writes this as JSON to the child's stdin rather than on its
//! command line, where every local user could read the credentials in `ps`.

use std::time::Duration;

use anyhow::Context;
use serde::{Deserialize, Serialize};
use shared::store::Store;

use super::instance::{INSTANCE_ID, STORE_CODE, WEBSITE_ID};

/// AWS region given to the SDK. Requests go to the local endpoint, so any region works.
const REGION: &str = "us-east-1";

/// Connection settings of the stack that one scenario runs against.
#[derive(Clone, Serialize, Deserialize)]
pub struct Endpoints {
    /// Magento store root without `/rest`.
    pub magento_base_url: String,
    pub magento_consumer_key: String,
    pub magento_consumer_secret: String,
    pub magento_access_token: String,
    pub magento_access_token_secret: String,
    pub odoo_base_url: String,
    pub odoo_database: String,
    pub odoo_login: String,
    pub odoo_api_key: String,
    /// DynamoDB endpoint: the latency proxy in front of moto.
    pub dynamodb_url: String,
    pub table_name: String,
}

impl std::fmt::Debug for Endpoints {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Endpoints")
            .field("magento_base_url", &self.magento_base_url)
            .field("odoo_base_url", &self.odoo_base_url)
            .field("odoo_database", &self.odoo_database)
            .field("dynamodb_url", &self.dynamodb_url)
            .field("table_name", &self.table_name)
            .finish_non_exhaustive()
    }
}

impl Endpoints {
    /// Builds the settings from the sandboxes' ready lines.
    pub fn from_ready_lines(
        magento: &serde_json::Value,
        odoo: &serde_json::Value,
        dynamodb_url: &str,
        table_name: &str,
    ) -> anyhow::Result<Self> {
        let integration = &magento["integration"];

        Ok(Self {
            magento_base_url: text(magento, "base_url", "magento")?,
            magento_consumer_key: text(integration, "consumer_key", "magento integration")?,
            magento_consumer_secret: text(integration, "consumer_secret", "magento integration")?,
            magento_access_token: text(integration, "access_token", "magento integration")?,
            magento_access_token_secret: text(
                integration,
                "access_token_secret",
                "magento integration",
            )?,
            odoo_base_url: text(odoo, "base_url", "odoo")?,
            odoo_database: text(odoo, "database", "odoo")?,
            odoo_login: text(odoo, "login", "odoo")?,
            odoo_api_key: text(odoo, "api_key", "odoo")?,
            dynamodb_url: dynamodb_url.to_owned(),
            table_name: table_name.to_owned(),
        })
    }

    /// Builds a Magento client with the integration's OAuth 1.0a keys and the
    /// settings the deployed functions use for background pulls: the
    /// instance's store code and website, and the client's default timeout,
    /// retry policy and concurrency limit.
    pub fn magento_client(&self) -> anyhow::Result<shared::magento::Client> {
        use shared::magento::{Client, ClientConfig, Credentials, SignatureMethod};

        let credentials = Credentials::OAuth {
            consumer_key: self.magento_consumer_key.clone(),
            consumer_secret: self.magento_consumer_secret.clone().into(),
            access_token: self.magento_access_token.clone(),
            access_token_secret: self.magento_access_token_secret.clone().into(),
            signature_method: SignatureMethod::HmacSha256,
        };
        let mut config = ClientConfig::new(&self.magento_base_url, credentials);
        config.instance_id = INSTANCE_ID.to_owned();
        config.store_code = Some(STORE_CODE.to_owned());
        config.website_id = u64::from(WEBSITE_ID);

        Client::new(config).context("failed to build the Magento client")
    }

    /// Builds an Odoo client with the client's default timeout, retry policy and
    /// concurrency limit, as the deployed functions use for background pulls.
    pub fn odoo_client(&self) -> anyhow::Result<shared::odoo::Client> {
        use shared::odoo::{Client, ClientConfig};

        let base_url = url::Url::parse(&self.odoo_base_url)
            .with_context(|| format!("invalid Odoo base URL {}", self.odoo_base_url))?;
        let config = ClientConfig::new(
            base_url,
            &self.odoo_database,
            &self.odoo_login,
            self.odoo_api_key.clone().into(),
        );

        Client::new(config).context("failed to build the Odoo client")
    }

    /// Builds a store on the DynamoDB endpoint. The SDK gets a fixed region and
    /// placeholder credentials, so no environment variable, profile or instance
    /// metadata lookup can send its requests anywhere else.
    pub fn store(&self) -> Store {
        Store::new(dynamodb_client(&self.dynamodb_url), &self.table_name)
    }
}

/// Builds a DynamoDB client aimed at `endpoint` only.
pub fn dynamodb_client(endpoint: &str) -> aws_sdk_dynamodb::Client {
    use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};

    let credentials = Credentials::new("local", "local", None, None, "bench");
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(REGION))
        .credentials_provider(credentials)
        .endpoint_url(endpoint)
        .timeout_config(
            aws_sdk_dynamodb::config::timeout::TimeoutConfig::builder()
                .operation_timeout(Duration::from_secs(30))
                .build(),
        )
        .build();

    aws_sdk_dynamodb::Client::from_conf(config)
}

fn text(value: &serde_json::Value, field: &str, source: &str) -> anyhow::Result<String> {
    value[field]
        .as_str()
        .map(str::to_owned)
        .with_context(|| format!("the {source} ready line has no string field {field}"))
}
