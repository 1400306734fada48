//! OAuth 1.0a request verification (RFC 5849) with HMAC-SHA1 and HMAC-SHA256.
//!
//! The signature base string covers the method, the base URL rebuilt from the Host
//! header and path, every query parameter (bracketed `searchCriteria[...]` keys
//! included, decoded then re-encoded) and the oauth parameters except the signature.

use std::time::{SystemTime, UNIX_EPOCH};

use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use serde_json::json;
use sha1::Sha1;
use sha2::Sha256;

use super::errors::{ApiError, ErrorMessage, REQUIRED_FIELD};
use super::state::AppState;

/// Max distance between the request's timestamp and the server clock, in seconds
/// (Magento's nonce generator allows 600).
const TIMESTAMP_WINDOW_SECS: i64 = 600;

/// RFC 3986 unreserved characters stay as they are; everything else is encoded.
const OAUTH_ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The parts of the HTTP request that the signature covers.
#[derive(Clone, Copy, Debug)]
pub struct OAuthRequest<'a> {
    pub method: &'a str,
    /// `http://host[:port]` as the client addressed it.
    pub origin: &'a str,
    pub path: &'a str,
    pub query: &'a str,
}

pub fn encode(text: &str) -> String {
    utf8_percent_encode(text, OAUTH_ENCODE).to_string()
}

/// Parses `key="value", ...` from an `Authorization: OAuth` header.
fn parse_header(credentials: &str) -> Vec<(String, String)> {
    credentials
        .split(',')
        .filter_map(|part| {
            let (key, value) = part.trim().split_once('=')?;
            let value = value.trim().trim_matches('"');
            let decoded = percent_decode_str(value).decode_utf8_lossy().into_owned();
            Some((key.trim().to_string(), decoded))
        })
        .filter(|(key, _)| key != "realm")
        .collect()
}

/// Builds the RFC 5849 signature base string.
pub fn base_string(request: OAuthRequest<'_>, oauth_params: &[(String, String)]) -> String {
    let mut pairs: Vec<(String, String)> = url::form_urlencoded::parse(request.query.as_bytes())
        .map(|(key, value)| (encode(&key), encode(&value)))
        .collect();
    pairs.extend(
        oauth_params
            .iter()
            .filter(|(key, _)| key != "oauth_signature")
            .map(|(key, value)| (encode(key), encode(value))),
    );
    pairs.sort();

    let normalized = pairs
        .iter()
        .map(|(key, value)| format!("{key}={value}"))
        .collect::<Vec<_>>()
        .join("&");
    let base_url = format!("{}{}", request.origin.to_lowercase(), request.path);

    format!(
        "{}&{}&{}",
        request.method.to_uppercase(),
        encode(&base_url),
        encode(&normalized)
    )
}

/// Signs `base` with `consumer_secret&token_secret`; returns None for an unsupported method.
pub fn sign(method: &str, base: &str, consumer_secret: &str, token_secret: &str) -> Option<String> {
    let key = format!("{}&{}", encode(consumer_secret), encode(token_secret));

    let digest = match method {
        "HMAC-SHA256" => {
            let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).ok()?;
            mac.update(base.as_bytes());
            mac.finalize().into_bytes().to_vec()
        }
        "HMAC-SHA1" => {
            let mut mac = Hmac::<Sha1>::new_from_slice(key.as_bytes()).ok()?;
            mac.update(base.as_bytes());
            mac.finalize().into_bytes().to_vec()
        }
        _ => return None,
    };
    Some(STANDARD.encode(digest))
}

fn unauthorized(message: &str, parameters: Option<serde_json::Value>) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, message, parameters)
}

/// Verifies a signed request, in the order Magento checks it: version, required
/// parameters, signature method, consumer, timestamp and nonce, token, signature.
pub fn verify(
    state: &AppState,
    credentials: &str,
    request: OAuthRequest<'_>,
) -> Result<(), ApiError> {
    let params = parse_header(credentials);
    let get = |name: &str| {
        params
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    };

    if let Some(version) = get("oauth_version")
        && version != "1.0"
    {
        return Err(ApiError::bad_request(
            "The \"%1\" Oauth version isn't supported.",
            Some(json!([version])),
        ));
    }

    let required = [
        "oauth_consumer_key",
        "oauth_signature",
        "oauth_signature_method",
        "oauth_nonce",
        "oauth_timestamp",
        "oauth_token",
    ];
    let missing: Vec<ErrorMessage> = required
        .iter()
        .filter(|name| get(name).is_none())
        .map(|name| ErrorMessage::new(REQUIRED_FIELD, Some(json!({ "fieldName": name }))))
        .collect();
    if !missing.is_empty() {
        return Err(ApiError::input(missing));
    }

    let method = get("oauth_signature_method").unwrap_or_default();
    if method != "HMAC-SHA1" && method != "HMAC-SHA256" {
        return Err(ApiError::bad_request(
            "Signature method %1 is not supported",
            Some(json!([method])),
        ));
    }

    let integration = &state.integration;
    // NOTE: the texts for an unknown consumer key or token are estimates of Magento's.
    if get("oauth_consumer_key") != Some(integration.consumer_key.as_str()) {
        return Err(unauthorized(
            "A consumer with the specified key does not exist.",
            None,
        ));
    }

    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs() as i64)
        .unwrap_or(0);
    let timestamp: i64 = get("oauth_timestamp")
        .and_then(|text| text.parse().ok())
        .unwrap_or(0);
    if timestamp <= 0 || (now - timestamp).abs() > TIMESTAMP_WINDOW_SECS {
        return Err(ApiError::bad_request(
            "Incorrect timestamp value in the oauth_timestamp parameter",
            None,
        ));
    }

    let nonce = get("oauth_nonce").unwrap_or_default().to_string();
    if !state.auth().used_nonces.insert(nonce) {
        return Err(unauthorized(
            "The nonce is already being used by the consumer with ID %1",
            Some(json!([1])),
        ));
    }

    if get("oauth_token") != Some(integration.access_token.as_str()) {
        return Err(unauthorized("The access token is invalid.", None));
    }

    let base = base_string(request, &params);
    let expected = sign(
        method,
        &base,
        &integration.consumer_secret,
        &integration.access_token_secret,
    );
    let sent = get("oauth_signature").unwrap_or_default();
    if expected.as_deref() != Some(sent) {
        tracing::warn!(method, "OAuth signature mismatch");
        return Err(unauthorized(
            "The signature is invalid. Verify and try again.",
            None,
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worked example of RFC 5849 section 3.4.1.1, signed with HMAC-SHA1.
    #[test]
    fn base_string_rfc_example() {
        let request = OAuthRequest {
            method: "POST",
            origin: "http://example.com",
            path: "/request",
            query: "b5=%3D%253D&a3=a&c%40=&a2=r%20b",
        };
        let oauth = vec![
            (
                "oauth_consumer_key".to_string(),
                "9djdj82h48djs9d2".to_string(),
            ),
            ("oauth_token".to_string(), "kkk9d7dh3k39sjv7".to_string()),
            (
                "oauth_signature_method".to_string(),
                "HMAC-SHA1".to_string(),
            ),
            ("oauth_timestamp".to_string(), "137131201".to_string()),
            ("oauth_nonce".to_string(), "7d8f3e4a".to_string()),
        ];

        let base = base_string(request, &oauth);

        assert!(base.starts_with(
            "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3Da%26b5%3D%253D%25253D"
        ));
        assert!(base.ends_with("oauth_token%3Dkkk9d7dh3k39sjv7"));
    }
}
