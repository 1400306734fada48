//! Caller identification: admin bearer tokens, integration tokens (as bearer behind a flag,
//! or OAuth 1.0a), and guests. Also `POST /V1/integration/admin/token`.

use std::time::{Duration, Instant};

use axum::http::{HeaderMap, StatusCode, header};
use rand::Rng;
use rand::distr::Alphanumeric;
use serde_json::{Map, Value, json};

use super::errors::{ApiError, ErrorMessage, REQUIRED_FIELD};
use super::input::body_param;
use super::oauth::{self, OAuthRequest};
use super::state::AppState;

/// Failed sign-ins before the lock (`oauth/authentication_lock/max_failures_count`).
const MAX_FAILURES: u32 = 6;
/// Lock length (`oauth/authentication_lock/timeout`).
const LOCK_DURATION: Duration = Duration::from_secs(1800);
/// Admin token lifetime on 2.4.4+ (`webapi/jwtauth/admin_expiration`, 60 minutes).
const ADMIN_TOKEN_LIFETIME: Duration = Duration::from_secs(3600);

const SIGN_IN_FAILED: &str = "The account sign-in was incorrect or your account is disabled temporarily. Please wait and try again later.";

/// The identity a request runs as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Caller {
    Guest,
    Admin,
    Integration,
}

impl Caller {
    /// Admins and the integration hold every customer ACL resource.
    pub fn can_manage(self) -> bool {
        self != Caller::Guest
    }
}

pub fn random_secret(length: usize) -> String {
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(length)
        .map(char::from)
        .collect()
}

/// Resolves the caller. A bad or refused bearer token makes a guest, while a bad
/// OAuth signature is an error of its own.
pub fn identify(
    state: &AppState,
    headers: &HeaderMap,
    oauth_request: OAuthRequest<'_>,
) -> Result<Caller, ApiError> {
    let Some(authorization) = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
    else {
        return Ok(Caller::Guest);
    };
    let (scheme, credentials) = authorization
        .trim()
        .split_once(' ')
        .unwrap_or((authorization, ""));

    if scheme.eq_ignore_ascii_case("bearer") {
        return Ok(bearer_caller(state, credentials.trim()));
    }
    if scheme.eq_ignore_ascii_case("oauth") {
        oauth::verify(state, credentials, oauth_request)?;
        return Ok(Caller::Integration);
    }
    Ok(Caller::Guest)
}

fn bearer_caller(state: &AppState, token: &str) -> Caller {
    if token == state.integration.access_token {
        return if state.settings().integration_as_bearer {
            Caller::Integration
        } else {
            Caller::Guest
        };
    }

    let auth = state.auth();
    match auth.admin_tokens.get(token) {
        Some(issued) if issued.elapsed() < ADMIN_TOKEN_LIFETIME => Caller::Admin,
        _ => Caller::Guest,
    }
}

/// Handles `POST /V1/integration/admin/token`; the reply is a bare JSON string.
pub fn admin_token(state: &AppState, body: &Map<String, Value>) -> Result<Value, ApiError> {
    let username = body_param(body, "username")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let password = body_param(body, "password")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();

    let mut missing = Vec::new();
    for (field, value) in [("username", &username), ("password", &password)] {
        if value.is_empty() {
            missing.push(ErrorMessage::new(
                REQUIRED_FIELD,
                Some(json!({ "fieldName": field })),
            ));
        }
    }
    if !missing.is_empty() {
        return Err(ApiError::input(missing));
    }

    let mut auth = state.auth();
    let now = Instant::now();
    if auth.locked_until.is_some_and(|until| now < until) {
        tracing::warn!("admin token request rejected: account locked");
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            SIGN_IN_FAILED,
            None,
        ));
    }

    if username != state.admin_username || password != state.admin_password {
        auth.failed_attempts += 1;
        if auth.failed_attempts >= MAX_FAILURES {
            auth.locked_until = Some(now + LOCK_DURATION);
            auth.failed_attempts = 0;
            tracing::warn!(
                lock_secs = LOCK_DURATION.as_secs(),
                "admin account locked after failed sign-ins"
            );
        }
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            SIGN_IN_FAILED,
            None,
        ));
    }
    auth.failed_attempts = 0;

    if state.settings().two_factor_auth {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "Please use the 2fa provider-specific endpoints to obtain a token.",
            Some(json!({ "active_providers": ["google"] })),
        ));
    }

    let token = random_secret(32);
    auth.admin_tokens.insert(token.clone(), now);
    Ok(Value::String(token))
}
