//! Settings of one Magento instance: where it is, how to authenticate, and
//! how hard the client may call it.

use std::time::Duration;

use secrecy::SecretString;

use crate::retry::RetryPolicy;

/// Settings for one [`Client`](super::Client). Secrets sit in
/// [`SecretString`], so the `Debug` output shows `[REDACTED]` for them.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Label of the instance in log lines (e.g. the connector's instance id).
    pub instance_id: String,

    /// Store URL without `/rest`, e.g. `https://shop.example.com`.
    pub base_url: String,

    /// Store code for `/rest/<code>/V1`. `None` calls `/rest/V1`, which uses
    /// the default store view. The store code supplies the default store and
    /// website of created customers.
    pub store_code: Option<String>,

    /// Website the connector syncs customers for (email uniqueness scope).
    pub website_id: u64,

    /// Limit for one HTTP exchange, connection included.
    pub request_timeout: Duration,

    /// Requests this client has in flight at most; the rest wait for a slot.
    pub max_concurrent_requests: usize,

    pub retry: RetryPolicy,

    pub credentials: Credentials,
}

impl ClientConfig {
    /// Creates settings with the default store (`/rest/V1`), website 1, a 30 s
    /// request timeout, 4 concurrent requests and the default retry policy.
    pub fn new(base_url: impl Into<String>, credentials: Credentials) -> Self {
        Self {
            instance_id: "magento".to_owned(),
            base_url: base_url.into(),
            store_code: None,
            website_id: 1,
            request_timeout: Duration::from_secs(30),
            max_concurrent_requests: 4,
            retry: RetryPolicy::default(),
            credentials,
        }
    }
}

/// Authentication method and its secrets.
#[derive(Debug, Clone)]
pub enum Credentials {
    /// OAuth 1.0a with an activated integration's four keys. It works on every
    /// Magento 2.4 store, so it is the recommended choice.
    OAuth {
        consumer_key: String,
        consumer_secret: SecretString,
        access_token: String,
        access_token_secret: SecretString,
        signature_method: SignatureMethod,
    },

    /// A token sent as `Authorization: Bearer`: an integration access token
    /// (accepted only when the store allows integration tokens as bearer
    /// tokens, off by default since 2.4.4) or a pasted admin token.
    Bearer { token: SecretString },

    /// An admin account, exchanged at `POST /V1/integration/admin/token` for a
    /// token that is cached and fetched again once after a 401.
    Admin {
        username: String,
        password: SecretString,
    },
}

/// OAuth 1.0a signature method. Some 2.4.4+ stores reject HMAC-SHA1.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SignatureMethod {
    #[default]
    HmacSha256,
    HmacSha1,
}

impl SignatureMethod {
    /// Returns the `oauth_signature_method` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::HmacSha256 => "HMAC-SHA256",
            Self::HmacSha1 => "HMAC-SHA1",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_secrets() {
        let config = ClientConfig::new(
            "http://127.0.0.1:1",
            Credentials::OAuth {
                consumer_key: "ck".into(),
                consumer_secret: "consumer-secret-value".into(),
                access_token: "at".into(),
                access_token_secret: "token-secret-value".into(),
                signature_method: SignatureMethod::default(),
            },
        );

        let debug = format!("{config:?}");

        assert!(!debug.contains("consumer-secret-value"));
        assert!(!debug.contains("token-secret-value"));
        assert!(debug.contains("REDACTED"));
    }
}
