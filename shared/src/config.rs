//! Configuration of one Magento store ("instance") linked to one Odoo database.
//!
//! An [`InstanceConfig`] holds only references to the credentials (Secrets
//! Manager ARNs or names), never the credentials themselves, so it can be
//! stored in DynamoDB, logged and returned by the instances API.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use url::Url;

/// Default number of street lines, as configured in a stock Magento install.
pub const DEFAULT_STREET_LINES: u8 = 2;
/// Magento accepts 1 to 4 street lines (Stores > Configuration > Customer Configuration).
pub const MAX_STREET_LINES: u8 = 4;
pub const DEFAULT_MAGENTO_PAGE_SIZE: u32 = 100;
/// Upper bound on `searchCriteria[pageSize]`, chosen to keep one page well under the
/// Lambda response and memory limits.
pub const MAX_MAGENTO_PAGE_SIZE: u32 = 300;
pub const DEFAULT_PULL_INTERVAL_MINUTES: u32 = 15;
/// One week: a longer interval is almost certainly a unit mistake.
pub const MAX_PULL_INTERVAL_MINUTES: u32 = 7 * 24 * 60;

/// Authentication method for requests to the Magento REST API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MagentoAuthKind {
    /// OAuth 1.0a with an integration's four tokens, signed with HMAC-SHA256.
    OauthHmacSha256,
    /// OAuth 1.0a signed with HMAC-SHA1, for stores that still require it.
    OauthHmacSha1,
    /// An integration access token sent as a bearer token.
    Bearer,
    /// An admin token obtained from `/V1/integration/admin/token` with a username and password.
    AdminPassword,
}

/// Odoo external API protocol used by the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OdooProtocol {
    /// JSON-2 (`/json/2/...`, Odoo 19 and later) when the server offers it, else JSON-RPC.
    #[default]
    Auto,
    Json2,
    Jsonrpc,
}

/// Rule for the winning side when both changed the same customer since the last sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictPolicy {
    #[default]
    MagentoWins,
    OdooWins,
    /// The side with the later update timestamp wins.
    NewestWins,
}

/// One Magento store and the Odoo database it syncs customers with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstanceConfig {
    /// Short identifier used in keys, secret names and URLs.
    pub id: String,
    /// Human-readable name shown in lists.
    pub name: String,
    /// Store root without `/rest`, for example `https://shop.example.com`.
    pub magento_base_url: String,
    /// Store view code used in `/rest/<store_code>/V1/...`.
    pub magento_store_code: String,
    pub magento_website_id: u32,
    pub magento_auth: MagentoAuthKind,
    /// Odoo root, for example `https://erp.example.com`.
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
    /// Secrets Manager ARN or name of the Magento credentials.
    pub magento_secret_ref: String,
    /// Secrets Manager ARN or name of the Odoo credentials.
    pub odoo_secret_ref: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
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

/// An invalid field of an [`InstanceConfig`], with the fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field} {message}")]
pub struct InvalidConfig {
    /// Name of the invalid field, as in the JSON body.
    pub field: &'static str,
    /// Requirement on the field, with an example where it helps.
    pub message: String,
}

