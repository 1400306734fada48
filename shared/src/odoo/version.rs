//! Server version detection, which decides the protocol and the field sets.

use serde::Deserialize;
use serde_json::Value;

use super::client::{Client, Target};
use super::error::Error;
use super::jsonrpc;

#[derive(Deserialize)]
struct VersionInfo {
    #[serde(alias = "server_version_info")]
    version_info: Vec<Value>,
}

/// Returns the server's major version from `GET /web/version`, or from
/// JSON-RPC `common.version` on servers without that route.
pub(crate) async fn probe(client: &Client) -> Result<u32, Error> {
    let from_web = client
        .with_retry("web", "version", |attempt| web_version(client, attempt))
        .await?;

    let info = match from_web {
        Some(info) => info,
        None => {
            let result = client
                .with_retry("common", "version", |attempt| {
                    jsonrpc::server_version(client, attempt)
                })
                .await?;

            serde_json::from_value(result).map_err(|error| unsupported(client, error))?
        }
    };

    let major = info
        .version_info
        .first()
        .and_then(major_of)
        .ok_or_else(|| {
            unsupported(
                client,
                format!("cannot read a major version from {:?}", info.version_info),
            )
        })?;

    tracing::info!(major, base_url = %client.config().base_url, "Odoo server version detected");
    Ok(major)
}

/// Returns `None` when the server has no `/web/version` route (404).
async fn web_version(client: &Client, attempt: u32) -> Result<Option<VersionInfo>, Error> {
    let target = Target {
        protocol: "http",
        model: "web",
        method: "version",
        attempt,
    };
    let url = client.url("web/version")?;

    let response = client.send(target, || client.http().get(url)).await?;

    match response.status {
        200 => response.json(target).map(Some),
        404 => Ok(None),
        _ => Err(response.status_error(target)),
    }
}

/// Reads 17 from `17`, and 18 from `"saas~18"` (the form of SaaS releases).
fn major_of(value: &Value) -> Option<u32> {
    match value {
        Value::Number(number) => number.as_u64().and_then(|major| u32::try_from(major).ok()),
        Value::String(text) => text.rsplit('~').next()?.parse().ok(),
        _ => None,
    }
}

fn unsupported(client: &Client, detail: impl std::fmt::Display) -> Error {
    Error::UnsupportedServer {
        base_url: client.config().base_url.to_string(),
        detail: detail.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn major_reads_numbers_and_saas() {
        assert_eq!(major_of(&json!(17)), Some(17));
        assert_eq!(major_of(&json!("saas~18")), Some(18));
        assert_eq!(major_of(&json!("final")), None);
        assert_eq!(major_of(&json!(null)), None);
    }
}
