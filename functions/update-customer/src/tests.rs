//! Handler tests against moto and the Magento and Odoo sandboxes.

use functions_common::Metrics;
use functions_common::clients::{ClientCache, InstanceClients};
use functions_common::testing::{
    INSTANCE_ID, Systems, body_json, event_files, fail_fast_limits, load_http_event, request,
};
use http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde_json::{Value, json};
use shared::odoo::{PartnerValues, WriteOptions};

use crate::App;

fn app(systems: &Systems) -> (App, std::sync::Arc<std::sync::Mutex<Vec<Value>>>) {
    let (metrics, documents) = Metrics::in_memory("update-customer");
    let app = App {
        store: systems.store(),
        secrets: systems.secrets(),
        clients: ClientCache::new(fail_fast_limits()),
        metrics,
    };
    (app, documents)
}

async fn send(app: &App, request: Request) -> Response<Body> {
    match app.handle(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

fn put(instance_id: &str, magento_id: &str, body: Option<&str>) -> Request {
    request(
        "PUT",
        &[("instance_id", instance_id), ("magento_id", magento_id)],
        body,
    )
}

async fn clients(app: &App) -> InstanceClients {
    app.clients
        .get(&app.store, &app.secrets, INSTANCE_ID)
        .await
        .expect("clients")
}

/// Pulls Magento customer 1 into Odoo and returns the partner it is linked to.
async fn link_customer_1(app: &App) -> i64 {
    let context = clients(app).await.sync_context(&app.store);

    let pulled = shared::sync::pull_customer(&context, 1)
        .await
        .expect("pulled");

    pulled.outcome.odoo_partner_id().expect("linked")
}

async fn write_partner(app: &App, odoo_partner_id: i64, values: PartnerValues) {
    clients(app)
        .await
        .odoo
        .write(&[odoo_partner_id], &values, WriteOptions::default())
        .await
        .expect("partner written");
}

#[tokio::test]
async fn request_error_statuses() {
    let systems = Systems::start(1, 0).await.expect("systems start");
    let (app, _) = app(&systems);
    let huge = format!(r#"{{"odoo_partner_id": 1, "x": "{}"}}"#, "a".repeat(70_000));
    let post = request(
        "POST",
        &[("instance_id", INSTANCE_ID), ("magento_id", "1")],
        None,
    );
    let cases = [
        (put(INSTANCE_ID, "1", None), StatusCode::NOT_FOUND, None),
        (put("nope", "1", None), StatusCode::NOT_FOUND, None),
        (
            put(INSTANCE_ID, "x", None),
            StatusCode::BAD_REQUEST,
            Some("magento_id"),
        ),
        (
            put(INSTANCE_ID, "1", Some(r#"{"odoo_partner_id": 0}"#)),
            StatusCode::BAD_REQUEST,
            Some("odoo_partner_id"),
        ),
        (
            put(INSTANCE_ID, "1", Some(r#"{"partner": 3}"#)),
            StatusCode::BAD_REQUEST,
            Some("partner"),
        ),
        (
            put(INSTANCE_ID, "1", Some("{")),
            StatusCode::BAD_REQUEST,
            None,
        ),
        (
            put(INSTANCE_ID, "1", Some(&huge)),
            StatusCode::PAYLOAD_TOO_LARGE,
            None,
        ),
        (post, StatusCode::METHOD_NOT_ALLOWED, None),
    ];

    for (request, status, field) in cases {
        let response = send(&app, request).await;
        let error = &body_json(&response)["error"];

        assert_eq!(response.status(), status, "{error}");
        assert_eq!(error["field"].as_str(), field, "{error}");
    }
}

#[tokio::test]
async fn event_updates_then_unchanged() {
    let systems = Systems::start(1, 0).await.expect("systems start");
    let (app, documents) = app(&systems);
    let partner = link_customer_1(&app).await;
    write_partner(
        &app,
        partner,
        PartnerValues {
            phone: Some(Some("555 0199".to_owned())),
            ..PartnerValues::default()
        },
    )
    .await;
    let files = event_files("update-customer");
    assert_eq!(files.len(), 1);

    let first = send(&app, load_http_event(&files[0])).await;
    let second = send(&app, load_http_event(&files[0])).await;

    let body = body_json(&first);
    assert_eq!(first.status(), StatusCode::OK, "{body}");
    assert_eq!(body["outcome"], "updated");
    assert_eq!(body["magento_id"], 1);
    assert_eq!(body["odoo_partner_id"], partner);
    let customer = clients(&app)
        .await
        .magento
        .customers()
        .get(1)
        .await
        .expect("customer 1");
    let billing = customer
        .addresses
        .iter()
        .find(|address| address.default_billing)
        .expect("billing address");
    assert_eq!(billing.telephone.as_deref(), Some("555 0199"));
    let link = systems
        .store()
        .get_link(INSTANCE_ID, 1)
        .await
        .expect("read")
        .expect("linked");
    assert_eq!(link.customer.phone.as_deref(), Some("555 0199"));
    assert_eq!(second.status(), StatusCode::OK);
    assert_eq!(body_json(&second)["outcome"], "unchanged");

    let documents = documents.lock().expect("lock");
    let outcomes: Vec<&Value> = documents
        .iter()
        .filter_map(|document| document.get("Outcome"))
        .collect();
    assert_eq!(outcomes, vec![&json!("updated"), &json!("unchanged")]);
}

#[tokio::test]
async fn expected_partner_checked() {
    let systems = Systems::start(1, 0).await.expect("systems start");
    let (app, _) = app(&systems);
    let partner = link_customer_1(&app).await;
    let same = json!({ "odoo_partner_id": partner }).to_string();
    let other = json!({ "odoo_partner_id": partner + 100 }).to_string();

    let matching = send(&app, put(INSTANCE_ID, "1", Some(&same))).await;
    let mismatched = send(&app, put(INSTANCE_ID, "1", Some(&other))).await;

    assert_eq!(matching.status(), StatusCode::OK);
    let error = &body_json(&mismatched)["error"];
    assert_eq!(mismatched.status(), StatusCode::CONFLICT, "{error}");
    assert_eq!(
        error["message"],
        format!(
            "Magento customer 1 is linked to Odoo partner {partner}, not {}; send that id or no body",
            partner + 100
        )
    );
    assert_eq!(
        error["details"],
        json!({"magento_id": 1, "odoo_partner_id": partner})
    );
}

#[tokio::test]
async fn partner_data_rejected_is_422() {
    let systems = Systems::start(1, 0).await.expect("systems start");
    let (app, _) = app(&systems);
    let partner = link_customer_1(&app).await;
    write_partner(
        &app,
        partner,
        PartnerValues {
            email: Some(Some("josé@example.com".to_owned())),
            ..PartnerValues::default()
        },
    )
    .await;

    let response = send(&app, put(INSTANCE_ID, "1", None)).await;

    let error = &body_json(&response)["error"];
    assert_eq!(
        response.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "{error}"
    );
    assert_eq!(error["code"], "rejected");
    assert_eq!(error["details"]["odoo_partner_id"], partner);
    assert_eq!(error["details"]["errors"][0]["field"], "email");
}

#[tokio::test]
async fn upstream_failure_statuses() {
    let systems = Systems::start(1, 0).await.expect("systems start");
    let (app, _) = app(&systems);
    link_customer_1(&app).await;
    let cases = [
        (
            "magento",
            json!({"next": [{"status": 503}]}),
            StatusCode::SERVICE_UNAVAILABLE,
        ),
        (
            "magento",
            json!({"next": [{"status": 504}]}),
            StatusCode::GATEWAY_TIMEOUT,
        ),
        (
            "magento",
            json!({"next": [{"status": 500}]}),
            StatusCode::BAD_GATEWAY,
        ),
        (
            "magento",
            json!({"latency_ms": 2000}),
            StatusCode::GATEWAY_TIMEOUT,
        ),
        (
            "odoo",
            json!({"next": [{"status": 503}]}),
            StatusCode::SERVICE_UNAVAILABLE,
        ),
    ];

    for (system, faults, expected) in cases {
        let injected = match system {
            "magento" => systems.magento_faults(faults.clone()).await,
            _ => systems.odoo_faults(faults.clone()).await,
        };
        injected.expect("faults set");

        let response = send(&app, put(INSTANCE_ID, "1", None)).await;

        let body = body_json(&response);
        assert_eq!(response.status(), expected, "{system} {faults}: {body}");
        assert!(body["error"]["message"].is_string());
        let reset = match system {
            "magento" => systems.magento_faults(json!({})).await,
            _ => systems.odoo_faults(json!({})).await,
        };
        reset.expect("faults cleared");
    }
}
