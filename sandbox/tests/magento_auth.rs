//! Admin tokens, lockout, two-factor refusal, integration bearer tokens and
//! OAuth 1.0a signatures against a live sandbox.

mod common;

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use common::{ADMIN_PASSWORD, Sandbox};
use hmac::{Hmac, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::Method;
use sandbox::magento::{IntegrationCredentials, Options};
use serde_json::{Value, json};

const SIGN_IN_FAILED: &str = "The account sign-in was incorrect or your account is disabled temporarily. Please wait and try again later.";
const NOT_AUTHORIZED: &str = "The consumer isn't authorized to access %resources.";
const SEARCH_PATH: &str = "/rest/V1/customers/search";

async fn token_request(sandbox: &Sandbox, password: &str) -> anyhow::Result<common::Reply> {
    let body = json!({ "username": "admin", "password": password });
    sandbox
        .guest(Method::POST, "/rest/V1/integration/admin/token", Some(body))
        .await
}

#[tokio::test]
async fn admin_token_bare_string() -> anyhow::Result<()> {
    let sandbox = Sandbox::with_customers(1).await?;

    let reply = token_request(&sandbox, ADMIN_PASSWORD).await?;
    let token = reply.body.as_str().unwrap_or_default().to_string();
    let customer = sandbox
        .http
        .get(sandbox.url("/rest/V1/customers/1"))
        .header("Authorization", format!("bearer {token}"))
        .send()
        .await?;

    assert_eq!(reply.status, 200);
    assert_eq!(token.len(), 32);
    assert_eq!(customer.status().as_u16(), 200);
    Ok(())
}

#[tokio::test]
async fn admin_token_locks_after_six() -> anyhow::Result<()> {
    let sandbox = Sandbox::start(Options::default()).await?;

    for attempt in 1..=6 {
        let reply = token_request(&sandbox, "wrong-password").await?;
        assert_eq!(reply.status, 401, "attempt {attempt}");
        assert_eq!(
            reply.body,
            json!({ "message": SIGN_IN_FAILED }),
            "attempt {attempt}"
        );
    }
    let locked = token_request(&sandbox, ADMIN_PASSWORD).await?;

    assert_eq!(locked.status, 401);
    assert_eq!(locked.body["message"], SIGN_IN_FAILED);
    Ok(())
}

#[tokio::test]
async fn admin_token_missing_fields() -> anyhow::Result<()> {
    let sandbox = Sandbox::start(Options::default()).await?;

    let reply = sandbox
        .guest(
            Method::POST,
            "/rest/V1/integration/admin/token",
            Some(json!({})),
        )
        .await?;

    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.body["message"],
        "One or more input exceptions have occurred."
    );
    assert_eq!(reply.body["errors"].as_array().map(Vec::len), Some(2));
    Ok(())
}

#[tokio::test]
async fn two_factor_rejects_valid() -> anyhow::Result<()> {
    let sandbox = Sandbox::start(Options::default()).await?;
    sandbox
        .set_config(json!({ "two_factor_auth": true }))
        .await?;

    let reply = token_request(&sandbox, ADMIN_PASSWORD).await?;

    assert_eq!(reply.status, 401);
    assert_eq!(
        reply.body["message"],
        "Please use the 2fa provider-specific endpoints to obtain a token."
    );
    Ok(())
}

#[tokio::test]
async fn integration_bearer_behind_flag() -> anyhow::Result<()> {
    let sandbox = Sandbox::with_customers(1).await?;
    let access_token = sandbox.running.integration.access_token.clone();
    let get = || {
        sandbox
            .http
            .get(sandbox.url("/rest/V1/customers/1"))
            .bearer_auth(&access_token)
            .send()
    };

    let rejected = get().await?;
    let rejected_status = rejected.status().as_u16();
    let rejected_body: Value = rejected.json().await?;
    sandbox
        .set_config(json!({ "integration_as_bearer": true }))
        .await?;
    let accepted = get().await?;

    assert_eq!(rejected_status, 401);
    assert_eq!(rejected_body["message"], NOT_AUTHORIZED);
    assert_eq!(
        rejected_body["parameters"],
        json!({ "resources": "Magento_Customer::customer" })
    );
    assert_eq!(accepted.status().as_u16(), 200);
    Ok(())
}

