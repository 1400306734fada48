//! Handler tests of the request checks, against moto and the sandboxes.

use functions_common::Metrics;
use functions_common::clients::{ClientCache, ClientLimits};
use functions_common::testing::{INSTANCE_ID, Systems, body_json, request};
use http::StatusCode;
use lambda_http::{Body, Request, Response};

use crate::App;

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

#[tokio::test]
async fn request_error_statuses() {
    let systems = Systems::start(1, 0).await.expect("systems start");
    let app = App {
        store: systems.store(),
        secrets: systems.secrets(),
        clients: ClientCache::new(ClientLimits::http()),
        metrics: Metrics::in_memory("update-customer").0,
    };
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
