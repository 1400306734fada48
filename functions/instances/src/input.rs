//! Request bodies of create and update, and the configuration built from them.

use chrono::{DateTime, Utc};
use functions_common::ApiError;
use secrecy::SecretString;
use serde::Deserialize;
use shared::config::{
    ConflictPolicy, DEFAULT_MAGENTO_PAGE_SIZE, DEFAULT_PULL_INTERVAL_MINUTES, DEFAULT_STREET_LINES,
    InstanceConfig, MagentoAuthKind, OdooProtocol,
};
use shared::secrets::{MagentoCredentials, OdooCredentials, SecretKind, secret_name};

/// The body of `POST /instances` and `PUT /instances/{instance_id}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstanceBody {
    /// Required on create; on update it may repeat the path's id.
    pub id: Option<String>,
    pub name: String,
    pub magento_base_url: String,
    #[serde(default = "default_store_code")]
    pub magento_store_code: String,
    #[serde(default = "default_website_id")]
    pub magento_website_id: u32,
    pub magento_auth: MagentoAuthKind,
    pub odoo_url: String,
    pub odoo_database: String,
    pub odoo_login: String,
    #[serde(default)]
    pub odoo_protocol: OdooProtocol,
    #[serde(default = "default_pull_interval")]
    pub pull_interval_minutes: u32,
    #[serde(default)]
    pub conflict_policy: ConflictPolicy,
    #[serde(default = "default_street_lines")]
    pub street_lines: u8,
    #[serde(default = "default_page_size")]
    pub magento_page_size: u32,
    pub credentials: Option<CredentialsBody>,
}

/// Credentials as sent by the caller. Every value is a `SecretString`, so a `Debug`
/// print of the body never shows them.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialsBody {
    pub magento: Option<MagentoCredentials>,
    pub odoo: Option<OdooKey>,
}

/// The Odoo API key; the login is the instance's `odoo_login`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OdooKey {
    pub api_key: SecretString,
}

fn default_store_code() -> String {
    "default".to_owned()
}

fn default_website_id() -> u32 {
    1
}

fn default_pull_interval() -> u32 {
    DEFAULT_PULL_INTERVAL_MINUTES
}

fn default_street_lines() -> u8 {
    DEFAULT_STREET_LINES
}

fn default_page_size() -> u32 {
    DEFAULT_MAGENTO_PAGE_SIZE
}

impl InstanceBody {
    /// Builds the configuration to store, with secret references under the standard
    /// names and the given timestamps, and validates it.
    pub fn to_config(
        &self,
        id: &str,
        created_at: DateTime<Utc>,
        updated_at: DateTime<Utc>,
    ) -> Result<InstanceConfig, ApiError> {
        let config = InstanceConfig {
            id: id.to_owned(),
            name: self.name.trim().to_owned(),
            magento_base_url: self.magento_base_url.trim().to_owned(),
            magento_store_code: self.magento_store_code.trim().to_owned(),
            magento_website_id: self.magento_website_id,
            magento_auth: self.magento_auth,
            odoo_url: self.odoo_url.trim().to_owned(),
            odoo_database: self.odoo_database.trim().to_owned(),
            odoo_login: self.odoo_login.trim().to_owned(),
            odoo_protocol: self.odoo_protocol,
            pull_interval_minutes: self.pull_interval_minutes,
            conflict_policy: self.conflict_policy,
            street_lines: self.street_lines,
            magento_page_size: self.magento_page_size,
            magento_secret_ref: secret_name(id, SecretKind::Magento),
            odoo_secret_ref: secret_name(id, SecretKind::Odoo),
            created_at,
            updated_at,
        };

        config.validate()?;
        if let Some(magento) = self
            .credentials
            .as_ref()
            .and_then(|credentials| credentials.magento.as_ref())
        {
            check_auth_kind(config.magento_auth, magento)?;
        }
        Ok(config)
    }

    /// Returns the Odoo credentials to store, if the body has an API key.
    pub fn odoo_credentials(&self) -> Option<OdooCredentials> {
        let key = self.credentials.as_ref()?.odoo.as_ref()?;
        Some(OdooCredentials {
            login: SecretString::from(self.odoo_login.trim().to_owned()),
            api_key: key.api_key.clone(),
        })
    }

    pub fn magento_credentials(&self) -> Option<&MagentoCredentials> {
        self.credentials.as_ref()?.magento.as_ref()
    }
}

/// Rejects credentials that cannot work with the chosen authentication.
fn check_auth_kind(
    auth: MagentoAuthKind,
    credentials: &MagentoCredentials,
) -> Result<(), ApiError> {
    let expected = match auth {
        MagentoAuthKind::OauthHmacSha256 | MagentoAuthKind::OauthHmacSha1 => "oauth",
        MagentoAuthKind::Bearer => "bearer",
        MagentoAuthKind::AdminPassword => "admin",
    };

    if credentials.kind() != expected {
        return Err(ApiError::invalid_field(
            "credentials.magento.kind",
            format!(
                "credentials.magento.kind is {:?} but magento_auth needs {expected:?} credentials",
                credentials.kind()
            ),
        ));
    }
    Ok(())
}
