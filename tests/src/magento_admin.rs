//! A Magento client with the sandbox's admin account, for the demo and the tests to
//! change and check Magento data as a store administrator would.

use anyhow::Context;
use secrecy::SecretString;
use serde_json::Value;
use shared::magento::{Client, ClientConfig, Credentials};

/// Builds a client from the Magento sandbox's ready line (`base_url`,
/// `admin_username`, `admin_password`).
pub fn admin_client(ready: &Value) -> anyhow::Result<Client> {
    let field = |name: &str| {
        ready[name]
            .as_str()
            .with_context(|| format!("{name} is missing from the Magento sandbox's ready line"))
    };
    let credentials = Credentials::Admin {
        username: field("admin_username")?.to_owned(),
        password: SecretString::from(field("admin_password")?.to_owned()),
    };

    let mut config = ClientConfig::new(field("base_url")?, credentials);
    config.instance_id = "sandbox-admin".to_owned();
    Client::new(config).context("failed to build the Magento admin client")
}
