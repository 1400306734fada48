//! Handler tests against moto: every sample event, and each error status.

use functions_common::Metrics;
use functions_common::testing::{
    AwsSandbox, aws_sandbox, body_json, event_files, load_http_event, request,
};
use http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde_json::{Value, json};
use shared::secrets::{MagentoCredentials, SecretsStore};
use shared::store::Store;

use crate::App;

fn app(sandbox: &AwsSandbox) -> App {
    App {
        store: Store::new(
            aws_sdk_dynamodb::Client::new(&sandbox.config),
            sandbox.store.table_name(),
        ),
        secrets: SecretsStore::new(aws_sdk_secretsmanager::Client::new(&sandbox.config)),
        metrics: Metrics::in_memory("instances").0,
    }
}

async fn send(app: &App, request: Request) -> Response<Body> {
    match app.handle(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

fn instance_body(id: &str) -> Value {
    json!({
        "id": id,
        "name": "Test store",
        "magento_base_url": "https://shop.example.com",
        "magento_auth": "bearer",
        "odoo_url": "https://erp.example.com",
        "odoo_database": "erp",
        "odoo_login": "connector@example.com",
        "credentials": {
            "magento": {"kind": "bearer", "token": "magento-token-secret"},
            "odoo": {"api_key": "odoo-key-secret"}
        }
    })
}

async fn create(app: &App, body: &Value) -> Response<Body> {
    send(app, request("POST", &[], Some(&body.to_string()))).await
}

fn error_of(response: &Response<Body>) -> Value {
    body_json(response)["error"].clone()
}

#[tokio::test]
async fn events_run_in_order() {
    let sandbox = aws_sandbox().await.expect("moto starts");
    let app = app(&sandbox);
    let order = [
        ("create-instance", StatusCode::CREATED),
        ("list-instances", StatusCode::OK),
        ("get-instance", StatusCode::OK),
        ("update-instance", StatusCode::OK),
        ("delete-instance", StatusCode::NO_CONTENT),
    ];
    let files = event_files("instances");
    let names: Vec<String> = files
        .iter()
        .filter_map(|path| {
            path.file_stem()
                .map(|stem| stem.to_string_lossy().into_owned())
        })
        .collect();
    let mut expected: Vec<String> = order.iter().map(|(name, _)| (*name).to_owned()).collect();
    expected.sort();
    assert_eq!(names, expected, "every event file has a step here");

    for (name, status) in order {
        let path = files
            .iter()
            .find(|path| path.file_stem().is_some_and(|stem| stem == name))
            .expect("event file");
        let response = send(&app, load_http_event(path)).await;

        let text = String::from_utf8_lossy(response.body().as_ref()).into_owned();
        assert_eq!(response.status(), status, "{name}: {text}");
        assert!(
            !text.contains("example\""),
            "{name} returned a credential: {text}"
        );
        match name {
            "create-instance" => {
                let body = body_json(&response);
                assert_eq!(body["id"], "main-store");
                assert_eq!(
                    body["credentials"],
                    json!({"magento": "stored", "odoo": "stored"})
                );
                assert_eq!(
                    response.headers()[http::header::LOCATION],
                    "/instances/main-store"
                );
            }
            "list-instances" => {
                assert_eq!(body_json(&response)["instances"][0]["id"], "main-store")
            }
            "update-instance" => {
                let body = body_json(&response);
                assert_eq!(body["name"], "Main store (EU)");
                assert_eq!(body["conflict_policy"], "newest_wins");
            }
            _ => {}
        }
    }
}

#[tokio::test]
async fn create_stores_credentials_in_secrets() {
    let sandbox = aws_sandbox().await.expect("moto starts");
    let app = app(&sandbox);

    let response = create(&app, &instance_body("shop-1")).await;
    let stored = sandbox
        .secrets
        .get_magento("magento-odoo/shop-1/magento")
        .await
        .expect("secret stored");

    assert_eq!(response.status(), StatusCode::CREATED);
    assert!(matches!(stored, MagentoCredentials::Bearer { .. }));
    assert!(!String::from_utf8_lossy(response.body().as_ref()).contains("secret"));
}

#[tokio::test]
async fn error_statuses() {
    let sandbox = aws_sandbox().await.expect("moto starts");
    let app = app(&sandbox);
    assert_eq!(
        create(&app, &instance_body("shop-1")).await.status(),
        StatusCode::CREATED
    );

    let duplicate = create(&app, &instance_body("shop-1")).await;
    assert_eq!(duplicate.status(), StatusCode::CONFLICT);
    assert_eq!(
        error_of(&duplicate)["message"],
        "instance shop-1 already exists; update it instead or choose another id"
    );

    let missing = send(&app, request("GET", &[("instance_id", "nope")], None)).await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(error_of(&missing)["code"], "not_found");

    let mut bad_url = instance_body("shop-2");
    bad_url["magento_base_url"] = json!("https://shop.example.com/rest/V1");
    let invalid = create(&app, &bad_url).await;
    assert_eq!(invalid.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_of(&invalid)["field"], "magento_base_url");

    let mut wrong_kind = instance_body("shop-3");
    wrong_kind["magento_auth"] = json!("admin_password");
    let mismatch = create(&app, &wrong_kind).await;
    assert_eq!(mismatch.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_of(&mismatch)["field"], "credentials.magento.kind");

    let mut no_id = instance_body("x");
    no_id.as_object_mut().expect("object").remove("id");
    let unnamed = create(&app, &no_id).await;
    assert_eq!(error_of(&unnamed)["field"], "id");

    let mut no_credentials = instance_body("shop-4");
    no_credentials
        .as_object_mut()
        .expect("object")
        .remove("credentials");
    let uncredentialed = create(&app, &no_credentials).await;
    assert_eq!(error_of(&uncredentialed)["field"], "credentials");

    let malformed = send(&app, request("POST", &[], Some("{\"id\": "))).await;
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_of(&malformed)["code"], "invalid_json");

    let huge = format!("{{\"name\": \"{}\"}}", "a".repeat(70_000));
    let too_large = send(&app, request("POST", &[], Some(&huge))).await;
    assert_eq!(too_large.status(), StatusCode::PAYLOAD_TOO_LARGE);

    let patch = send(
        &app,
        request("PATCH", &[("instance_id", "shop-1")], Some("{}")),
    )
    .await;
    assert_eq!(patch.status(), StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn update_rules() {
    let sandbox = aws_sandbox().await.expect("moto starts");
    let app = app(&sandbox);
    create(&app, &instance_body("shop-1")).await;
    let path = [("instance_id", "shop-1")];

    let mut other_id = instance_body("shop-9");
    other_id
        .as_object_mut()
        .expect("object")
        .remove("credentials");
    let renamed = send(&app, request("PUT", &path, Some(&other_id.to_string()))).await;
    assert_eq!(renamed.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_of(&renamed)["field"], "id");

    let mut auth_change = instance_body("shop-1");
    auth_change
        .as_object_mut()
        .expect("object")
        .remove("credentials");
    auth_change["magento_auth"] = json!("oauth_hmac_sha256");
    let without_credentials =
        send(&app, request("PUT", &path, Some(&auth_change.to_string()))).await;
    assert_eq!(without_credentials.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        error_of(&without_credentials)["field"],
        "credentials.magento"
    );

    let mut keep_credentials = instance_body("shop-1");
    keep_credentials
        .as_object_mut()
        .expect("object")
        .remove("credentials");
    keep_credentials["street_lines"] = json!(3);
    let updated = send(
        &app,
        request("PUT", &path, Some(&keep_credentials.to_string())),
    )
    .await;
    assert_eq!(updated.status(), StatusCode::OK);
    assert_eq!(body_json(&updated)["street_lines"], 3);

    keep_credentials
        .as_object_mut()
        .expect("object")
        .remove("id");
    let unknown = send(
        &app,
        request(
            "PUT",
            &[("instance_id", "nope")],
            Some(&keep_credentials.to_string()),
        ),
    )
    .await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn unreachable_dynamodb_is_503() {
    let sandbox = aws_sandbox().await.expect("moto starts");
    let app = app(&sandbox);
    drop(sandbox);

    let response = send(&app, request("GET", &[("instance_id", "shop-1")], None)).await;

    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        error_of(&response)["message"],
        "DynamoDB request failed; retry later"
    );
}