impl InvalidConfig {
    fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

impl InstanceConfig {
    /// Checks every field and returns the first invalid one.
    pub fn validate(&self) -> Result<(), InvalidConfig> {
        validate_id(&self.id)?;
        require_text("name", &self.name)?;
        validate_magento_base_url(&self.magento_base_url)?;
        validate_store_code(&self.magento_store_code)?;
        validate_odoo_url(&self.odoo_url)?;
        require_text("odoo_database", &self.odoo_database)?;
        require_text("odoo_login", &self.odoo_login)?;
        validate_range(
            "pull_interval_minutes",
            self.pull_interval_minutes,
            1,
            MAX_PULL_INTERVAL_MINUTES,
        )?;
        validate_range(
            "street_lines",
            u32::from(self.street_lines),
            1,
            u32::from(MAX_STREET_LINES),
        )?;
        validate_range(
            "magento_page_size",
            self.magento_page_size,
            1,
            MAX_MAGENTO_PAGE_SIZE,
        )?;
        validate_secret_ref("magento_secret_ref", &self.magento_secret_ref)?;
        validate_secret_ref("odoo_secret_ref", &self.odoo_secret_ref)?;
        Ok(())
    }
}

/// Instance ids become parts of DynamoDB keys (`#` separated) and secret names
/// (`/` separated), so they are restricted to characters that appear in neither.
fn validate_id(id: &str) -> Result<(), InvalidConfig> {
    let valid_chars = id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if id.is_empty() || id.len() > 64 || !valid_chars {
        return Err(InvalidConfig::new(
            "id",
            "must be 1 to 64 characters among a-z, A-Z, 0-9, '-' and '_', e.g. main-store",
        ));
    }
    Ok(())
}

fn require_text(field: &'static str, value: &str) -> Result<(), InvalidConfig> {
    if value.trim().is_empty() {
        return Err(InvalidConfig::new(field, "must not be empty"));
    }
    Ok(())
}

fn validate_magento_base_url(value: &str) -> Result<(), InvalidConfig> {
    const FIX: &str =
        "must be an absolute http(s) URL without /rest, e.g. https://shop.example.com";

    let url = parse_http_url(value).ok_or_else(|| InvalidConfig::new("magento_base_url", FIX))?;
    let has_rest_segment = url
        .path_segments()
        .is_some_and(|mut segments| segments.any(|s| s == "rest"));
    if has_rest_segment {
        return Err(InvalidConfig::new("magento_base_url", FIX));
    }
    Ok(())
}

fn validate_odoo_url(value: &str) -> Result<(), InvalidConfig> {
    match parse_http_url(value) {
        Some(_) => Ok(()),
        None => Err(InvalidConfig::new(
            "odoo_url",
            "must be an absolute http(s) URL, e.g. https://erp.example.com",
        )),
    }
}

/// Accepts only http(s) URLs with a host and without query, fragment or
/// credentials, because the clients append API paths to them.
fn parse_http_url(value: &str) -> Option<Url> {
    let url = Url::parse(value).ok()?;
    let plain = matches!(url.scheme(), "http" | "https")
        && url.host_str().is_some()
        && url.query().is_none()
        && url.fragment().is_none()
        && url.username().is_empty()
        && url.password().is_none();
    plain.then_some(url)
}

fn validate_store_code(value: &str) -> Result<(), InvalidConfig> {
    let valid = !value.is_empty() && value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid {
        return Err(InvalidConfig::new(
            "magento_store_code",
            "must be a Magento store view code (letters, digits and '_'), e.g. default or all",
        ));
    }
    Ok(())
}

fn validate_range(
    field: &'static str,
    value: u32,
    min: u32,
    max: u32,
) -> Result<(), InvalidConfig> {
    if value < min || value > max {
        return Err(InvalidConfig::new(
            field,
            format!("must be between {min} and {max}, got {value}"),
        ));
    }
    Ok(())
}

fn validate_secret_ref(field: &'static str, value: &str) -> Result<(), InvalidConfig> {
    let is_arn = value.starts_with("arn:")
        && value.contains(":secretsmanager:")
        && value.contains(":secret:");
    let is_name = !value.is_empty()
        && !value.starts_with("arn:")
        && value.len() <= 512
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/_+=.@-".contains(c));
    if !(is_arn || is_name) {
        return Err(InvalidConfig::new(
            field,
            "must be a Secrets Manager secret ARN or name, e.g. magento-odoo/main-store/magento",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid_config() -> InstanceConfig {
        let now = Utc::now();
        InstanceConfig {
            id: "main-store".into(),
            name: "Main store".into(),
            magento_base_url: "https://shop.example.com".into(),
            magento_store_code: "default".into(),
            magento_website_id: 1,
            magento_auth: MagentoAuthKind::OauthHmacSha256,
            odoo_url: "https://erp.example.com".into(),
            odoo_database: "prod".into(),
            odoo_login: "connector@example.com".into(),
            odoo_protocol: OdooProtocol::Auto,
            pull_interval_minutes: DEFAULT_PULL_INTERVAL_MINUTES,
            conflict_policy: ConflictPolicy::MagentoWins,
            street_lines: DEFAULT_STREET_LINES,
            magento_page_size: DEFAULT_MAGENTO_PAGE_SIZE,
            magento_secret_ref: "magento-odoo/main-store/magento".into(),
            odoo_secret_ref: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:magento-odoo/main-store/odoo-AbCdEf".into(),
            created_at: now,
            updated_at: now,
        }
    }

    fn invalid_field(config: InstanceConfig) -> &'static str {
        match config.validate() {
            Err(error) => error.field,
            Ok(()) => "<valid>",
        }
    }

    #[test]
    fn validate_accepts_valid_config() {
        assert_eq!(valid_config().validate(), Ok(()));
    }

    #[test]
    fn validate_rejects_rest_in_base_url() {
        let config = InstanceConfig {
            magento_base_url: "https://shop.example.com/rest/V1".into(),
            ..valid_config()
        };

        let error = config.validate().err();

        assert_eq!(
            error.map(|e| e.to_string()).as_deref(),
            Some(
                "magento_base_url must be an absolute http(s) URL without /rest, e.g. https://shop.example.com"
            )
        );
    }

    #[test]
    fn validate_rejects_each_bad_field() {
        let cases: Vec<(InstanceConfig, &str)> = vec![
            (
                InstanceConfig {
                    id: "a#b".into(),
                    ..valid_config()
                },
                "id",
            ),
            (
                InstanceConfig {
                    name: " ".into(),
                    ..valid_config()
                },
                "name",
            ),
            (
                InstanceConfig {
                    magento_base_url: "shop.example.com".into(),
                    ..valid_config()
                },
                "magento_base_url",
            ),
            (
                InstanceConfig {
                    magento_base_url: "ftp://shop.example.com".into(),
                    ..valid_config()
                },
                "magento_base_url",
            ),
            (
                InstanceConfig {
                    magento_store_code: "de fault".into(),
                    ..valid_config()
                },
                "magento_store_code",
            ),
            (
                InstanceConfig {
                    odoo_url: "https://erp.example.com?db=x".into(),
                    ..valid_config()
                },
                "odoo_url",
            ),
            (
                InstanceConfig {
                    odoo_database: "".into(),
                    ..valid_config()
                },
                "odoo_database",
            ),
            (
                InstanceConfig {
                    odoo_login: "".into(),
                    ..valid_config()
                },
                "odoo_login",
            ),
            (
                InstanceConfig {
                    pull_interval_minutes: 0,
                    ..valid_config()
                },
                "pull_interval_minutes",
            ),
            (
                InstanceConfig {
                    street_lines: 5,
                    ..valid_config()
                },
                "street_lines",
            ),
            (
                InstanceConfig {
                    magento_page_size: 301,
                    ..valid_config()
                },
                "magento_page_size",
            ),
            (
                InstanceConfig {
                    magento_secret_ref: "".into(),
                    ..valid_config()
                },
                "magento_secret_ref",
            ),
            (
                InstanceConfig {
                    odoo_secret_ref: "arn:aws:s3:::bucket".into(),
                    ..valid_config()
                },
                "odoo_secret_ref",
            ),
        ];

        for (config, field) in cases {
            assert_eq!(invalid_field(config), field);
        }
    }

    #[test]
    fn validate_reports_range_and_value() {
        let config = InstanceConfig {
            magento_page_size: 0,
            ..valid_config()
        };

        let error = config.validate().err().map(|e| e.to_string());

        assert_eq!(
            error.as_deref(),
            Some("magento_page_size must be between 1 and 300, got 0")
        );
    }

    #[test]
    fn deserialize_applies_defaults() {
        let json = serde_json::json!({
            "id": "b2b", "name": "B2B", "magento_base_url": "https://b2b.example.com",
            "magento_store_code": "default", "magento_website_id": 2, "magento_auth": "bearer",
            "odoo_url": "https://erp.example.com", "odoo_database": "prod", "odoo_login": "bot",
            "magento_secret_ref": "m", "odoo_secret_ref": "o",
            "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z"
        });

        let config: InstanceConfig = match serde_json::from_value(json) {
            Ok(config) => config,
            Err(error) => panic!("deserialize failed: {error}"),
        };

        assert_eq!(config.street_lines, 2);
        assert_eq!(config.magento_page_size, 100);
        assert_eq!(config.conflict_policy, ConflictPolicy::MagentoWins);
        assert_eq!(config.odoo_protocol, OdooProtocol::Auto);
        assert_eq!(config.magento_auth, MagentoAuthKind::Bearer);
    }
}
