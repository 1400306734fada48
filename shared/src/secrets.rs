//! Magento and Odoo credentials kept in AWS Secrets Manager.
//!
//! Each instance has two secrets, `magento-odoo/<instance_id>/magento` and
//! `magento-odoo/<instance_id>/odoo`, whose values are JSON objects. The
//! [`InstanceConfig`](crate::config::InstanceConfig) stores only their ARNs or
//! names. Values read here are cached per Lambda execution environment for a
//! TTL, so a warm function does not call Secrets Manager on every request but
//! still reads a rotated secret within the TTL.
//!
//! Every secret field is a [`SecretString`]: `Debug` prints `[REDACTED]`, and
//! errors never contain a secret value.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use aws_sdk_secretsmanager::Client;
use aws_sdk_secretsmanager::error::{ProvideErrorMetadata, SdkError};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

mod client_credentials;

pub use client_credentials::CredentialsMismatch;

/// How long a value read from Secrets Manager is reused before it is read again.
pub const DEFAULT_CACHE_TTL: Duration = Duration::from_secs(5 * 60);

/// Prefix of every secret name this connector creates.
pub const SECRET_NAME_PREFIX: &str = "magento-odoo";

/// Credentials for the Magento REST API, one variant per authentication kind.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MagentoCredentials {
    /// The four tokens of a Magento integration, used for OAuth 1.0a signatures.
    #[serde(rename = "oauth")]
    OAuth {
        consumer_key: SecretString,
        consumer_secret: SecretString,
        access_token: SecretString,
        access_token_secret: SecretString,
    },
    /// An integration access token sent as `Authorization: Bearer`.
    Bearer { token: SecretString },
    /// An admin user exchanged for a token at `/V1/integration/admin/token`.
    Admin {
        username: SecretString,
        password: SecretString,
    },
}

impl MagentoCredentials {
    /// Returns the authentication kind without any secret, for logs and errors.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::OAuth { .. } => "oauth",
            Self::Bearer { .. } => "bearer",
            Self::Admin { .. } => "admin",
        }
    }
}

impl fmt::Display for MagentoCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Magento {} credentials [REDACTED]", self.kind())
    }
}

/// Credentials for the Odoo external API: a user login and its API key.
#[derive(Debug, Clone, Deserialize)]
pub struct OdooCredentials {
    pub login: SecretString,
    pub api_key: SecretString,
}

impl fmt::Display for OdooCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Odoo credentials [REDACTED]")
    }
}

/// JSON shape of a Magento secret value; borrowed so the secrets are not copied.
#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum MagentoSecretValue<'a> {
    #[serde(rename = "oauth")]
    OAuth {
        consumer_key: &'a str,
        consumer_secret: &'a str,
        access_token: &'a str,
        access_token_secret: &'a str,
    },
    Bearer {
        token: &'a str,
    },
    Admin {
        username: &'a str,
        password: &'a str,
    },
}

impl<'a> From<&'a MagentoCredentials> for MagentoSecretValue<'a> {
    fn from(credentials: &'a MagentoCredentials) -> Self {
        match credentials {
            MagentoCredentials::OAuth {
                consumer_key,
                consumer_secret,
                access_token,
                access_token_secret,
            } => Self::OAuth {
                consumer_key: consumer_key.expose_secret(),
                consumer_secret: consumer_secret.expose_secret(),
                access_token: access_token.expose_secret(),
                access_token_secret: access_token_secret.expose_secret(),
            },
            MagentoCredentials::Bearer { token } => Self::Bearer {
                token: token.expose_secret(),
            },
            MagentoCredentials::Admin { username, password } => Self::Admin {
                username: username.expose_secret(),
                password: password.expose_secret(),
            },
        }
    }
}

#[derive(Serialize)]
struct OdooSecretValue<'a> {
    login: &'a str,
    api_key: &'a str,
}

/// Errors of [`SecretsStore`]. None of them contains a secret value.
#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    #[error(
        "secret {secret_ref} not found in Secrets Manager; store the credentials again through the instances API"
    )]
    NotFound { secret_ref: String },

    #[error(
        "secret {secret_ref} has no string value or is not the expected JSON ({reason}); store the credentials again"
    )]
    InvalidValue { secret_ref: String, reason: String },

    #[error("Secrets Manager {operation} failed for {secret_ref}")]
    Aws {
        operation: &'static str,
        secret_ref: String,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

/// Kind of an instance secret: Magento or Odoo credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretKind {
    Magento,
    Odoo,
}

