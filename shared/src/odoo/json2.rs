//! JSON-2 transport (`POST /json/2/<model>/<method>`), Odoo 19 and later.
//!
//! The API key is the only credential; there is no login and no uid. Errors
//! come with a meaningful HTTP status and a `{name, message, ...}` body.

use reqwest::header::{AUTHORIZATION, HeaderValue};
use secrecy::ExposeSecret;
use serde::Deserialize;
use serde_json::Value;

use super::call::Call;
use super::client::{Client, Target};
use super::error::{Error, Fault};

const PROTOCOL: &str = "json2";

/// Statuses that a proxy or the server sends for overload, whatever the body.
const OVERLOAD_STATUSES: [u16; 4] = [429, 502, 503, 504];

#[derive(Deserialize)]
struct ErrorBody {
    name: String,
    #[serde(default)]
    message: String,
}

/// Sends `call` and returns the bare JSON result.
pub(crate) async fn call(client: &Client, call: &Call, attempt: u32) -> Result<Value, Error> {
    let config = client.config();
    let target = Target {
        protocol: PROTOCOL,
        model: call.model,
        method: call.method,
        attempt,
    };

    let mut authorization =
        HeaderValue::try_from(format!("bearer {}", config.api_key.expose_secret())).map_err(
            |_| {
                Error::InvalidConfig(
                    "the API key contains characters not allowed in an HTTP header".to_owned(),
                )
            },
        )?;
    authorization.set_sensitive(true);

    let url = client.url(&format!("json/2/{}/{}", call.model, call.method))?;
    let request = || {
        client
            .http()
            .post(url)
            .header(AUTHORIZATION, authorization)
            .header("X-Odoo-Database", &config.database)
            .json(&call.named())
    };

    let response = client.send(target, request).await?;

    if (200..300).contains(&response.status) {
        return response.json(target);
    }
    if OVERLOAD_STATUSES.contains(&response.status) {
        return Err(response.status_error(target));
    }

    let Ok(body) = serde_json::from_slice::<ErrorBody>(&response.body) else {
        return Err(response.status_error(target));
    };

    // 401 means a bad, expired or missing key; the body names a werkzeug
    // exception rather than AccessDenied.
    if response.status == 401 {
        return Err(Error::AccessDenied {
            login: config.login.clone(),
            database: config.database.clone(),
            message: body.message,
        });
    }

    let fault = Fault {
        name: body.name,
        message: body.message,
        model: call.model.to_owned(),
        method: call.method.to_owned(),
        status: response.status,
    };

    Err(Error::from_fault(fault, &config.login, &config.database))
}
