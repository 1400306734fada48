//! Handler tests against moto and the Magento and Odoo sandboxes.

use functions_common::Metrics;
use functions_common::clients::ClientCache;
use functions_common::testing::{
    INSTANCE_ID, Systems, body_json, event_files, fail_fast_limits, load_http_event, request,
};
use http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde_json::{Value, json};

use crate::App;

fn app(systems: &Systems) -> (App, std::sync::Arc<std::sync::Mutex<Vec<Value>>>) {
    let (metrics, documents) = Metrics::in_memory("pull-customer");
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

fn pull(magento_id: &str) -> Request {
    request(
        "POST",
        &[("instance_id", INSTANCE_ID), ("magento_id", magento_id)],
        None,
    )
}

#[tokio::test]
async fn event_links_then_unchanged() {
    let systems = Systems::start(3, 0).await.expect("systems start");
    let (app, documents) = app(&systems);
    let files = event_files("pull-customer");
    assert_eq!(files.len(), 1);

    let first = send(&app, load_http_event(&files[0])).await;
    let second = send(&app, load_http_event(&files[0])).await;

    let body = body_json(&first);
    assert_eq!(first.status(), StatusCode::OK, "{body}");
    assert_eq!(body["outcome"], "created");
    assert_eq!(body["magento_id"], 2);
    let partner_id = body["odoo_partner_id"].as_i64().expect("partner id");
    let link = systems
        .store()
        .get_link(INSTANCE_ID, 2)
        .await
        .expect("read")
        .expect("linked");
    assert_eq!(link.odoo_partner_id, partner_id);
    assert_eq!(body_json(&second)["outcome"], "unchanged");
    assert_eq!(body_json(&second)["odoo_partner_id"], partner_id);

    let documents = documents.lock().expect("lock");
    let outcomes: Vec<&Value> = documents
        .iter()
        .filter_map(|document| document.get("Outcome"))
        .collect();
    assert_eq!(outcomes, vec![&json!("created"), &json!("unchanged")]);
}

#[tokio::test]
async fn not_found_statuses() {
    let systems = Systems::start(1, 0).await.expect("systems start");
    let (app, _) = app(&systems);

    let unknown_customer = send(&app, pull("999")).await;
    let unknown_instance = send(
        &app,
        request(
            "POST",
            &[("instance_id", "nope"), ("magento_id", "1")],
            None,
        ),
    )
    .await;
    let bad_id = send(&app, pull("-4")).await;

    assert_eq!(
        unknown_customer.status(),
        StatusCode::NOT_FOUND,
        "{}",
        body_json(&unknown_customer)
    );
    assert_eq!(unknown_instance.status(), StatusCode::NOT_FOUND);
    assert_eq!(bad_id.status(), StatusCode::BAD_REQUEST);
    assert_eq!(body_json(&bad_id)["error"]["field"], "magento_id");
}

#[tokio::test]
async fn upstream_failure_statuses() {
    let systems = Systems::start(1, 0).await.expect("systems start");
    let (app, _) = app(&systems);
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

        let response = send(&app, pull("1")).await;

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
