//! A client for the connector's HTTP API as `cargo lambda watch` serves it: each route
//! goes to the function URL of the function that template.yaml binds it to.

use std::time::Duration;

use anyhow::{Context, bail};
use reqwest::Method;
use serde_json::Value;

/// One response: the status, the JSON body (`Null` when empty) and the `Location`
/// header.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
    pub location: Option<String>,
}

impl Reply {
    /// Returns the body when the status is `expected`, else an error that shows both.
    pub fn expect_status(self, expected: u16, what: &str) -> anyhow::Result<Value> {
        if self.status != expected {
            bail!(
                "{what}: expected HTTP {expected}, got {} with body {}",
                self.status,
                self.body
            );
        }
        Ok(self.body)
    }

    /// Returns `error.code` of an error body, or "" when the body has none.
    pub fn error_code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or_default()
    }

    /// Returns `error.message` of an error body, or "" when the body has none.
    pub fn error_message(&self) -> &str {
        self.body["error"]["message"].as_str().unwrap_or_default()
    }
}

/// The API at one `cargo lambda watch` base URL.
#[derive(Debug, Clone)]
pub struct Api {
    base_url: String,
    client: reqwest::Client,
}

/// Time allowed for one API request. The sandboxes answer in milliseconds, but a
/// function instance that watch starts for the first time may have to be built.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(300);

impl Api {
    pub fn new(functions_url: &str) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .build()
            .context("failed to build the HTTP client")?;
        Ok(Self {
            base_url: functions_url.trim_end_matches('/').to_owned(),
            client,
        })
    }

    pub async fn get(&self, path: &str) -> anyhow::Result<Reply> {
        self.send(Method::GET, path, None, &[]).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> anyhow::Result<Reply> {
        self.send(Method::POST, path, Some(body), &[]).await
    }

    pub async fn put(&self, path: &str, body: &Value) -> anyhow::Result<Reply> {
        self.send(Method::PUT, path, Some(body), &[]).await
    }

    pub async fn delete(&self, path: &str) -> anyhow::Result<Reply> {
        self.send(Method::DELETE, path, None, &[]).await
    }

    /// Sends `method path` (the path as in docs/openapi.yaml, with its query string)
    /// to the function that serves the route.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> anyhow::Result<Reply> {
        let route = path.split('?').next().unwrap_or_default();
        let function = function_for(&method, route)
            .with_context(|| format!("no function serves {method} {route}"))?;
        let url = format!("{}/lambda-url/{function}{path}", self.base_url);

        let mut request = self.client.request(method.clone(), &url);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        self.read(request, &method, path).await
    }

    /// Sends a raw text body with `content-type: application/json`, for requests that
    /// are not valid JSON.
    pub async fn send_text(
        &self,
        method: Method,
        path: &str,
        body: String,
    ) -> anyhow::Result<Reply> {
        let function = function_for(&method, path)
            .with_context(|| format!("no function serves {method} {path}"))?;
        let url = format!("{}/lambda-url/{function}{path}", self.base_url);

        let request = self
            .client
            .request(method.clone(), &url)
            .header("content-type", "application/json")
            .body(body);
        self.read(request, &method, path).await
    }

    async fn read(
        &self,
        request: reqwest::RequestBuilder,
        method: &Method,
        path: &str,
    ) -> anyhow::Result<Reply> {
        let response = request
            .send()
            .await
            .with_context(|| format!("{method} {path} failed"))?;

        let status = response.status().as_u16();
        let location = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let text = response
            .text()
            .await
            .with_context(|| format!("failed to read the body of {method} {path}"))?;
        let body = match text.trim() {
            "" => Value::Null,
            json => serde_json::from_str(json).with_context(|| {
                format!(
                    "{method} {path} returned HTTP {status} with a body that is not JSON: {text}"
                )
            })?,
        };

        Ok(Reply {
            status,
            body,
            location,
        })
    }
}

/// Returns the function that serves a route, as the `HttpApi` events of
/// template.yaml bind them.
pub fn function_for(method: &Method, path: &str) -> Option<&'static str> {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();

    match (method.as_str(), segments.as_slice()) {
        ("POST" | "GET", ["instances"]) => Some("instances"),
        ("GET" | "PUT" | "DELETE", ["instances", _]) => Some("instances"),
        ("GET", ["instances", _, "customers"]) => Some("customers"),
        ("POST", ["instances", _, "customers"]) => Some("create-customer"),
        ("GET", ["instances", _, "customers", _]) => Some("customers"),
        ("PUT", ["instances", _, "customers", _]) => Some("update-customer"),
        ("POST", ["instances", _, "customers", _, "pull"]) => Some("pull-customer"),
        ("POST", ["instances", _, "sync"]) => Some("sync-customers"),
        ("GET", ["instances", _, "sync", _]) => Some("sync-customers"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_for_every_route() {
        let cases = [
            (Method::POST, "/instances", "instances"),
            (Method::GET, "/instances", "instances"),
            (Method::DELETE, "/instances/shop", "instances"),
            (Method::GET, "/instances/shop/customers", "customers"),
            (Method::POST, "/instances/shop/customers", "create-customer"),
            (Method::GET, "/instances/shop/customers/7", "customers"),
            (
                Method::PUT,
                "/instances/shop/customers/7",
                "update-customer",
            ),
            (
                Method::POST,
                "/instances/shop/customers/7/pull",
                "pull-customer",
            ),
            (Method::POST, "/instances/shop/sync", "sync-customers"),
            (Method::GET, "/instances/shop/sync/job-1", "sync-customers"),
        ];

        for (method, path, expected) in cases {
            assert_eq!(
                function_for(&method, path),
                Some(expected),
                "{method} {path}"
            );
        }
    }

    #[test]
    fn function_for_unknown_route() {
        assert_eq!(function_for(&Method::PATCH, "/instances/shop"), None);
        assert_eq!(function_for(&Method::GET, "/customers"), None);
    }
}
