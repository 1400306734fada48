//! Handler tests against moto: every sample event, pagination, filters and errors.

use functions_common::Metrics;
use functions_common::testing::{
    AwsSandbox, aws_sandbox, body_json, event_files, load_http_event, request, sample_instance,
    sample_link,
};
use http::StatusCode;
use lambda_http::{Body, Request, RequestExt, Response};
use serde_json::Value;
use shared::store::Store;
use std::collections::HashMap;

use crate::App;

fn app(sandbox: &AwsSandbox) -> App {
    App {
        store: Store::new(
            aws_sdk_dynamodb::Client::new(&sandbox.config),
            sandbox.store.table_name(),
        ),
        metrics: Metrics::in_memory("customers").0,
    }
}

async fn send(app: &App, request: Request) -> Response<Body> {
    match app.handle(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

/// Seeds instance `main-store` with three linked customers, ids 1 to 3.
async fn seed(sandbox: &AwsSandbox) {
    let store = &sandbox.store;
    let instance = sample_instance(
        "main-store",
        "https://shop.example.com",
        "https://erp.example.com",
    );
    store
        .create_instance(&instance)
        .await
        .expect("instance stored");

    let people = [
        (1, 501, "Jane", "Doe", "jane.doe@example.com"),
        (2, 502, "John", "Smith", "john.smith@example.com"),
        (3, 503, "Janet", "Moreau", "janet.moreau@example.com"),
    ];
    for (magento_id, partner_id, first, last, email) in people {
        store
            .create_link(&sample_link(
                "main-store",
                magento_id,
                partner_id,
                first,
                last,
                email,
            ))
            .await
            .expect("link stored");
    }
}

fn list_request(query: &[(&str, &str)]) -> Request {
    let parameters: HashMap<String, String> = query
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect();
    request("GET", &[("instance_id", "main-store")], None).with_query_string_parameters(parameters)
}

fn ids(body: &Value) -> Vec<u64> {
    body["customers"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .filter_map(|row| row["magento_id"].as_u64())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn events_return_seeded_customers() {
    let sandbox = aws_sandbox().await.expect("moto starts");
    seed(&sandbox).await;
    let app = app(&sandbox);
    let files = event_files("customers");
    assert_eq!(files.len(), 2);

    for path in files {
        let name = path
            .file_stem()
            .map(|stem| stem.to_string_lossy().into_owned())
            .unwrap_or_default();
        let response = send(&app, load_http_event(&path)).await;

        assert_eq!(response.status(), StatusCode::OK, "{name}");
        let body = body_json(&response);
        match name.as_str() {
            "list-customers" => {
                assert_eq!(
                    ids(&body),
                    vec![1, 3],
                    "email filter jane matches Jane and Janet"
                );
                assert_eq!(body["customers"][0]["name"], "Jane Doe");
                assert_eq!(body["customers"][0]["city"], "Lyon");
            }
            "get-customer" => {
                assert_eq!(body["magento_id"], 1);
                assert_eq!(body["odoo_partner_id"], 501);
                assert_eq!(body["customer"]["firstname"], "Jane");
                assert_eq!(body["customer"]["street"][0], "1 Rue de la Paix");
                assert_eq!(body["link"]["state"], "synced");
            }
            other => panic!("no assertions for event {other}"),
        }
    }
}

#[tokio::test]
async fn list_pages_and_filters() {
    let sandbox = aws_sandbox().await.expect("moto starts");
    seed(&sandbox).await;
    let app = app(&sandbox);

    let first = body_json(&send(&app, list_request(&[("limit", "2")])).await);
    let cursor = first["next_cursor"]
        .as_str()
        .expect("a second page")
        .to_owned();
    let second = body_json(&send(&app, list_request(&[("limit", "2"), ("cursor", &cursor)])).await);
    let by_name = body_json(&send(&app, list_request(&[("name", "smith")])).await);

    assert_eq!(ids(&first), vec![1, 2]);
    assert_eq!(ids(&second), vec![3]);
    assert_eq!(second["next_cursor"], Value::Null);
    assert_eq!(ids(&by_name), vec![2]);
}

#[tokio::test]
async fn error_statuses() {
    let sandbox = aws_sandbox().await.expect("moto starts");
    seed(&sandbox).await;
    let app = app(&sandbox);

    let cases = [
        (
            list_request(&[("limit", "0")]),
            StatusCode::BAD_REQUEST,
            Some("limit"),
        ),
        (
            list_request(&[("limit", "many")]),
            StatusCode::BAD_REQUEST,
            Some("limit"),
        ),
        (
            list_request(&[("cursor", "not-a-cursor")]),
            StatusCode::BAD_REQUEST,
            Some("cursor"),
        ),
        (
            list_request(&[("email", "a"), ("name", "b")]),
            StatusCode::BAD_REQUEST,
            Some("name"),
        ),
        (
            request(
                "GET",
                &[("instance_id", "main-store"), ("magento_id", "abc")],
                None,
            ),
            StatusCode::BAD_REQUEST,
            Some("magento_id"),
        ),
        (
            request("GET", &[("instance_id", "other")], None),
            StatusCode::NOT_FOUND,
            None,
        ),
        (
            request(
                "GET",
                &[("instance_id", "main-store"), ("magento_id", "99")],
                None,
            ),
            StatusCode::NOT_FOUND,
            None,
        ),
        (
            request(
                "DELETE",
                &[("instance_id", "main-store"), ("magento_id", "1")],
                None,
            ),
            StatusCode::METHOD_NOT_ALLOWED,
            None,
        ),
    ];

    for (request, status, field) in cases {
        let description = format!(
            "{} {:?}",
            request.method(),
            request.query_string_parameters()
        );
        let response = send(&app, request).await;
        let error = &body_json(&response)["error"];

        assert_eq!(response.status(), status, "{description}: {error}");
        assert_eq!(error["field"].as_str(), field, "{description}");
    }
}