#[tokio::test]
async fn invalid_bearer_is_guest() -> anyhow::Result<()> {
    let sandbox = Sandbox::with_customers(1).await?;
    let send = |path: &str| {
        sandbox
            .http
            .get(sandbox.url(path))
            .bearer_auth("not-a-token")
            .send()
    };

    let anonymous = send("/rest/V1/directory/countries").await?;
    let protected = send("/rest/V1/customers/1").await?;

    assert_eq!(anonymous.status().as_u16(), 200);
    assert_eq!(protected.status().as_u16(), 401);
    Ok(())
}

/// An OAuth 1.0a signer written apart from the sandbox's verifier, per RFC 5849.
struct Signer<'a> {
    credentials: &'a IntegrationCredentials,
    method: &'a str,
    timestamp: u64,
    nonce: String,
}

const ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

fn encode(text: &str) -> String {
    utf8_percent_encode(text, ENCODE).to_string()
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs())
        .unwrap_or(0)
}

impl Signer<'_> {
    fn header(
        &self,
        http_method: &str,
        base_url: &str,
        query: &[(&str, &str)],
        signature_override: Option<&str>,
    ) -> String {
        let mut oauth = vec![
            ("oauth_consumer_key", self.credentials.consumer_key.clone()),
            ("oauth_nonce", self.nonce.clone()),
            ("oauth_signature_method", self.method.to_string()),
            ("oauth_timestamp", self.timestamp.to_string()),
            ("oauth_token", self.credentials.access_token.clone()),
            ("oauth_version", "1.0".to_string()),
        ];

        let mut pairs: Vec<String> = query
            .iter()
            .map(|(key, value)| (encode(key), encode(value)))
            .chain(
                oauth
                    .iter()
                    .map(|(key, value)| (encode(key), encode(value))),
            )
            .map(|(key, value)| format!("{key}={value}"))
            .collect();
        pairs.sort();
        let base = format!(
            "{http_method}&{}&{}",
            encode(base_url),
            encode(&pairs.join("&"))
        );
        let key = format!(
            "{}&{}",
            encode(&self.credentials.consumer_secret),
            encode(&self.credentials.access_token_secret)
        );

        let digest = if self.method == "HMAC-SHA1" {
            let mut mac = Hmac::<sha1::Sha1>::new_from_slice(key.as_bytes())
                .unwrap_or_else(|_| unreachable!());
            mac.update(base.as_bytes());
            mac.finalize().into_bytes().to_vec()
        } else {
            let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes())
                .unwrap_or_else(|_| unreachable!());
            mac.update(base.as_bytes());
            mac.finalize().into_bytes().to_vec()
        };
        let signature = base64::engine::general_purpose::STANDARD.encode(digest);

        oauth.push((
            "oauth_signature",
            signature_override.map_or(signature, str::to_string),
        ));
        let fields: Vec<String> = oauth
            .iter()
            .map(|(key, value)| format!("{key}=\"{}\"", encode(value)))
            .collect();
        format!("OAuth {}", fields.join(","))
    }
}

fn search_query() -> Vec<(&'static str, &'static str)> {
    vec![
        (
            "searchCriteria[filter_groups][0][filters][0][field]",
            "updated_at",
        ),
        (
            "searchCriteria[filter_groups][0][filters][0][value]",
            "2019-05-01 00:00:00",
        ),
        (
            "searchCriteria[filter_groups][0][filters][0][condition_type]",
            "gteq",
        ),
        ("searchCriteria[pageSize]", "5"),
    ]
}

async fn signed_search(
    sandbox: &Sandbox,
    signer: &Signer<'_>,
    signature_override: Option<&str>,
) -> anyhow::Result<(u16, Value)> {
    let query = search_query();
    let base_url = sandbox.url(SEARCH_PATH);
    let header = signer.header("GET", &base_url, &query, signature_override);

    let response = sandbox
        .http
        .get(&base_url)
        .query(&query)
        .header("Authorization", header)
        .send()
        .await?;
    let status = response.status().as_u16();
    Ok((status, response.json().await?))
}

