//! The connector instance that every scenario syncs for.

use chrono::Utc;
use shared::config::{
    ConflictPolicy, DEFAULT_PULL_INTERVAL_MINUTES, DEFAULT_STREET_LINES, InstanceConfig,
    MagentoAuthKind, OdooProtocol,
};

use super::endpoints::Endpoints;

/// Id of the instance, the prefix of every link and job the bench stores.
pub const INSTANCE_ID: &str = "bench";
/// Magento store view of the requests, as the deployed functions send it.
pub const STORE_CODE: &str = "default";
/// The instance's website. The Magento sandbox puts every fifth customer on
/// website 2, so those customers are skipped by every syncing scenario.
pub const WEBSITE_ID: u32 = 1;

/// Builds the instance configuration of the bench stack with `page_size`.
/// Credentials come from `endpoints`, so the secret references are placeholders
/// that nothing reads.
pub fn instance_config(endpoints: &Endpoints, page_size: u32) -> InstanceConfig {
    let now = Utc::now();

    InstanceConfig {
        id: INSTANCE_ID.to_owned(),
        name: "Benchmark store".to_owned(),
        magento_base_url: endpoints.magento_base_url.clone(),
        magento_store_code: STORE_CODE.to_owned(),
        magento_website_id: WEBSITE_ID,
        magento_auth: MagentoAuthKind::OauthHmacSha256,
        odoo_url: endpoints.odoo_base_url.clone(),
        odoo_database: endpoints.odoo_database.clone(),
        odoo_login: endpoints.odoo_login.clone(),
        odoo_protocol: OdooProtocol::Auto,
        pull_interval_minutes: DEFAULT_PULL_INTERVAL_MINUTES,
        conflict_policy: ConflictPolicy::MagentoWins,
        street_lines: DEFAULT_STREET_LINES,
        magento_page_size: page_size,
        magento_secret_ref: format!("bench/{INSTANCE_ID}/magento"),
        odoo_secret_ref: format!("bench/{INSTANCE_ID}/odoo"),
        created_at: now,
        updated_at: now,
    }
}
