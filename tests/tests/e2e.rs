//! End-to-end tests: every flow through the Lambda functions as `cargo lambda watch`
//! runs them, with function URL events, against moto and the sandboxes.
//!
//! Needs `.venv` (moto_server, cargo-lambda): run `make venv` first, or `make test`.

mod support;

use reqwest::Method;
use serde_json::json;
use support::{Case, Seed, assert_error};

const NO_DATA: Seed = Seed {
    customers: 0,
    partners: 0,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_lifecycle() -> anyhow::Result<()> {
    let case = Case::start_unregistered("e2e-lifecycle", NO_DATA).await?;
    let body = case.instance_body()?;

    let created = case.api.post("/instances", &body).await?;
    assert_eq!(created.status, 201, "create: {}", created.body);
    assert_eq!(
        created.location.as_deref(),
        Some("/instances/e2e-lifecycle")
    );
    assert_eq!(
        created.body["credentials"],
        json!({"magento": "stored", "odoo": "stored"})
    );
    assert!(
        !created
            .body
            .to_string()
            .contains(case.odoo.api_key.as_str())
    );

    let read = case.api.get("/instances/e2e-lifecycle").await?;
    assert_eq!(read.status, 200, "read: {}", read.body);
    assert_eq!(read.body["id"], "e2e-lifecycle");
    assert_eq!(
        read.body["magento_base_url"],
        case.magento.base_url.as_str()
    );

    let listed = case.api.get("/instances").await?;
    assert_eq!(listed.status, 200, "list: {}", listed.body);
    let ids: Vec<&str> = listed.body["instances"]
        .as_array()
        .map(|instances| instances.iter().filter_map(|i| i["id"].as_str()).collect())
        .unwrap_or_default();
    assert!(ids.contains(&"e2e-lifecycle"), "listed ids: {ids:?}");

    let mut renamed = body.clone();
    renamed["name"] = json!("Renamed store");
    if let Some(fields) = renamed.as_object_mut() {
        fields.remove("credentials");
    }
    let updated = case.api.put("/instances/e2e-lifecycle", &renamed).await?;
    assert_eq!(updated.status, 200, "update: {}", updated.body);
    assert_eq!(updated.body["name"], "Renamed store");

    let deleted = case.api.delete("/instances/e2e-lifecycle").await?;
    assert_eq!(deleted.status, 204, "delete: {}", deleted.body);

    let gone = case.api.get("/instances/e2e-lifecycle").await?;
    assert_error(&gone, 404, "not_found", "instance e2e-lifecycle not found");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_duplicate_is_409() -> anyhow::Result<()> {
    let case = Case::start("e2e-duplicate", NO_DATA).await?;

    let again = case.api.post("/instances", &case.instance_body()?).await?;

    assert_eq!(again.status, 409, "second create: {}", again.body);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_invalid_bodies() -> anyhow::Result<()> {
    let case = Case::start_unregistered("e2e-invalid", NO_DATA).await?;

    let malformed = case
        .api
        .send_text(Method::POST, "/instances", "{\"id\": ".to_owned())
        .await?;
    assert_eq!(malformed.status, 400, "malformed: {}", malformed.body);
    assert_eq!(malformed.error_code(), "invalid_json");

    let mut missing_name = case.instance_body()?;
    if let Some(fields) = missing_name.as_object_mut() {
        fields.remove("name");
    }
    let missing = case.api.post("/instances", &missing_name).await?;
    assert_error(
        &missing,
        400,
        "invalid_field",
        "invalid field name: missing field `name`",
    );
    assert_eq!(missing.body["error"]["field"], "name");

    let oversized = json!({ "name": "x".repeat(70 * 1024) });
    let too_large = case.api.post("/instances", &oversized).await?;
    assert_eq!(too_large.status, 413, "oversized: {}", too_large.body);
    assert_eq!(too_large.error_code(), "payload_too_large");
    Ok(())
}