fn signer<'a>(sandbox: &'a Sandbox, method: &'a str, nonce: &str) -> Signer<'a> {
    Signer {
        credentials: &sandbox.running.integration,
        method,
        timestamp: now(),
        nonce: nonce.to_string(),
    }
}

#[tokio::test]
async fn oauth_sha256_search() -> anyhow::Result<()> {
    let sandbox = Sandbox::with_customers(10).await?;

    let (status, body) =
        signed_search(&sandbox, &signer(&sandbox, "HMAC-SHA256", "nonce-a"), None).await?;

    assert_eq!(status, 200, "{body:?}");
    assert_eq!(
        body["search_criteria"]["filter_groups"][0]["filters"][0]["value"],
        "2019-05-01 00:00:00"
    );
    Ok(())
}

#[tokio::test]
async fn oauth_sha1_search() -> anyhow::Result<()> {
    let sandbox = Sandbox::with_customers(10).await?;

    let (status, body) =
        signed_search(&sandbox, &signer(&sandbox, "HMAC-SHA1", "nonce-b"), None).await?;

    assert_eq!(status, 200, "{body:?}");
    Ok(())
}

#[tokio::test]
async fn oauth_bad_signature() -> anyhow::Result<()> {
    let sandbox = Sandbox::with_customers(1).await?;

    let (status, body) = signed_search(
        &sandbox,
        &signer(&sandbox, "HMAC-SHA256", "nonce-c"),
        Some("AAAA"),
    )
    .await?;

    assert_eq!(status, 401);
    assert_eq!(
        body,
        json!({ "message": "The signature is invalid. Verify and try again." })
    );
    Ok(())
}

#[tokio::test]
async fn oauth_nonce_reuse() -> anyhow::Result<()> {
    let sandbox = Sandbox::with_customers(1).await?;
    let signer = signer(&sandbox, "HMAC-SHA256", "nonce-d");

    let (first, _) = signed_search(&sandbox, &signer, None).await?;
    let (second, body) = signed_search(&sandbox, &signer, None).await?;

    assert_eq!(first, 200);
    assert_eq!(second, 401);
    assert_eq!(
        body["message"],
        "The nonce is already being used by the consumer with ID %1"
    );
    Ok(())
}

#[tokio::test]
async fn oauth_stale_timestamp() -> anyhow::Result<()> {
    let sandbox = Sandbox::with_customers(1).await?;
    let mut stale = signer(&sandbox, "HMAC-SHA256", "nonce-e");
    stale.timestamp = now() - 601;

    let (status, body) = signed_search(&sandbox, &stale, None).await?;

    assert_eq!(status, 400);
    assert_eq!(
        body["message"],
        "Incorrect timestamp value in the oauth_timestamp parameter"
    );
    Ok(())
}

#[tokio::test]
async fn oauth_unsupported_method() -> anyhow::Result<()> {
    let sandbox = Sandbox::with_customers(1).await?;

    let (status, body) =
        signed_search(&sandbox, &signer(&sandbox, "PLAINTEXT", "nonce-f"), None).await?;

    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({ "message": "Signature method %1 is not supported", "parameters": ["PLAINTEXT"] })
    );
    Ok(())
}

#[tokio::test]
async fn oauth_signed_create() -> anyhow::Result<()> {
    let sandbox = Sandbox::start(Options::default()).await?;
    let url = sandbox.url("/rest/V1/customers");
    let header = signer(&sandbox, "HMAC-SHA256", "nonce-g").header("POST", &url, &[], None);
    let body = json!({ "customer": { "email": "oauth@example.com", "firstname": "A", "lastname": "B", "group_id": 3 } });

    let response = sandbox
        .http
        .post(&url)
        .header("Authorization", header)
        .json(&body)
        .send()
        .await?;
    let status = response.status().as_u16();
    let created: Value = response.json().await?;

    assert_eq!(status, 200, "{created:?}");
    assert_eq!(created["group_id"], 3);
    Ok(())
}
