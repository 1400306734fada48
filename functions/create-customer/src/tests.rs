//! Handler tests of the request checks, against moto.

use functions_common::Metrics;
use functions_common::clients::{ClientCache, ClientLimits};
use functions_common::testing::{AwsSandbox, aws_sandbox, body_json, request, sample_instance};
use http::{HeaderValue, StatusCode};
use lambda_http::{Body, Request, Response};

use crate::App;

fn app(sandbox: &AwsSandbox) -> App {
    App {
        store: shared::store::Store::new(
            aws_sdk_dynamodb::Client::new(&sandbox.config),
            sandbox.store.table_name(),
        ),
        secrets: shared::secrets::SecretsStore::new(aws_sdk_secretsmanager::Client::new(
            &sandbox.config,
        )),
        clients: ClientCache::new(ClientLimits::http()),
        metrics: Metrics::in_memory("create-customer").0,
    }
}

async fn send(app: &App, request: Request) -> Response<Body> {
    match app.handle(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

fn create(instance_id: &str, body: &str) -> Request {
    request("POST", &[("instance_id", instance_id)], Some(body))
}

#[tokio::test]
async fn request_error_statuses() {
    let sandbox = aws_sandbox().await.expect("moto starts");
    let instance = sample_instance(
        "main-store",
        "https://shop.example.com",
        "https://erp.example.com",
    );
    sandbox
        .store
        .create_instance(&instance)
        .await
        .expect("instance stored");
    let app = app(&sandbox);
    let form = r#"{"firstname": "Ann", "lastname": "Lee", "email": "ann@example.com"}"#;

    let mut bad_key = create("main-store", form);
    bad_key
        .headers_mut()
        .insert("Idempotency-Key", HeaderValue::from_static("has spaces"));
    let huge = format!(r#"{{"firstname": "{}"}}"#, "a".repeat(70_000));
    let cases = [
        (
            create("main-store", r#"{"firstname": "Ann"}"#),
            StatusCode::BAD_REQUEST,
            Some("lastname"),
        ),
        (create("main-store", "{"), StatusCode::BAD_REQUEST, None),
        (
            create("main-store", r#"{"odoo_partner_id": -1}"#),
            StatusCode::BAD_REQUEST,
            Some("odoo_partner_id"),
        ),
        (bad_key, StatusCode::BAD_REQUEST, Some("Idempotency-Key")),
        (
            create("main-store", &huge),
            StatusCode::PAYLOAD_TOO_LARGE,
            None,
        ),
        (create("nope", form), StatusCode::NOT_FOUND, None),
        (
            request("GET", &[("instance_id", "main-store")], None),
            StatusCode::METHOD_NOT_ALLOWED,
            None,
        ),
    ];

    for (request, status, field) in cases {
        let response = send(&app, request).await;
        let error = &body_json(&response)["error"];

        assert_eq!(response.status(), status, "{error}");
        assert_eq!(error["field"].as_str(), field, "{error}");
    }
}
