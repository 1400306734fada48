//! The instance as returned by the API: the configuration without secret references.

use chrono::{DateTime, Utc};
use serde::Serialize;
use shared::config::{ConflictPolicy, InstanceConfig, MagentoAuthKind, OdooProtocol};

/// The response body of one instance.
#[derive(Debug, Serialize)]
pub struct InstanceView<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub magento_base_url: &'a str,
    pub magento_store_code: &'a str,
    pub magento_website_id: u32,
    pub magento_auth: MagentoAuthKind,
    pub odoo_url: &'a str,
    pub odoo_database: &'a str,
    pub odoo_login: &'a str,
    pub odoo_protocol: OdooProtocol,
    pub pull_interval_minutes: u32,
    pub conflict_policy: ConflictPolicy,
    pub street_lines: u8,
    pub magento_page_size: u32,
    pub credentials: CredentialsState,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Validation of a configuration requires both secret references, so a stored
/// instance always has both credentials.
const STORED: &str = "stored";

/// The storage state of each credential; their values are never returned.
#[derive(Debug, Serialize)]
pub struct CredentialsState {
    pub magento: &'static str,
    pub odoo: &'static str,
}

impl<'a> From<&'a InstanceConfig> for InstanceView<'a> {
    fn from(config: &'a InstanceConfig) -> Self {
        Self {
            id: &config.id,
            name: &config.name,
            magento_base_url: &config.magento_base_url,
            magento_store_code: &config.magento_store_code,
            magento_website_id: config.magento_website_id,
            magento_auth: config.magento_auth,
            odoo_url: &config.odoo_url,
            odoo_database: &config.odoo_database,
            odoo_login: &config.odoo_login,
            odoo_protocol: config.odoo_protocol,
            pull_interval_minutes: config.pull_interval_minutes,
            conflict_policy: config.conflict_policy,
            street_lines: config.street_lines,
            magento_page_size: config.magento_page_size,
            credentials: CredentialsState {
                magento: STORED,
                odoo: STORED,
            },
            created_at: config.created_at,
            updated_at: config.updated_at,
        }
    }
}
