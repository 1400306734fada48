//! Handler tests against moto and the Magento and Odoo sandboxes.

use std::time::Duration;

use functions_common::Metrics;
use functions_common::clients::{ClientCache, ClientLimits};
use functions_common::idempotency::REPLAYED_HEADER;
use functions_common::testing::{
    AwsSandbox, INSTANCE_ID, Systems, aws_sandbox, body_json, event_files, fail_fast_limits,
    load_http_event, request, sample_instance,
};
use http::{HeaderValue, StatusCode};
use lambda_http::{Body, Request, Response};
use serde_json::{Value, json};
use shared::odoo::{PartnerValues, WriteOptions};

use crate::App;

const CREATE_ROUTE: &str = "POST /V1/customers";

fn sandbox_app(sandbox: &AwsSandbox) -> App {
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

fn systems_app(systems: &Systems) -> (App, std::sync::Arc<std::sync::Mutex<Vec<Value>>>) {
    let (metrics, documents) = Metrics::in_memory("create-customer");
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

fn create(instance_id: &str, body: &str) -> Request {
    request("POST", &[("instance_id", instance_id)], Some(body))
}

fn create_with_key(body: &str, key: &'static str) -> Request {
    let mut request = create(INSTANCE_ID, body);
    request
        .headers_mut()
        .insert("Idempotency-Key", HeaderValue::from_static(key));
    request
}

fn from_partner(odoo_partner_id: i64) -> Request {
    create(
        INSTANCE_ID,
        &json!({ "odoo_partner_id": odoo_partner_id }).to_string(),
    )
}

/// Creates an Odoo partner through the instance's own client.
async fn odoo_partner(app: &App, name: &str, email: &str) -> i64 {
    let clients = app
        .clients
        .get(&app.store, &app.secrets, INSTANCE_ID)
        .await
        .expect("clients");
    let values = PartnerValues {
        name: Some(Some(name.to_owned())),
        email: Some(Some(email.to_owned())),
        ..PartnerValues::default()
    };

    clients
        .odoo
        .create_many(vec![values], WriteOptions::default())
        .await
        .expect("partner created")[0]
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
    let app = sandbox_app(&sandbox);
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

#[tokio::test]
async fn events_create_then_replay() {
    // One seeded partner slot creates partners 6 and 7 with the same email, and Magento
    // has no customer yet, so both sample events create one.
    let systems = Systems::start(0, 1).await.expect("systems start");
    let (app, documents) = systems_app(&systems);
    let files = event_files("create-customer");
    assert_eq!(files.len(), 3);

    for path in &files {
        let name = path
            .file_stem()
            .map(|stem| stem.to_string_lossy().into_owned())
            .unwrap_or_default();
        let creates_before = systems
            .magento_route_count(CREATE_ROUTE)
            .await
            .expect("stats");

        let first = send(&app, load_http_event(path)).await;
        let replay = send(&app, load_http_event(path)).await;

        let body = body_json(&first);
        assert_eq!(first.status(), StatusCode::CREATED, "{name}: {body}");
        assert_eq!(body["outcome"], "created", "{name}");
        // The CustomerResult schema of docs/openapi.yaml lists the same keys.
        let mut keys: Vec<&str> = body
            .as_object()
            .map(|fields| fields.keys().map(String::as_str).collect())
            .unwrap_or_default();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "conflict",
                "instance_id",
                "magento_id",
                "odoo_partner_id",
                "outcome",
                "reason",
                "warnings"
            ],
            "{name}"
        );
        assert_eq!(body["instance_id"], INSTANCE_ID, "{name}");
        let magento_id = body["magento_id"].as_u64().expect("magento id");
        let partner_id = body["odoo_partner_id"].as_i64().expect("partner id");
        let link = systems
            .store()
            .get_link(INSTANCE_ID, magento_id)
            .await
            .expect("read")
            .expect("linked");
        assert_eq!(link.odoo_partner_id, partner_id, "{name}");
        match name.as_str() {
            "create-customer-from-partner" => assert_eq!(partner_id, 7),
            "create-customer-form" => {
                assert_eq!(link.customer.email, "amelie.laurent@example.com");
                assert_eq!(link.customer.prefix.as_deref(), Some("Dr."));
                assert_eq!(link.customer.city.as_deref(), Some("Lyon"));
                assert!(link.customer.send_welcome_email);
            }
            "create-customer-magento-fields" => {
                let customer = created_customer(&app, &first).await;
                let address = &customer.addresses[0];
                let address_id = address.id.map(|id| id.to_string());
                assert_eq!(customer.addresses.len(), 1);
                assert_eq!(address.telephone.as_deref(), Some("+1 512 555 0100"));
                assert_eq!(address.region_id, Some(57));
                assert_eq!(customer.default_billing, address_id);
                assert_eq!(customer.default_shipping, None);
            }
            other => panic!("no assertions for event {other}"),
        }

        assert_eq!(replay.status(), StatusCode::CREATED, "{name}");
        assert_eq!(replay.headers()[REPLAYED_HEADER], "true", "{name}");
        assert_eq!(replay.body().as_ref(), first.body().as_ref(), "{name}");
        let creates_after = systems
            .magento_route_count(CREATE_ROUTE)
            .await
            .expect("stats");
        assert_eq!(
            creates_after - creates_before,
            1,
            "{name}: one Magento create"
        );
    }

    let documents = documents.lock().expect("lock");
    let outcomes: Vec<&Value> = documents
        .iter()
        .filter_map(|document| document.get("Outcome"))
        .collect();
    assert_eq!(outcomes, vec![&json!("created"); 3]);
}

#[tokio::test]
async fn key_with_other_body_conflicts() {
    let systems = Systems::start(0, 1).await.expect("systems start");
    let (app, _) = systems_app(&systems);
    let first = send(&app, create_with_key(r#"{"odoo_partner_id": 6}"#, "key-1")).await;

    let reused = send(&app, create_with_key(r#"{"odoo_partner_id": 7}"#, "key-1")).await;

    let error = &body_json(&reused)["error"];
    assert_eq!(first.status(), StatusCode::CREATED, "{}", body_json(&first));
    assert_eq!(reused.status(), StatusCode::CONFLICT, "{error}");
    assert_eq!(error["code"], "idempotency_key_reused");
    assert_eq!(error["field"], "Idempotency-Key");
    assert_eq!(
        systems
            .magento_route_count(CREATE_ROUTE)
            .await
            .expect("stats"),
        1
    );
}

#[tokio::test]
async fn duplicate_email_names_existing() {
    // Magento customer 1 and Odoo partners 6 and 7 share one email.
    let systems = Systems::start(1, 1).await.expect("systems start");
    let (app, documents) = systems_app(&systems);
    let clients = app
        .clients
        .get(&app.store, &app.secrets, INSTANCE_ID)
        .await
        .expect("clients");
    let existing = clients
        .magento
        .customers()
        .get(1)
        .await
        .expect("customer 1");
    let form = json!({
        "firstname": "Other",
        "lastname": "Person",
        "email": existing.email,
    })
    .to_string();

    let by_partner = send(&app, from_partner(6)).await;
    let by_form = send(&app, create(INSTANCE_ID, &form)).await;

    for response in [&by_partner, &by_form] {
        let error = &body_json(response)["error"];
        assert_eq!(response.status(), StatusCode::CONFLICT, "{error}");
        assert_eq!(error["code"], "conflict");
        assert_eq!(error["details"], json!({"magento_id": 1, "website_id": 1}));
    }
    let documents = documents.lock().expect("lock");
    assert_eq!(documents[0]["Outcome"], "skipped");
}

#[tokio::test]
async fn linked_partner_conflicts() {
    let systems = Systems::start(0, 1).await.expect("systems start");
    let (app, _) = systems_app(&systems);
    let first = send(&app, from_partner(7)).await;
    let magento_id = body_json(&first)["magento_id"].clone();

    let second = send(&app, from_partner(7)).await;

    let error = &body_json(&second)["error"];
    assert_eq!(first.status(), StatusCode::CREATED);
    assert_eq!(second.status(), StatusCode::CONFLICT, "{error}");
    assert_eq!(
        error["details"],
        json!({"magento_id": magento_id, "odoo_partner_id": 7})
    );
    assert_eq!(
        error["message"],
        format!(
            "Odoo partner 7 is already linked to Magento customer {magento_id}; use Update in Magento"
        )
    );
}

#[tokio::test]
async fn unlinkable_form_customer_conflicts() {
    // Customer 1 is linked to the only partner with its email, then moves to another
    // email in Magento, so a new customer with the old email finds no free partner.
    let systems = Systems::start(1, 0).await.expect("systems start");
    let (app, _) = systems_app(&systems);
    let clients = app
        .clients
        .get(&app.store, &app.secrets, INSTANCE_ID)
        .await
        .expect("clients");
    shared::sync::pull_customer(&clients.sync_context(&app.store), 1)
        .await
        .expect("customer 1 linked");
    let moved = clients
        .magento
        .customers()
        .update(1, |customer| {
            customer.email = "moved@example.com".to_owned()
        })
        .await
        .expect("email changed");
    let old_email = systems
        .store()
        .get_link(INSTANCE_ID, 1)
        .await
        .expect("read")
        .expect("linked")
        .customer
        .email;
    let form = json!({"firstname": "New", "lastname": "Person", "email": old_email}).to_string();

    let response = send(&app, create(INSTANCE_ID, &form)).await;

    let error = &body_json(&response)["error"];
    assert_eq!(moved.email, "moved@example.com");
    assert_eq!(response.status(), StatusCode::CONFLICT, "{error}");
    assert_eq!(error["code"], "conflict");
    assert!(
        error["message"].as_str().is_some_and(|message| message
            .starts_with("Magento customer 2 was created but not linked to Odoo: ")),
        "{error}"
    );
}

#[tokio::test]
async fn invalid_form_names_fields() {
    let systems = Systems::start(0, 0).await.expect("systems start");
    let (app, _) = systems_app(&systems);
    let no_phone = json!({
        "firstname": "Ann", "lastname": "Lee", "email": "ann.lee@example.com",
        "street": ["1 Main St"], "city": "Austin", "postcode": "78701",
        "country_id": "US", "region": "XX",
    })
    .to_string();
    let accented = json!({
        "firstname": "Ann", "lastname": "Lee", "email": "josé@example.com",
    })
    .to_string();

    let missing = send(&app, create(INSTANCE_ID, &no_phone)).await;
    let invalid = send(&app, create(INSTANCE_ID, &accented)).await;

    let error = &body_json(&missing)["error"];
    assert_eq!(missing.status(), StatusCode::BAD_REQUEST, "{error}");
    assert_eq!(error["field"], "phone");
    let fields: Vec<&str> = error["details"]["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|error| error["field"].as_str())
        .collect();
    assert_eq!(fields, ["phone", "region"]);
    let error = &body_json(&invalid)["error"];
    assert_eq!(invalid.status(), StatusCode::BAD_REQUEST, "{error}");
    assert_eq!(error["field"], "email");
    assert_eq!(
        systems
            .magento_route_count(CREATE_ROUTE)
            .await
            .expect("stats"),
        0
    );
}

#[tokio::test]
async fn partner_data_rejected_is_422() {
    let systems = Systems::start(0, 0).await.expect("systems start");
    let (app, _) = systems_app(&systems);
    let partner = odoo_partner(&app, "José Lima", "josé@example.com").await;

    let response = send(&app, from_partner(partner)).await;

    let error = &body_json(&response)["error"];
    assert_eq!(
        response.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "{error}"
    );
    assert_eq!(error["code"], "rejected");
    assert_eq!(error["details"]["odoo_partner_id"], partner);
    assert_eq!(error["details"]["errors"][0]["field"], "email");
    assert!(
        error["message"]
            .as_str()
            .is_some_and(|message| message.ends_with("fix the partner in Odoo and retry")),
        "{error}"
    );
}

#[tokio::test]
async fn magento_rejection_is_422() {
    let systems = Systems::start(0, 0).await.expect("systems start");
    let (app, _) = systems_app(&systems);
    // The first create loads every setting the clients cache, so the next Magento
    // request of the second create is the create itself.
    let warm_up = json!({"firstname": "Ann", "lastname": "Lee", "email": "ann@example.com"});
    let warmed = send(&app, create(INSTANCE_ID, &warm_up.to_string())).await;
    systems
        .magento_faults(json!({"next": [{"status": 400}]}))
        .await
        .expect("faults set");
    let rejected = json!({"firstname": "Bob", "lastname": "Lee", "email": "bob@example.com"});

    let response = send(&app, create(INSTANCE_ID, &rejected.to_string())).await;

    let error = &body_json(&response)["error"];
    assert_eq!(warmed.status(), StatusCode::CREATED);
    assert_eq!(
        response.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "{error}"
    );
    assert_eq!(error["code"], "rejected");
}

#[tokio::test]
async fn unknown_partner_is_404() {
    let systems = Systems::start(0, 0).await.expect("systems start");
    let (app, _) = systems_app(&systems);

    let response = send(&app, from_partner(9999)).await;

    let error = &body_json(&response)["error"];
    assert_eq!(response.status(), StatusCode::NOT_FOUND, "{error}");
    assert_eq!(
        error["message"],
        "Odoo partner 9999 not found; check the id or pull the customer again"
    );
}

#[tokio::test]
async fn upstream_failure_statuses() {
    let systems = Systems::start(0, 1).await.expect("systems start");
    let (app, _) = systems_app(&systems);
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

        let response = send(
            &app,
            create_with_key(r#"{"odoo_partner_id": 7}"#, "retry-key"),
        )
        .await;

        let body = body_json(&response);
        assert_eq!(response.status(), expected, "{system} {faults}: {body}");
        assert!(body["error"]["message"].is_string());
        let reset = match system {
            "magento" => systems.magento_faults(json!({})).await,
            _ => systems.odoo_faults(json!({})).await,
        };
        reset.expect("faults cleared");
    }

    // A 5xx releases the key, so the same request now runs and creates the customer.
    let retried = send(
        &app,
        create_with_key(r#"{"odoo_partner_id": 7}"#, "retry-key"),
    )
    .await;
    assert_eq!(
        retried.status(),
        StatusCode::CREATED,
        "{}",
        body_json(&retried)
    );
}

#[tokio::test]
async fn credentials_of_other_kind_is_502() {
    let systems = Systems::start(0, 0).await.expect("systems start");
    let (app, _) = systems_app(&systems);
    let mut instance = systems.instance.clone();
    instance.magento_auth = shared::config::MagentoAuthKind::Bearer;
    systems
        .store()
        .update_instance(&instance)
        .await
        .expect("instance updated");

    let response = send(&app, from_partner(3)).await;

    let error = &body_json(&response)["error"];
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY, "{error}");
    assert_eq!(
        error["message"],
        "magento_auth is bearer but the stored Magento secret contains oauth credentials; store bearer credentials or change magento_auth"
    );
}

/// Returns a valid form body with a Texas address and `email`, with `changes` applied
/// (a null value removes the key).
fn address_form(email: &str, changes: Value) -> String {
    let mut body = json!({
        "firstname": "Ann", "lastname": "Lee", "email": email, "phone": "555 0100",
        "street": ["1 Main St"], "city": "Austin", "postcode": "78701",
        "country_id": "US", "region": "TX",
    });
    if let (Some(fields), Some(changes)) = (body.as_object_mut(), changes.as_object()) {
        for (key, value) in changes {
            if value.is_null() {
                fields.remove(key);
            } else {
                fields.insert(key.clone(), value.clone());
            }
        }
    }
    body.to_string()
}

/// Reads the Magento customer that a 201 response names, from the sandbox.
async fn created_customer(app: &App, response: &Response<Body>) -> shared::magento::Customer {
    let body = body_json(response);
    assert_eq!(response.status(), StatusCode::CREATED, "{body}");
    let magento_id = body["magento_id"].as_u64().expect("magento id");
    let clients = app
        .clients
        .get(&app.store, &app.secrets, INSTANCE_ID)
        .await
        .expect("clients");

    clients
        .magento
        .customers()
        .get(magento_id)
        .await
        .expect("created customer")
}

/// Sends each form and asserts a 400 `invalid_field` naming `field`, with a message
/// that contains `message`, and that Magento got no create.
async fn assert_rejected(systems: &Systems, app: &App, cases: &[(String, &str, &str)]) {
    for (body, field, message) in cases {
        let response = send(app, create(INSTANCE_ID, body)).await;

        let error = &body_json(&response)["error"];
        assert_eq!(
            response.status(),
            StatusCode::BAD_REQUEST,
            "{body}: {error}"
        );
        assert_eq!(error["code"], "invalid_field", "{body}");
        assert_eq!(error["field"], *field, "{body}: {error}");
        assert!(
            error["message"]
                .as_str()
                .is_some_and(|text| text.contains(message)),
            "{body}: {error}"
        );
    }
    assert_eq!(
        systems
            .magento_route_count(CREATE_ROUTE)
            .await
            .expect("stats"),
        0
    );
}

#[tokio::test]
async fn default_flags_stored() {
    let systems = Systems::start(0, 0).await.expect("systems start");
    let (app, _) = systems_app(&systems);
    // (default_billing, default_shipping) as sent, then as Magento stores them.
    let cases = [
        (json!(null), json!(null), true, true),
        (json!(true), json!(false), true, false),
        (json!(false), json!(true), false, true),
        (json!(false), json!(false), false, false),
    ];

    for (index, (billing, shipping, is_billing, is_shipping)) in cases.into_iter().enumerate() {
        let email = format!("flags.{index}@example.com");
        let changes = json!({"default_billing": billing, "default_shipping": shipping});

        let response = send(&app, create(INSTANCE_ID, &address_form(&email, changes))).await;

        let customer = created_customer(&app, &response).await;
        assert_eq!(customer.addresses.len(), 1, "{email}");
        let address = &customer.addresses[0];
        let address_id = address.id.expect("address id").to_string();
        assert_eq!(address.default_billing, is_billing, "{email}");
        assert_eq!(address.default_shipping, is_shipping, "{email}");
        assert_eq!(
            customer.default_billing,
            is_billing.then(|| address_id.clone()),
            "{email}"
        );
        assert_eq!(
            customer.default_shipping,
            is_shipping.then(|| address_id.clone()),
            "{email}"
        );
    }
}

#[tokio::test]
async fn shipping_only_address_syncs() {
    let systems = Systems::start(0, 0).await.expect("systems start");
    let (app, _) = systems_app(&systems);
    let changes = json!({"default_billing": false});

    let response = send(
        &app,
        create(
            INSTANCE_ID,
            &address_form("shipping.only@example.com", changes),
        ),
    )
    .await;

    let body = body_json(&response);
    assert_eq!(response.status(), StatusCode::CREATED, "{body}");
    let partner_id = body["odoo_partner_id"].as_i64().expect("partner id");
    let clients = app
        .clients
        .get(&app.store, &app.secrets, INSTANCE_ID)
        .await
        .expect("clients");
    let record = clients
        .odoo
        .read_with_children(&[partner_id])
        .await
        .expect("partner read")
        .remove(0);
    // Odoo also copies the first child's address onto a partner without one, so only
    // the child is checked here.
    assert_eq!(record.children.len(), 1);
    assert_eq!(
        record.children[0].address_type,
        Some(shared::odoo::AddressType::Delivery)
    );
    assert_eq!(record.children[0].city.as_deref(), Some("Austin"));

    // Update in Magento takes the partner's copied address for the existing one.
    let magento_id = body["magento_id"].as_u64().expect("magento id");
    let updated = shared::sync::update_in_magento(&clients.sync_context(&app.store), partner_id)
        .await
        .expect("update runs");
    let customer = clients
        .magento
        .customers()
        .get(magento_id)
        .await
        .expect("customer");
    assert_eq!(updated.status(), "unchanged");
    assert_eq!(customer.addresses.len(), 1);
    assert_eq!(customer.default_billing, None);
}

#[tokio::test]
async fn default_flag_without_address_is_400() {
    let systems = Systems::start(0, 0).await.expect("systems start");
    let (app, _) = systems_app(&systems);
    let no_address = json!({
        "street": null, "city": null, "postcode": null, "country_id": null, "region": null,
    });
    let with_flag = |flag: &str| {
        let mut changes = no_address.clone();
        changes[flag] = json!(true);
        address_form("no.address@example.com", changes)
    };
    let cases = [
        (
            with_flag("default_billing"),
            "default_billing",
            "is true, but the form has no address; add street, city, postcode, country_id and phone",
        ),
        (
            with_flag("default_shipping"),
            "default_shipping",
            "or leave default_shipping out",
        ),
    ];

    assert_rejected(&systems, &app, &cases).await;

    // Without an explicit flag, a form without address fields still creates a customer.
    let response = send(
        &app,
        create(
            INSTANCE_ID,
            &address_form("no.address@example.com", no_address),
        ),
    )
    .await;
    let customer = created_customer(&app, &response).await;
    assert!(customer.addresses.is_empty());
    assert_eq!(customer.default_billing, None);
}

#[tokio::test]
async fn telephone_alias_stored() {
    let systems = Systems::start(0, 0).await.expect("systems start");
    let (app, _) = systems_app(&systems);
    let cases = [
        json!({"phone": null, "telephone": "+1 512 555 0199"}),
        json!({"phone": "+1 512 555 0199", "telephone": "+1 512 555 0199"}),
    ];

    for (index, changes) in cases.into_iter().enumerate() {
        let email = format!("telephone.{index}@example.com");

        let response = send(&app, create(INSTANCE_ID, &address_form(&email, changes))).await;

        let customer = created_customer(&app, &response).await;
        assert_eq!(
            customer.addresses[0].telephone.as_deref(),
            Some("+1 512 555 0199"),
            "{email}"
        );
    }
}

#[tokio::test]
async fn telephone_conflict_is_400() {
    let systems = Systems::start(0, 0).await.expect("systems start");
    let (app, _) = systems_app(&systems);
    let email = "telephone.conflict@example.com";
    let cases = [
        (
            address_form(email, json!({"telephone": "555 0199"})),
            "telephone",
            "differs from phone, and both set the address telephone; send only one of them",
        ),
        // Magento's required telephone is named by the key the caller sent.
        (
            address_form(email, json!({"phone": null, "telephone": " "})),
            "telephone",
            "telephone: is required by Magento; enter a value",
        ),
    ];

    assert_rejected(&systems, &app, &cases).await;
}

#[tokio::test]
async fn region_id_stored() {
    let systems = Systems::start(0, 0).await.expect("systems start");
    let (app, _) = systems_app(&systems);
    // Region 57 is Texas (TX) and 9 is Armed Forces Europe, the third US region coded AE.
    let cases = [
        (json!({"region": null, "region_id": 57}), 57, "TX"),
        (json!({"region": null, "region_id": "57"}), 57, "TX"),
        (json!({"region": "Texas", "region_id": 57}), 57, "TX"),
        (json!({"region": "AE", "region_id": 9}), 9, "AE"),
    ];

    for (index, (changes, region_id, code)) in cases.into_iter().enumerate() {
        let email = format!("region.{index}@example.com");

        let response = send(&app, create(INSTANCE_ID, &address_form(&email, changes))).await;

        let customer = created_customer(&app, &response).await;
        let address = &customer.addresses[0];
        assert_eq!(address.region_id, Some(region_id), "{email}");
        let region = address.region.as_ref().expect("region");
        assert_eq!(region.region_code.as_deref(), Some(code), "{email}");
        assert_eq!(region.region_id, Some(region_id), "{email}");
    }
}

#[tokio::test]
async fn region_id_invalid_is_400() {
    let systems = Systems::start(0, 0).await.expect("systems start");
    let (app, _) = systems_app(&systems);
    let email = "region.invalid@example.com";
    // Region 66 is Alberta, in Canada's list.
    let cases = [
        (
            address_form(email, json!({"region": null, "region_id": 9999})),
            "region_id",
            "9999 is not in Magento's region list of country US; send an id listed by GET /V1/directory/countries/US, or the region code in region",
        ),
        (
            address_form(email, json!({"region": null, "region_id": 66})),
            "region_id",
            "66 is not in Magento's region list of country US",
        ),
        (
            address_form(email, json!({"region": "CA", "region_id": 57})),
            "region_id",
            "57 is Texas (TX), but region is \"CA\"; send only one of them, or both for the same region",
        ),
        (
            address_form(
                email,
                json!({"country_id": "FR", "region": null, "region_id": 57}),
            ),
            "region_id",
            "country FR has no region list in Magento; send the region name in region instead",
        ),
        (
            address_form(email, json!({"region_id": "TX"})),
            "region_id",
            "expected a Magento region id",
        ),
    ];

    assert_rejected(&systems, &app, &cases).await;
}

#[tokio::test]
async fn unknown_form_field_is_400() {
    let systems = Systems::start(0, 0).await.expect("systems start");
    let (app, _) = systems_app(&systems);
    let cases = [(
        address_form("unknown.field@example.com", json!({"gender": 1})),
        "gender",
        "unknown field `gender`",
    )];

    assert_rejected(&systems, &app, &cases).await;
}

#[tokio::test]
async fn dynamodb_calls_counted() {
    use functions_common::dynamodb::dynamodb_client;
    use functions_common::remote_call::RemoteCallMetrics;
    use harness::latency_proxy::LatencyProxy;
    use tracing_subscriber::layer::SubscriberExt;

    let systems = Systems::start(0, 1).await.expect("systems start");
    let proxy = LatencyProxy::start(&systems.aws.moto.endpoint_url(), Duration::ZERO)
        .await
        .expect("proxy starts");
    let proxied = systems
        .aws
        .config
        .to_builder()
        .endpoint_url(&proxy.url)
        .build();
    let (metrics, documents) = Metrics::in_memory("create-customer");
    let app = App {
        store: shared::store::Store::new(dynamodb_client(&proxied), systems.aws.store.table_name()),
        secrets: systems.secrets(),
        clients: ClientCache::new(fail_fast_limits()),
        metrics: metrics.clone(),
    };
    let subscriber = tracing_subscriber::registry().with(RemoteCallMetrics::new(metrics));
    let _guard = tracing::subscriber::set_default(subscriber);
    let form = address_form("counted@example.com", json!({}));

    let created = send(&app, create_with_key(&form, "count-key")).await;
    let replayed = send(&app, create_with_key(&form, "count-key")).await;

    assert_eq!(
        created.status(),
        StatusCode::CREATED,
        "{}",
        body_json(&created)
    );
    assert_eq!(replayed.status(), StatusCode::CREATED);
    assert_eq!(replayed.headers()[REPLAYED_HEADER], "true");
    let documents = documents.lock().expect("lock");
    let dynamodb: Vec<&Value> = documents
        .iter()
        .filter(|document| document["System"] == "dynamodb")
        .collect();
    let calls: u64 = dynamodb
        .iter()
        .filter_map(|document| document["RemoteCalls"].as_u64())
        .sum();
    let mut reported: Vec<String> = dynamodb
        .iter()
        .filter_map(|document| document["Operation"].as_str().map(str::to_owned))
        .collect();
    let forwarded: Vec<String> = proxy
        .operations()
        .into_iter()
        .flat_map(|(operation, stats)| {
            std::iter::repeat_n(
                operation,
                usize::try_from(stats.requests).unwrap_or_default(),
            )
        })
        .collect();
    assert!(!forwarded.is_empty());
    assert_eq!(calls, forwarded.len() as u64);
    reported.sort();
    assert_eq!(
        reported, forwarded,
        "the forwarded operations, sorted by name"
    );
    assert!(
        dynamodb
            .iter()
            .all(|document| document["RemoteCallLatency"].as_f64().is_some()),
        "{dynamodb:?}"
    );
}