impl SecretKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Magento => "magento",
            Self::Odoo => "odoo",
        }
    }
}

/// Returns the name of an instance's secret, e.g. `magento-odoo/main-store/magento`.
pub fn secret_name(instance_id: &str, kind: SecretKind) -> String {
    format!("{SECRET_NAME_PREFIX}/{instance_id}/{}", kind.as_str())
}

struct CachedValue {
    read_at: Instant,
    value: SecretString,
}

/// Reads and writes instance credentials in Secrets Manager, with a read cache.
pub struct SecretsStore {
    client: Client,
    ttl: Duration,
    cache: Mutex<HashMap<String, CachedValue>>,
}

impl SecretsStore {
    pub fn new(client: Client) -> Self {
        Self::with_ttl(client, DEFAULT_CACHE_TTL)
    }

    pub fn with_ttl(client: Client, ttl: Duration) -> Self {
        Self {
            client,
            ttl,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// Creates or replaces the Magento secret of an instance and returns its ARN.
    pub async fn put_magento(
        &self,
        instance_id: &str,
        credentials: &MagentoCredentials,
    ) -> Result<String, SecretsError> {
        let name = secret_name(instance_id, SecretKind::Magento);
        let value = to_json(&name, &MagentoSecretValue::from(credentials))?;
        self.put(&name, value).await
    }

    /// Creates or replaces the Odoo secret of an instance and returns its ARN.
    pub async fn put_odoo(
        &self,
        instance_id: &str,
        credentials: &OdooCredentials,
    ) -> Result<String, SecretsError> {
        let name = secret_name(instance_id, SecretKind::Odoo);
        let body = OdooSecretValue {
            login: credentials.login.expose_secret(),
            api_key: credentials.api_key.expose_secret(),
        };
        let value = to_json(&name, &body)?;
        self.put(&name, value).await
    }

    /// Reads Magento credentials by secret ARN or name, from the cache when fresh.
    pub async fn get_magento(&self, secret_ref: &str) -> Result<MagentoCredentials, SecretsError> {
        let value = self.get(secret_ref).await?;
        from_json(secret_ref, &value)
    }

    /// Reads Odoo credentials by secret ARN or name, from the cache when fresh.
    pub async fn get_odoo(&self, secret_ref: &str) -> Result<OdooCredentials, SecretsError> {
        let value = self.get(secret_ref).await?;
        from_json(secret_ref, &value)
    }

    /// Deletes an instance's Magento secret at once, without a recovery window,
    /// so that an instance created again with the same id can store a new one.
    /// Deleting a secret that does not exist succeeds.
    pub async fn delete_magento(&self, instance_id: &str) -> Result<(), SecretsError> {
        self.delete(&secret_name(instance_id, SecretKind::Magento))
            .await
    }

    /// Deletes an instance's Odoo secret at once, without a recovery window.
    /// Deleting a secret that does not exist succeeds.
    pub async fn delete_odoo(&self, instance_id: &str) -> Result<(), SecretsError> {
        self.delete(&secret_name(instance_id, SecretKind::Odoo))
            .await
    }

    #[tracing::instrument(skip(self, value))]
    async fn put(&self, name: &str, value: String) -> Result<String, SecretsError> {
        let created = self
            .client
            .create_secret()
            .name(name)
            .secret_string(value.clone())
            .send()
            .await;

        let arn = match created {
            Ok(output) => output.arn,
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(|e| e.is_resource_exists_exception()) =>
            {
                let updated = self
                    .client
                    .put_secret_value()
                    .secret_id(name)
                    .secret_string(value)
                    .send()
                    .await;
                updated
                    .map_err(|e| aws_error("PutSecretValue", name, e))?
                    .arn
            }
            Err(error) => return Err(aws_error("CreateSecret", name, error)),
        };

        // Readers may cache by ARN or by name, so drop every entry rather than guess.
        self.clear_cache();
        Ok(arn.unwrap_or_else(|| name.to_string()))
    }

    async fn get(&self, secret_ref: &str) -> Result<SecretString, SecretsError> {
        if let Some(value) = self.cached(secret_ref) {
            return Ok(value);
        }

        let value = self.fetch(secret_ref).await?;
        let mut cache = self
            .cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        cache.insert(
            secret_ref.to_string(),
            CachedValue {
                read_at: Instant::now(),
                value: value.clone(),
            },
        );
        Ok(value)
    }

    #[tracing::instrument(skip(self))]
    async fn fetch(&self, secret_ref: &str) -> Result<SecretString, SecretsError> {
        let output = match self
            .client
            .get_secret_value()
            .secret_id(secret_ref)
            .send()
            .await
        {
            Ok(output) => output,
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(|e| e.is_resource_not_found_exception()) =>
            {
                return Err(SecretsError::NotFound {
                    secret_ref: secret_ref.to_string(),
                });
            }
            Err(error) => return Err(aws_error("GetSecretValue", secret_ref, error)),
        };

        match output.secret_string {
            Some(value) => Ok(SecretString::from(value)),
            None => Err(SecretsError::InvalidValue {
                secret_ref: secret_ref.to_string(),
                reason: "binary secret".into(),
            }),
        }
    }

    fn cached(&self, secret_ref: &str) -> Option<SecretString> {
        let cache = self
            .cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let entry = cache.get(secret_ref)?;
        (entry.read_at.elapsed() < self.ttl).then(|| entry.value.clone())
    }

    fn clear_cache(&self) {
        self.cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clear();
    }

    #[tracing::instrument(skip(self))]
    async fn delete(&self, name: &str) -> Result<(), SecretsError> {
        let deleted = self
            .client
            .delete_secret()
            .secret_id(name)
            .force_delete_without_recovery(true)
            .send()
            .await;
        self.clear_cache();

        match deleted {
            Ok(_) => Ok(()),
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(|e| e.is_resource_not_found_exception()) =>
            {
                Ok(())
            }
            Err(error) => Err(aws_error("DeleteSecret", name, error)),
        }
    }
}

fn aws_error<E, R>(operation: &'static str, secret_ref: &str, error: SdkError<E, R>) -> SecretsError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: fmt::Debug + Send + Sync + 'static,
{
    SecretsError::Aws {
        operation,
        secret_ref: secret_ref.to_string(),
        source: Box::new(error),
    }
}

fn to_json<T: Serialize>(secret_ref: &str, value: &T) -> Result<String, SecretsError> {
    serde_json::to_string(value).map_err(|_| SecretsError::InvalidValue {
        secret_ref: secret_ref.to_string(),
        reason: "cannot encode as JSON".into(),
    })
}

/// Parses a secret value without ever echoing it: serde_json messages can quote
/// the offending value, so only the category and position are reported, plus
/// the field name for a missing field.
fn from_json<T: serde::de::DeserializeOwned>(
    secret_ref: &str,
    value: &SecretString,
) -> Result<T, SecretsError> {
    serde_json::from_str(value.expose_secret()).map_err(|error| {
        let message = error.to_string();
        let reason = if message.starts_with("missing field") {
            message
        } else {
            format!(
                "{:?} error at line {} column {}",
                error.classify(),
                error.line(),
                error.column()
            )
        };
        SecretsError::InvalidValue {
            secret_ref: secret_ref.to_string(),
            reason,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oauth() -> MagentoCredentials {
        MagentoCredentials::OAuth {
            consumer_key: "ck-secret".into(),
            consumer_secret: "cs-secret".into(),
            access_token: "at-secret".into(),
            access_token_secret: "ats-secret".into(),
        }
    }

    #[test]
    fn magento_json_round_trip() {
        let json = to_json("x", &MagentoSecretValue::from(&oauth())).unwrap_or_default();

        let parsed: Result<MagentoCredentials, _> =
            from_json("x", &SecretString::from(json.clone()));

        assert!(json.contains(r#""kind":"oauth""#), "{json}");
        match parsed {
            Ok(MagentoCredentials::OAuth {
                access_token_secret,
                ..
            }) => {
                assert_eq!(access_token_secret.expose_secret(), "ats-secret")
            }
            other => panic!("unexpected parse result: {other:?}"),
        }
    }

    #[test]
    fn invalid_value_hides_content() {
        let value = SecretString::from(r#"{"kind":"bearer","token":12345678}"#.to_string());

        let error = from_json::<MagentoCredentials>("m", &value)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();

        assert!(!error.contains("12345678"), "{error}");
        assert!(
            error.starts_with("secret m has no string value or is not the expected JSON"),
            "{error}"
        );
    }

    #[test]
    fn missing_field_is_named() {
        let value = SecretString::from(r#"{"login":"bot"}"#.to_string());

        let error = from_json::<OdooCredentials>("o", &value)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();

        assert!(error.contains("missing field `api_key`"), "{error}");
    }
}
