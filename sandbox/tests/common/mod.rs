//! A started sandbox plus an HTTP client with an admin token, shared by the tests.

#![allow(dead_code)]

use reqwest::Method;
use sandbox::magento::{Options, Running};
use serde_json::{Value, json};

pub const ADMIN_PASSWORD: &str = "Admin#Sandbox1";

pub struct Sandbox {
    pub running: Running,
    pub http: reqwest::Client,
    pub token: String,
}

/// A response reduced to what the tests check.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
}

impl Sandbox {
    pub async fn start(mut options: Options) -> anyhow::Result<Sandbox> {
        options.admin_password = Some(ADMIN_PASSWORD.to_string());
        let running = sandbox::magento::spawn(options).await?;
        let http = reqwest::Client::new();

        let token_url = format!("{}/rest/V1/integration/admin/token", running.base_url);
        let credentials = json!({ "username": "admin", "password": ADMIN_PASSWORD });
        let token: String = http
            .post(token_url)
            .json(&credentials)
            .send()
            .await?
            .json()
            .await?;

        Ok(Sandbox {
            running,
            http,
            token,
        })
    }

    pub async fn with_customers(count: u64) -> anyhow::Result<Sandbox> {
        Sandbox::start(Options {
            customers: count,
            seed: 5,
            ..Options::default()
        })
        .await
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.running.base_url, path)
    }

    /// Sends a request as admin; `path` starts with `/rest/` or `/_sandbox/`.
    pub async fn admin(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> anyhow::Result<Reply> {
        let request = self
            .http
            .request(method, self.url(path))
            .bearer_auth(&self.token);
        send(request, body).await
    }

    /// Sends a request without credentials.
    pub async fn guest(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> anyhow::Result<Reply> {
        send(self.http.request(method, self.url(path)), body).await
    }

    pub async fn get(&self, path: &str) -> anyhow::Result<Reply> {
        self.admin(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> anyhow::Result<Reply> {
        self.admin(Method::POST, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> anyhow::Result<Reply> {
        self.admin(Method::PUT, path, Some(body)).await
    }

    pub async fn set_config(&self, settings: Value) -> anyhow::Result<()> {
        let mut merged = self.get("/_sandbox/config").await?.body;
        if let (Some(target), Some(changes)) = (merged.as_object_mut(), settings.as_object()) {
            for (key, value) in changes {
                target.insert(key.clone(), value.clone());
            }
        }
        let reply = self.put("/_sandbox/config", merged).await?;
        anyhow::ensure!(
            reply.status == 200,
            "config update failed: {:?}",
            reply.body
        );
        Ok(())
    }
}

async fn send(request: reqwest::RequestBuilder, body: Option<Value>) -> anyhow::Result<Reply> {
    let request = match body {
        Some(body) => request.json(&body),
        None => request,
    };

    let response = request.send().await?;
    let status = response.status().as_u16();
    let text = response.text().await?;
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Ok(Reply { status, body })
}

/// Builds a valid US customer body for `POST /V1/customers`.
pub fn new_customer(email: &str) -> Value {
    json!({
        "customer": {
            "email": email,
            "firstname": "Ana",
            "lastname": "Silva",
            "addresses": [us_address(true, true)]
        }
    })
}

pub fn us_address(billing: bool, shipping: bool) -> Value {
    json!({
        "firstname": "Ana",
        "lastname": "Silva",
        "street": ["100 Main St", "Suite 4"],
        "city": "Austin",
        "postcode": "78701",
        "telephone": "5125550100",
        "country_id": "US",
        "region_id": 57,
        "default_billing": billing,
        "default_shipping": shipping
    })
}

/// Builds a search query string from (key suffix, value) pairs under `searchCriteria`.
pub fn criteria(pairs: &[(&str, &str)]) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (key, value) in pairs {
        query.append_pair(&format!("searchCriteria{key}"), value);
    }
    format!("/rest/V1/customers/search?{}", query.finish())
}

pub fn ids(body: &Value) -> Vec<u64> {
    body["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item["id"].as_u64())
                .collect()
        })
        .unwrap_or_default()
}
