//! End-to-end tests: every flow through the Lambda functions as `cargo lambda watch`
//! runs them, with function URL events, against moto and the sandboxes.
//!
//! Needs `.venv` (moto_server, cargo-lambda): run `make venv` first, or `make test`.

mod support;

use std::time::Duration;

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

/// 60 Magento customers; 30 Odoo partner slots, of which slots 1, 4, ..., 28 are
/// Magento customers 1, 4, ..., 28 with their email in another letter case.
const SMALL_STORE: Seed = Seed {
    customers: 60,
    partners: 30,
};

/// Magento customers that the small store's Odoo seed already contains as partners.
const MATCHING_IDS: [u64; 10] = [1, 4, 7, 10, 13, 16, 19, 22, 25, 28];

/// Returns whether a seeded customer is in website 1, the instance's website. The
/// sandbox puts every fifth customer in website 2, which the bulk sync skips.
fn in_website_1(magento_id: u64) -> bool {
    magento_id % 5 != 0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_sync_to_completion() -> anyhow::Result<()> {
    let case = Case::start("e2e-bulk", SMALL_STORE).await?;

    let started = case.api.post(&case.path("/sync"), &json!({})).await?;
    assert_eq!(started.status, 202, "start: {}", started.body);
    let job_id = started.body["job_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(
        started.location.as_deref(),
        Some(format!("/instances/e2e-bulk/sync/{job_id}").as_str())
    );
    let job = case.wait_for_job(&job_id, Duration::from_secs(600)).await?;

    let expected_linked = MATCHING_IDS.iter().filter(|id| in_website_1(**id)).count() as u64;
    let expected_skipped = (1..=60).filter(|id| !in_website_1(*id)).count() as u64;
    assert_eq!(job["status"], "succeeded", "job: {job}");
    assert_eq!(job["total"], 60, "job: {job}");
    assert_eq!(job["processed"], 60, "job: {job}");
    assert_eq!(job["linked"], expected_linked, "job: {job}");
    assert_eq!(job["skipped"], expected_skipped, "job: {job}");
    assert_eq!(job["failed"], 0, "job: {job}");
    assert_eq!(
        job["created"],
        60 - expected_linked - expected_skipped,
        "job: {job}"
    );

    let listed = case.api.get(&case.path("/customers?limit=200")).await?;
    assert_eq!(listed.status, 200, "list: {}", listed.body);
    let ids: Vec<u64> = listed.body["customers"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .filter_map(|row| row["magento_id"].as_u64())
                .collect()
        })
        .unwrap_or_default();
    let expected_ids: Vec<u64> = (1..=60).filter(|id| in_website_1(*id)).collect();
    assert_eq!(ids, expected_ids);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_sync_links_existing_partners() -> anyhow::Result<()> {
    let case = Case::start("e2e-bulk-links", SMALL_STORE).await?;
    let odoo = case.odoo_rpc().await?;

    let started = case.api.post(&case.path("/sync"), &json!({})).await?;
    let job_id = started.body["job_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    case.wait_for_job(&job_id, Duration::from_secs(600)).await?;

    let seeded = odoo
        .search_read(
            "res.partner",
            json!([["ref", "=", "MAGENTO-4"]]),
            &["id"],
            1,
        )
        .await?;
    let seeded_id = seeded.first().and_then(|partner| partner["id"].as_i64());
    let customer = case.api.get(&case.path("/customers/4")).await?;
    assert_eq!(customer.status, 200, "customer 4: {}", customer.body);
    assert_eq!(customer.body["odoo_partner_id"].as_i64(), seeded_id);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_second_start_is_409() -> anyhow::Result<()> {
    let case = Case::start("e2e-sync-twice", SMALL_STORE).await?;
    // Slow Magento pages keep the first run going while the second start arrives, even
    // when cargo lambda watch serves the first slice before the second request.
    reqwest::Client::new()
        .put(format!("{}/_sandbox/faults", case.magento.base_url))
        .json(&json!({ "latency_ms": 3000 }))
        .send()
        .await?
        .error_for_status()?;

    let first = case.api.post(&case.path("/sync"), &json!({})).await?;
    let second = case.api.post(&case.path("/sync"), &json!({})).await?;

    assert_eq!(first.status, 202, "first: {}", first.body);
    assert_eq!(second.status, 409, "second: {}", second.body);
    assert_eq!(second.error_code(), "conflict");
    let job_id = first.body["job_id"].as_str().unwrap_or_default().to_owned();
    case.wait_for_job(&job_id, Duration::from_secs(600)).await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_unknown_job_is_404() -> anyhow::Result<()> {
    let case = Case::start("e2e-no-job", NO_DATA).await?;

    let reply = case.api.get(&case.path("/sync/no-such-job")).await?;

    assert_eq!(reply.status, 404, "reply: {}", reply.body);
    assert_eq!(reply.error_code(), "not_found");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_from_odoo_partner() -> anyhow::Result<()> {
    let case = Case::start("e2e-create", SMALL_STORE).await?;
    let odoo = case.odoo_rpc().await?;
    let partner = odoo_only_partner(&odoo).await?;

    let created = case
        .api
        .post(
            &case.path("/customers"),
            &json!({ "odoo_partner_id": partner.0 }),
        )
        .await?;

    assert_eq!(created.status, 201, "create: {}", created.body);
    assert_eq!(created.body["outcome"], "created");
    assert_eq!(created.body["odoo_partner_id"].as_i64(), Some(partner.0));
    let magento_id = created.body["magento_id"].as_u64().unwrap_or_default();
    let magento = harness::magento_admin::admin_client(&case.magento_ready_line())?;
    let customer = magento.customers().get(magento_id).await?;
    assert_eq!(customer.email, partner.1);
    let form = case
        .api
        .get(&case.path(&format!("/customers/{magento_id}")))
        .await?;
    assert_eq!(form.status, 200, "form: {}", form.body);
    assert_eq!(form.body["odoo_partner_id"].as_i64(), Some(partner.0));
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_idempotency_key() -> anyhow::Result<()> {
    let case = Case::start("e2e-idempotent", SMALL_STORE).await?;
    let odoo = case.odoo_rpc().await?;
    let partner = odoo_only_partner(&odoo).await?;
    let body = json!({ "odoo_partner_id": partner.0 });
    let key = [("Idempotency-Key", "e2e-key-1")];

    let first = case
        .api
        .send(Method::POST, &case.path("/customers"), Some(&body), &key)
        .await?;
    let retry = case
        .api
        .send(Method::POST, &case.path("/customers"), Some(&body), &key)
        .await?;
    let other_body = json!({ "odoo_partner_id": partner.0 + 1 });
    let reused = case
        .api
        .send(
            Method::POST,
            &case.path("/customers"),
            Some(&other_body),
            &key,
        )
        .await?;

    assert_eq!(first.status, 201, "first: {}", first.body);
    assert_eq!(retry.status, 201, "retry: {}", retry.body);
    assert_eq!(retry.body["magento_id"], first.body["magento_id"]);
    assert_eq!(reused.status, 409, "reused: {}", reused.body);
    assert_eq!(reused.error_code(), "idempotency_key_reused");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_email_taken_is_409() -> anyhow::Result<()> {
    let case = Case::start("e2e-email-taken", SMALL_STORE).await?;
    let odoo = case.odoo_rpc().await?;
    let seeded = odoo
        .search_read(
            "res.partner",
            json!([["ref", "=", "MAGENTO-4"]]),
            &["id"],
            1,
        )
        .await?;
    let partner_id = seeded.first().and_then(|partner| partner["id"].as_i64());

    let reply = case
        .api
        .post(
            &case.path("/customers"),
            &json!({ "odoo_partner_id": partner_id }),
        )
        .await?;

    assert_eq!(reply.status, 409, "reply: {}", reply.body);
    assert_eq!(reply.body["error"]["details"]["magento_id"], 4);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pull_after_magento_change() -> anyhow::Result<()> {
    let case = Case::start("e2e-pull", SMALL_STORE).await?;
    let odoo = case.odoo_rpc().await?;
    let magento = harness::magento_admin::admin_client(&case.magento_ready_line())?;

    let first = case
        .api
        .post(&case.path("/customers/2/pull"), &json!({}))
        .await?;
    assert_eq!(first.status, 200, "first pull: {}", first.body);
    assert_eq!(first.body["outcome"], "created");

    let mut customer = magento.customers().get(2).await?;
    customer.lastname = "Lindqvist".to_owned();
    magento.customers().put(2, &customer).await?;
    let second = case
        .api
        .post(&case.path("/customers/2/pull"), &json!({}))
        .await?;

    assert_eq!(second.status, 200, "second pull: {}", second.body);
    assert_eq!(second.body["outcome"], "updated");
    let partner_id = second.body["odoo_partner_id"].as_i64().unwrap_or_default();
    let partners = odoo
        .search_read(
            "res.partner",
            json!([["id", "=", partner_id]]),
            &["name"],
            1,
        )
        .await?;
    let name = partners
        .first()
        .and_then(|p| p["name"].as_str())
        .unwrap_or_default();
    assert!(name.ends_with("Lindqvist"), "Odoo name: {name}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pull_unknown_customer_is_404() -> anyhow::Result<()> {
    let case = Case::start("e2e-pull-404", SMALL_STORE).await?;

    let reply = case
        .api
        .post(&case.path("/customers/999/pull"), &json!({}))
        .await?;

    assert_eq!(reply.status, 404, "reply: {}", reply.body);
    assert_eq!(reply.error_code(), "not_found");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn routes_unknown_instance_is_404() -> anyhow::Result<()> {
    let case = Case::start_unregistered("e2e-missing", NO_DATA).await?;
    let requests = [
        (Method::GET, "/instances/e2e-missing/customers"),
        (Method::GET, "/instances/e2e-missing/customers/1"),
        (Method::POST, "/instances/e2e-missing/customers/1/pull"),
        (Method::POST, "/instances/e2e-missing/sync"),
    ];

    for (method, path) in requests {
        let body = json!({});
        let reply = case
            .api
            .send(method.clone(), path, Some(&body), &[])
            .await?;

        assert_eq!(reply.status, 404, "{method} {path}: {}", reply.body);
        assert_eq!(reply.error_code(), "not_found", "{method} {path}");
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn routes_invalid_magento_id_is_400() -> anyhow::Result<()> {
    let case = Case::start("e2e-bad-id", NO_DATA).await?;

    let reply = case.api.get(&case.path("/customers/abc")).await?;

    assert_error(
        &reply,
        400,
        "invalid_field",
        "path parameter magento_id must be a positive integer, got \"abc\"",
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pull_magento_down_is_503() -> anyhow::Result<()> {
    let case = Case::start_unregistered("e2e-magento-down", NO_DATA).await?;
    let mut body = case.instance_body()?;
    body["magento_base_url"] = json!(format!(
        "http://127.0.0.1:{}",
        harness::service::free_port()?
    ));
    case.api
        .post("/instances", &body)
        .await?
        .expect_status(201, "register the instance")?;

    let reply = case
        .api
        .post(&case.path("/customers/1/pull"), &json!({}))
        .await?;

    assert_eq!(reply.status, 503, "reply: {}", reply.body);
    assert_eq!(reply.error_code(), "upstream_unavailable");
    Ok(())
}

/// Returns the id and email of the first active partner that exists only in Odoo.
async fn odoo_only_partner(odoo: &harness::odoo_rpc::OdooRpc) -> anyhow::Result<(i64, String)> {
    let partners = odoo
        .search_read(
            "res.partner",
            json!([["email", "=like", "odoo.only%"], ["active", "=", true]]),
            &["id", "email"],
            1,
        )
        .await?;
    let partner = partners
        .first()
        .ok_or_else(|| anyhow::anyhow!("no Odoo-only partner"))?;
    Ok((
        partner["id"].as_i64().unwrap_or_default(),
        partner["email"].as_str().unwrap_or_default().to_owned(),
    ))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheduled_event_through_cargo_lambda_invoke() -> anyhow::Result<()> {
    let case = Case::start("e2e-scheduled", SMALL_STORE).await?;
    let event = harness::paths::workspace_root()
        .join("events")
        .join("sync-customers")
        .join("scheduled-pull.json");

    let output = tokio::process::Command::new(harness::paths::venv_bin("cargo-lambda")?)
        .args(["lambda", "invoke", "sync-customers", "--data-file"])
        .arg(&event)
        .args(["--invoke-address", "127.0.0.1", "--invoke-port"])
        .arg(support::shared().functions_port()?.to_string())
        .args(["--output-format", "json"])
        .output()
        .await?;

    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "cargo lambda invoke failed: {stderr}"
    );
    let summary: serde_json::Value = serde_json::from_str(stdout.trim())?;
    // Other tests' instances share the table and may point at sandboxes that are
    // gone, so only this test's instance is checked.
    let run = summary["runs"].as_array().and_then(|runs| {
        runs.iter()
            .find(|run| run["instance_id"] == "e2e-scheduled")
    });
    let run = run.ok_or_else(|| anyhow::anyhow!("no run of e2e-scheduled in {summary}"))?;
    assert_eq!(run["status"], "finished", "run: {run}");
    assert!(
        run["processed"].as_u64().is_some_and(|count| count >= 1),
        "run: {run}"
    );
    drop(case);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn update_after_odoo_change() -> anyhow::Result<()> {
    let case = Case::start("e2e-update", SMALL_STORE).await?;
    let odoo = case.odoo_rpc().await?;
    let partner = odoo_only_partner(&odoo).await?;
    let created = case
        .api
        .post(
            &case.path("/customers"),
            &json!({ "odoo_partner_id": partner.0 }),
        )
        .await?;
    assert_eq!(created.status, 201, "create: {}", created.body);
    let magento_id = created.body["magento_id"].as_u64().unwrap_or_default();

    odoo.write(
        "res.partner",
        &[partner.0],
        json!({ "name": "Olivia Marchetti" }),
    )
    .await?;
    let updated = case
        .api
        .put(&case.path(&format!("/customers/{magento_id}")), &json!({}))
        .await?;

    assert_eq!(updated.status, 200, "update: {}", updated.body);
    assert_eq!(updated.body["outcome"], "updated");
    let magento = harness::magento_admin::admin_client(&case.magento_ready_line())?;
    let customer = magento.customers().get(magento_id).await?;
    assert_eq!(customer.firstname, "Olivia");
    assert_eq!(customer.lastname, "Marchetti");
    assert_eq!(customer.email, partner.1);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn update_unlinked_customer_is_404() -> anyhow::Result<()> {
    let case = Case::start("e2e-update-404", SMALL_STORE).await?;

    let reply = case.api.put(&case.path("/customers/3"), &json!({})).await?;

    assert_error(
        &reply,
        404,
        "not_found",
        "Magento customer 3 of instance e2e-update-404 is not linked; pull it first",
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pull_deleted_partner_is_422() -> anyhow::Result<()> {
    let case = Case::start("e2e-pull-422", SMALL_STORE).await?;
    let odoo = case.odoo_rpc().await?;
    let first = case
        .api
        .post(&case.path("/customers/2/pull"), &json!({}))
        .await?;
    assert_eq!(first.status, 200, "first pull: {}", first.body);
    let partner_id = first.body["odoo_partner_id"].as_i64().unwrap_or_default();

    odoo.execute("res.partner", "unlink", json!([[partner_id]]), json!({}))
        .await?;
    // The pull of a customer unchanged in Magento since its last sync reads nothing
    // from Odoo, so the customer changes too.
    let magento = harness::magento_admin::admin_client(&case.magento_ready_line())?;
    let mut customer = magento.customers().get(2).await?;
    customer.lastname = "Lindqvist".to_owned();
    magento.customers().put(2, &customer).await?;
    let second = case
        .api
        .post(&case.path("/customers/2/pull"), &json!({}))
        .await?;

    assert_error(
        &second,
        422,
        "rejected",
        &format!(
            "the linked Odoo partner {partner_id} no longer exists; delete the link of Magento customer 2 and pull it again"
        ),
    );
    assert_eq!(second.body["error"]["details"]["magento_id"], 2);
    Ok(())
}
