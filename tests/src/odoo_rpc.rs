//! Direct JSON-RPC calls to the Odoo sandbox, for the demo and the tests to prepare
//! and check Odoo data as a user of Odoo would, without going through the connector.

use anyhow::{Context, bail};
use serde_json::{Value, json};

/// An authenticated JSON-RPC session on one Odoo database.
#[derive(Debug, Clone)]
pub struct OdooRpc {
    url: String,
    database: String,
    uid: i64,
    api_key: String,
    client: reqwest::Client,
}

impl OdooRpc {
    /// Authenticates `login` with `api_key` through `common.authenticate`.
    pub async fn connect(
        base_url: &str,
        database: &str,
        login: &str,
        api_key: &str,
    ) -> anyhow::Result<Self> {
        let mut rpc = Self {
            url: format!("{}/jsonrpc", base_url.trim_end_matches('/')),
            database: database.to_owned(),
            uid: 0,
            api_key: api_key.to_owned(),
            client: reqwest::Client::new(),
        };

        let uid = rpc
            .call(
                "common",
                "authenticate",
                json!([database, login, api_key, {}]),
            )
            .await?;
        rpc.uid = uid
            .as_i64()
            .with_context(|| format!("Odoo rejected login {login} on database {database}"))?;
        Ok(rpc)
    }

    /// Connects with the fields of the Odoo sandbox's ready line.
    pub async fn from_ready_line(ready: &Value) -> anyhow::Result<Self> {
        let field = |name: &str| {
            ready[name]
                .as_str()
                .with_context(|| format!("{name} is missing from the Odoo sandbox's ready line"))
        };
        Self::connect(
            field("base_url")?,
            field("database")?,
            field("login")?,
            field("api_key")?,
        )
        .await
    }

    /// Calls `model.method(*args, **kwargs)` through `object.execute_kw`.
    pub async fn execute(
        &self,
        model: &str,
        method: &str,
        args: Value,
        kwargs: Value,
    ) -> anyhow::Result<Value> {
        let params = json!([
            self.database,
            self.uid,
            self.api_key,
            model,
            method,
            args,
            kwargs
        ]);
        self.call("object", "execute_kw", params)
            .await
            .with_context(|| format!("Odoo call {model}.{method} failed"))
    }

    /// Returns the records that match `domain`, with `fields`, ordered by id.
    pub async fn search_read(
        &self,
        model: &str,
        domain: Value,
        fields: &[&str],
        limit: u32,
    ) -> anyhow::Result<Vec<Value>> {
        let records = self
            .execute(
                model,
                "search_read",
                json!([domain]),
                json!({ "fields": fields, "limit": limit, "order": "id" }),
            )
            .await?;
        match records {
            Value::Array(records) => Ok(records),
            other => bail!("{model}.search_read returned {other} instead of a list"),
        }
    }

    /// Writes `values` on the records `ids`.
    pub async fn write(&self, model: &str, ids: &[i64], values: Value) -> anyhow::Result<()> {
        self.execute(model, "write", json!([ids, values]), json!({}))
            .await?;
        Ok(())
    }

    async fn call(&self, service: &str, method: &str, args: Value) -> anyhow::Result<Value> {
        let envelope = json!({
            "jsonrpc": "2.0",
            "method": "call",
            "id": 1,
            "params": { "service": service, "method": method, "args": args },
        });
        let reply: Value = self
            .client
            .post(&self.url)
            .json(&envelope)
            .send()
            .await
            .with_context(|| format!("POST {} failed", self.url))?
            .error_for_status()?
            .json()
            .await
            .with_context(|| format!("{} returned a body that is not JSON", self.url))?;

        if let Some(error) = reply.get("error") {
            let message = error["data"]["message"].as_str().unwrap_or("no message");
            bail!("Odoo {service}.{method} returned an error: {message}");
        }
        Ok(reply.get("result").cloned().unwrap_or(Value::Null))
    }
}
