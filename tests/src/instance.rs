//! The `POST /instances` body that connects the connector to the two sandboxes.

use anyhow::Context;
use serde_json::{Value, json};

/// Builds the body that registers instance `id` with the Magento sandbox's integration
/// tokens (OAuth 1.0a, HMAC-SHA256) and the Odoo sandbox's API key.
///
/// `magento` and `odoo` are the sandboxes' ready lines: `base_url` and `integration`
/// for Magento; `base_url`, `database`, `login` and `api_key` for Odoo.
pub fn instance_body(id: &str, magento: &Value, odoo: &Value) -> anyhow::Result<Value> {
    let integration = &magento["integration"];

    Ok(json!({
        "id": id,
        "name": format!("Sandbox store {id}"),
        "magento_base_url": field(magento, "base_url", "the Magento sandbox")?,
        "magento_auth": "oauth_hmac_sha256",
        "odoo_url": field(odoo, "base_url", "the Odoo sandbox")?,
        "odoo_database": field(odoo, "database", "the Odoo sandbox")?,
        "odoo_login": field(odoo, "login", "the Odoo sandbox")?,
        "credentials": {
            "magento": {
                "kind": "oauth",
                "consumer_key": field(integration, "consumer_key", "the Magento integration")?,
                "consumer_secret": field(integration, "consumer_secret", "the Magento integration")?,
                "access_token": field(integration, "access_token", "the Magento integration")?,
                "access_token_secret": field(integration, "access_token_secret", "the Magento integration")?,
            },
            "odoo": { "api_key": field(odoo, "api_key", "the Odoo sandbox")? },
        },
    }))
}

fn field<'a>(value: &'a Value, name: &str, source: &str) -> anyhow::Result<&'a str> {
    value[name]
        .as_str()
        .with_context(|| format!("{name} is missing from the ready line of {source}"))
}
