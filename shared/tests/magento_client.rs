//! The Magento client against the in-process Magento sandbox.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use futures::TryStreamExt;
use sandbox::magento::{Options, Running};
use serde_json::{Value, json};
use shared::magento::{
    Address, Client, ClientConfig, Condition, Credentials, Customer, ErrorKind, Region,
    SearchCriteria, SignatureMethod,
};
use shared::retry::RetryPolicy;

const SEARCH_ROUTE: &str = "GET /V1/customers/search";
const TOKEN_ROUTE: &str = "POST /V1/integration/admin/token";

async fn sandbox(customers: u64) -> Running {
    sandbox::magento::spawn(Options {
        customers,
        ..Options::default()
    })
    .await
    .expect("sandbox starts")
}

fn oauth(running: &Running, method: SignatureMethod) -> Credentials {
    Credentials::OAuth {
        consumer_key: running.integration.consumer_key.clone(),
        consumer_secret: running.integration.consumer_secret.clone().into(),
        access_token: running.integration.access_token.clone(),
        access_token_secret: running.integration.access_token_secret.clone().into(),
        signature_method: method,
    }
}

fn admin(running: &Running) -> Credentials {
    Credentials::Admin {
        username: running.admin_username.clone(),
        password: running.admin_password.clone().into(),
    }
}

fn client(running: &Running, credentials: Credentials) -> Client {
    let mut config = ClientConfig::new(running.base_url.clone(), credentials);
    config.store_code = Some("default".to_owned());
    config.retry = RetryPolicy::fast(5);
    Client::new(config).expect("client")
}

async fn control(
    running: &Running,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> Value {
    let http = reqwest::Client::new();
    let mut request = http.request(method, format!("{}{path}", running.base_url));
    if let Some(body) = body {
        request = request.json(&body);
    }

    let response = request.send().await.expect("control request");
    assert!(
        response.status().is_success(),
        "control {path}: {}",
        response.status()
    );
    response.json().await.unwrap_or(Value::Null)
}

async fn reset_stats(running: &Running) {
    control(running, reqwest::Method::DELETE, "/_sandbox/stats", None).await;
}

async fn stats(running: &Running) -> Value {
    control(running, reqwest::Method::GET, "/_sandbox/stats", None).await
}

async fn route_count(running: &Running, route: &str) -> u64 {
    stats(running).await["routes"][route].as_u64().unwrap_or(0)
}

async fn set_settings(running: &Running, settings: Value) {
    control(
        running,
        reqwest::Method::PUT,
        "/_sandbox/config",
        Some(settings),
    )
    .await;
}

async fn set_faults(running: &Running, faults: Value) {
    control(
        running,
        reqwest::Method::PUT,
        "/_sandbox/faults",
        Some(faults),
    )
    .await;
}

fn new_customer(email: &str) -> Customer {
    Customer {
        email: email.to_owned(),
        firstname: "Ana".to_owned(),
        lastname: "Silva".to_owned(),
        ..Customer::default()
    }
}

fn us_address(street: &str, telephone: &str) -> Address {
    Address {
        firstname: Some("Ana".to_owned()),
        lastname: Some("Silva".to_owned()),
        street: vec![street.to_owned()],
        city: Some("Austin".to_owned()),
        postcode: Some("78701".to_owned()),
        country_id: Some("US".to_owned()),
        telephone: Some(telephone.to_owned()),
        region: Some(Region {
            region_code: Some("TX".to_owned()),
            ..Region::default()
        }),
        region_id: Some(57),
        ..Address::default()
    }
}

async fn collect_ids(client: &Client, page_size: u32) -> Vec<u64> {
    let pages: Vec<_> = client
        .customers()
        .iterate_all(page_size)
        .try_collect()
        .await
        .expect("iteration");

    pages
        .iter()
        .flat_map(|page| page.customers.iter().filter_map(|customer| customer.id))
        .collect()
}

#[tokio::test]
async fn oauth_sha256_search_accepted() {
    let running = sandbox(3).await;
    let client = client(&running, oauth(&running, SignatureMethod::HmacSha256));
    let criteria = SearchCriteria::new(10)
        .filter("updated_at", Condition::Gteq, "2000-01-01 00:00:00")
        .filter("email", Condition::Like, "%@%");

    let results = client.customers().search(&criteria).await;

    let results = results.expect("signed search accepted");
    assert_eq!(results.total_count, 3);
    assert_eq!(results.items.len(), 3);
}

#[tokio::test]
async fn oauth_sha1_search_accepted() {
    let running = sandbox(2).await;
    let client = client(&running, oauth(&running, SignatureMethod::HmacSha1));

    let results = client.customers().search(&SearchCriteria::new(5)).await;

    assert_eq!(results.expect("signed search accepted").total_count, 2);
}

#[tokio::test]
async fn oauth_wrong_secret_rejected() {
    let running = sandbox(1).await;
    let mut credentials = oauth(&running, SignatureMethod::HmacSha256);
    if let Credentials::OAuth {
        consumer_secret, ..
    } = &mut credentials
    {
        *consumer_secret = "wrong".into();
    }
    let client = client(&running, credentials);

    let error = client.customers().get(1).await.expect_err("bad signature");

    assert_eq!(error.kind(), ErrorKind::Auth);
    assert_eq!(error.status(), Some(401));
    assert_eq!(
        error.message(),
        "The signature is invalid. Verify and try again."
    );
    assert_eq!(stats(&running).await["total"], json!(1));
}

#[tokio::test]
async fn plus_email_and_spaces_encoded() {
    let running = sandbox(0).await;
    let client = client(&running, oauth(&running, SignatureMethod::HmacSha256));
    let created = client
        .customers()
        .create(&new_customer("ana+news@example.com"), None)
        .await
        .expect("create");

    let found = client
        .customers()
        .find_by_email("ana+news@example.com", 1)
        .await
        .expect("search");
    let other = client
        .customers()
        .find_by_email("ana news@example.com", 1)
        .await
        .expect("search");
    let since = client
        .customers()
        .search(&SearchCriteria::new(5).filter(
            "created_at",
            Condition::Gteq,
            "2020-01-01 00:00:00",
        ))
        .await
        .expect("search");

    assert_eq!(found.and_then(|customer| customer.id), created.id);
    assert!(other.is_none());
    assert_eq!(since.total_count, 1);
}

#[tokio::test]
async fn paging_45_in_3_requests() {
    let running = sandbox(45).await;
    let client = client(&running, oauth(&running, SignatureMethod::HmacSha256));

    let ids = collect_ids(&client, 20).await;

    let distinct: HashSet<u64> = ids.iter().copied().collect();
    assert_eq!(ids.len(), 45);
    assert_eq!(distinct.len(), 45);
    assert_eq!(route_count(&running, SEARCH_ROUTE).await, 3);
    assert_eq!(client.calls(), 3);
}

#[tokio::test]
async fn paging_exact_multiple_stops() {
    let running = sandbox(40).await;
    let client = client(&running, oauth(&running, SignatureMethod::HmacSha256));

    let ids = collect_ids(&client, 20).await;

    assert_eq!(ids.len(), 40);
    assert_eq!(route_count(&running, SEARCH_ROUTE).await, 2);
}

#[tokio::test]
async fn paging_sees_customer_created_midway() {
    let running = sandbox(45).await;
    let client = client(&running, oauth(&running, SignatureMethod::HmacSha256));
    let mut pages = std::pin::pin!(client.customers().iterate_all(20));
    let mut ids = Vec::new();

    let first = pages.try_next().await.expect("page").expect("first page");
    ids.extend(first.customers.iter().filter_map(|customer| customer.id));
    let created = client
        .customers()
        .create(&new_customer("midway@example.com"), None)
        .await
        .expect("create");
    while let Some(page) = pages.try_next().await.expect("page") {
        ids.extend(page.customers.iter().filter_map(|customer| customer.id));
    }

    let distinct: HashSet<u64> = ids.iter().copied().collect();
    assert_eq!(ids.len(), 46);
    assert_eq!(distinct.len(), 46);
    assert!(distinct.contains(&created.id.expect("created id")));
}

#[tokio::test]
async fn paging_resumes_from_cursor() {
    let running = sandbox(45).await;
    let client = client(&running, oauth(&running, SignatureMethod::HmacSha256));
    let first = client
        .customers()
        .next_page(&shared::magento::PageCursor::all(20))
        .await
        .expect("first page");

    let checkpoint = serde_json::to_string(&first.next).expect("encode cursor");
    let restored: Option<shared::magento::PageCursor> =
        serde_json::from_str(&checkpoint).expect("decode cursor");
    let rest: Vec<_> = client
        .customers()
        .pages(restored.expect("more pages"))
        .try_collect()
        .await
        .expect("rest");

    assert_eq!(first.last_id(), Some(20));
    assert_eq!(rest.len(), 2);
    assert_eq!(rest[0].customers.first().and_then(|c| c.id), Some(21));
    assert_eq!(rest[1].last_id(), Some(45));
}

#[tokio::test]
async fn paging_with_input_limits() {
    let running = sandbox(45).await;
    set_settings(&running, json!({"input_limits": true})).await;
    let client = client(&running, oauth(&running, SignatureMethod::HmacSha256));

    let small_pages = collect_ids(&client, 20).await;
    reset_stats(&running).await;
    let capped = collect_ids(&client, 500).await;

    assert_eq!(small_pages.len(), 45);
    assert_eq!(capped.len(), 45);
    // One request rejected for its page size of 500, one page of at most 300.
    assert_eq!(route_count(&running, SEARCH_ROUTE).await, 2);
}

#[tokio::test]
async fn incremental_filters_by_watermark() {
    let running = sandbox(10).await;
    let client = client(&running, oauth(&running, SignatureMethod::HmacSha256));
    let fresh = client
        .customers()
        .create(&new_customer("fresh@example.com"), None)
        .await
        .expect("create");
    let watermark = fresh.updated_at.clone().expect("updated_at");

    let pages: Vec<_> = client
        .customers()
        .iterate_updated_since(watermark, 5)
        .try_collect()
        .await
        .expect("iteration");
    let future: Vec<_> = client
        .customers()
        .iterate_updated_since("2999-01-01 00:00:00", 5)
        .try_collect()
        .await
        .expect("iteration");

    let ids: Vec<u64> = pages
        .iter()
        .flat_map(|page| page.customers.iter().filter_map(|customer| customer.id))
        .collect();
    assert_eq!(ids, vec![fresh.id.expect("id")]);
    assert_eq!(future.len(), 1);
    assert!(future[0].customers.is_empty());
    assert_eq!(future[0].next, None);
}

#[tokio::test]
async fn retry_after_is_waited_out() {
    let running = sandbox(1).await;
    let client = client(&running, oauth(&running, SignatureMethod::HmacSha256));
    set_faults(
        &running,
        json!({"next": [{"status": 429, "retry_after_secs": 2}]}),
    )
    .await;
    let started = Instant::now();

    let customer = client.customers().get(1).await;

    assert_eq!(customer.expect("retried").id, Some(1));
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "waited {:?}",
        started.elapsed()
    );
    assert_eq!(stats(&running).await["faults_injected"], json!(1));
    assert_eq!(client.calls(), 2);
}

#[tokio::test]
async fn unavailable_burst_retried() {
    let running = sandbox(1).await;
    let client = client(&running, oauth(&running, SignatureMethod::HmacSha256));
    set_faults(
        &running,
        json!({"next": [{"status": 503}, {"status": 502}, {"status": 504}]}),
    )
    .await;

    let customer = client.customers().get(1).await;

    assert_eq!(customer.expect("retried").id, Some(1));
    assert_eq!(client.calls(), 4);
    assert_eq!(
        route_count(&running, "GET /V1/customers/:customerId").await,
        1
    );
}

#[tokio::test]
async fn retries_stop_at_max_attempts() {
    let running = sandbox(1).await;
    let client = client(&running, oauth(&running, SignatureMethod::HmacSha256));
    set_faults(
        &running,
        json!({"next": (0..8).map(|_| json!({"status": 503})).collect::<Vec<_>>()}),
    )
    .await;

    let error = client.customers().get(1).await.expect_err("gives up");

    assert_eq!(error.kind(), ErrorKind::Unavailable);
    assert_eq!(error.status(), Some(503));
    assert_eq!(client.calls(), 5);
}

#[tokio::test]
async fn bad_request_not_retried() {
    let running = sandbox(0).await;
    let client = client(&running, oauth(&running, SignatureMethod::HmacSha256));
    let mut invalid = new_customer("no-name@example.com");
    invalid.firstname.clear();

    let error = client
        .customers()
        .create(&invalid, None)
        .await
        .expect_err("invalid");

    assert_eq!(error.kind(), ErrorKind::Validation);
    assert_eq!(error.status(), Some(400));
    assert_eq!(error.message(), "\"First Name\" is a required value.");
    assert_eq!(route_count(&running, "POST /V1/customers").await, 1);
}

#[tokio::test]
async fn create_not_retried_after_gateway_timeout() {
    let running = sandbox(0).await;
    let client = client(&running, oauth(&running, SignatureMethod::HmacSha256));
    set_faults(&running, json!({"next": [{"status": 504}]})).await;

    let error = client
        .customers()
        .create(&new_customer("gateway@example.com"), None)
        .await
        .expect_err("not retried");

    assert_eq!(error.kind(), ErrorKind::Unavailable);
    assert_eq!(client.calls(), 1);
}

#[tokio::test]
async fn not_found_message_filled() {
    let running = sandbox(0).await;
    let client = client(&running, oauth(&running, SignatureMethod::HmacSha256));

    let error = client.customers().get(999).await.expect_err("missing");

    assert_eq!(error.kind(), ErrorKind::NotFound);
    assert_eq!(error.message(), "No such entity with customerId = 999");
    assert_eq!(client.calls(), 1);
}

#[tokio::test]
async fn duplicate_email_reported() {
    let running = sandbox(0).await;
    let client = client(&running, oauth(&running, SignatureMethod::HmacSha256));
    client
        .customers()
        .create(&new_customer("twice@example.com"), None)
        .await
        .expect("first create");

    let error = client
        .customers()
        .create(&new_customer("twice@example.com"), None)
        .await
        .expect_err("duplicate");

    assert_eq!(error.kind(), ErrorKind::DuplicateEmail);
    assert_eq!(route_count(&running, "POST /V1/customers").await, 2);
}

#[tokio::test]
async fn bearer_refused_is_configuration() {
    let running = sandbox(1).await;
    let token = running.integration.access_token.clone();
    let client = client(
        &running,
        Credentials::Bearer {
            token: token.clone().into(),
        },
    );

    let error = client.customers().get(1).await.expect_err("refused");

    assert_eq!(error.kind(), ErrorKind::Configuration);
    assert_eq!(error.status(), Some(401));
    assert!(
        error
            .to_string()
            .contains("switch the instance to OAuth 1.0a integration credentials")
    );
    assert!(
        error
            .to_string()
            .contains("Allow OAuth Access Tokens to be used as standalone Bearer tokens")
    );
    assert!(!error.to_string().contains(&token));
    assert_eq!(stats(&running).await["total"], json!(1));
}

#[tokio::test]
async fn bearer_allowed_by_setting() {
    let running = sandbox(1).await;
    set_settings(&running, json!({"integration_as_bearer": true})).await;
    let token = running.integration.access_token.clone();
    let client = client(
        &running,
        Credentials::Bearer {
            token: token.into(),
        },
    );

    let customer = client.customers().get(1).await;

    assert_eq!(customer.expect("accepted").id, Some(1));
}

#[tokio::test]
async fn admin_token_cached() {
    let running = sandbox(3).await;
    let client = client(&running, admin(&running));

    for id in 1..=3 {
        client.customers().get(id).await.expect("get");
    }

    assert_eq!(route_count(&running, TOKEN_ROUTE).await, 1);
    assert_eq!(client.calls(), 4);
}

#[tokio::test]
async fn admin_token_refreshed_on_401() {
    let running = sandbox(1).await;
    let client = client(&running, admin(&running));
    client.customers().get(1).await.expect("first get");
    set_faults(&running, json!({"next": [{"status": 401}]})).await;

    let customer = client.customers().get(1).await;

    assert_eq!(customer.expect("after refresh").id, Some(1));
    assert_eq!(route_count(&running, TOKEN_ROUTE).await, 2);
}

#[tokio::test]
async fn admin_token_refreshed_only_once() {
    let running = sandbox(1).await;
    let client = client(&running, admin(&running));
    client.customers().get(1).await.expect("first get");
    // The customer read is refused, the token request passes, the resend is refused.
    set_faults(
        &running,
        json!({"next": [{"status": 401}, {"drop": false}, {"status": 401}]}),
    )
    .await;

    let error = client.customers().get(1).await.expect_err("still refused");

    assert_eq!(error.kind(), ErrorKind::Auth);
    assert_eq!(error.status(), Some(401));
    assert_eq!(route_count(&running, TOKEN_ROUTE).await, 2);
    assert_eq!(client.calls(), 5);
}

#[tokio::test]
async fn two_factor_is_configuration() {
    let running = sandbox(1).await;
    set_settings(&running, json!({"two_factor_auth": true})).await;
    let client = client(&running, admin(&running));

    let error = client.customers().get(1).await.expect_err("2FA");

    assert_eq!(error.kind(), ErrorKind::Configuration);
    assert!(
        error
            .to_string()
            .contains("OAuth 1.0a integration credentials")
    );
    assert!(!error.to_string().contains(&running.admin_password));
    assert_eq!(route_count(&running, TOKEN_ROUTE).await, 1);
    assert_eq!(stats(&running).await["total"], json!(1));
}

#[tokio::test]
async fn wrong_admin_password_is_auth() {
    let running = sandbox(1).await;
    let credentials = Credentials::Admin {
        username: running.admin_username.clone(),
        password: "Wrong-password-1".into(),
    };
    let client = client(&running, credentials);

    let error = client.customers().get(1).await.expect_err("refused");

    assert_eq!(error.kind(), ErrorKind::Auth);
    assert_eq!(
        error.message(),
        "The account sign-in was incorrect or your account is disabled temporarily. Please wait and try again later."
    );
    assert!(
        error
            .hint()
            .is_some_and(|hint| hint.contains("admin username and password"))
    );
    assert_eq!(client.calls(), 1);
}

async fn customer_with_three_addresses(client: &Client) -> Customer {
    let mut customer = new_customer("three@example.com");
    let mut billing = us_address("1 Billing Rd", "5125550100");
    billing.default_billing = true;
    let mut shipping = us_address("2 Shipping Ave", "5125550101");
    shipping.default_shipping = true;
    customer.addresses = vec![billing, shipping, us_address("3 Spare St", "5125550102")];

    client
        .customers()
        .create(&customer, None)
        .await
        .expect("create")
}

fn address_ids(customer: &Customer) -> Vec<Option<u64>> {
    customer
        .addresses
        .iter()
        .map(|address| address.id)
        .collect()
}

#[tokio::test]
async fn update_name_keeps_addresses() {
    let running = sandbox(0).await;
    let client = client(&running, oauth(&running, SignatureMethod::HmacSha256));
    let created = customer_with_three_addresses(&client).await;
    let id = created.id.expect("id");

    client
        .customers()
        .update(id, |customer| customer.firstname = "Ana Maria".to_owned())
        .await
        .expect("update");
    let stored = client.customers().get(id).await.expect("get");

    assert_eq!(stored.firstname, "Ana Maria");
    assert_eq!(stored.addresses.len(), 3);
    assert_eq!(address_ids(&stored), address_ids(&created));
    assert_eq!(stored.default_billing, created.default_billing);
    assert_eq!(stored.default_shipping, created.default_shipping);
    assert!(stored.default_billing.is_some());
    assert!(stored.default_shipping.is_some());
}

#[tokio::test]
async fn update_billing_phone_keeps_addresses() {
    let running = sandbox(0).await;
    let client = client(&running, oauth(&running, SignatureMethod::HmacSha256));
    let created = customer_with_three_addresses(&client).await;
    let id = created.id.expect("id");
    let billing_id = created.default_billing.clone().expect("default billing");
    let calls_before = client.calls();

    client
        .customers()
        .update(id, |customer| {
            for address in &mut customer.addresses {
                if address.id.map(|a| a.to_string()) == Some(billing_id.clone()) {
                    address.telephone = Some("5125559999".to_owned());
                }
            }
        })
        .await
        .expect("update");
    let update_calls = client.calls() - calls_before;
    let stored = client.customers().get(id).await.expect("get");

    let billing = stored
        .addresses
        .iter()
        .find(|address| address.id.map(|a| a.to_string()) == Some(billing_id.clone()))
        .expect("billing address kept");
    assert_eq!(update_calls, 2);
    assert_eq!(billing.telephone.as_deref(), Some("5125559999"));
    assert_eq!(stored.addresses.len(), 3);
    assert_eq!(address_ids(&stored), address_ids(&created));
    assert_eq!(stored.default_billing, created.default_billing);
    assert_eq!(stored.default_shipping, created.default_shipping);
}

#[tokio::test]
async fn delete_then_not_found() {
    let running = sandbox(2).await;
    let client = client(&running, oauth(&running, SignatureMethod::HmacSha256));

    client.customers().delete(2).await.expect("delete");
    let error = client.customers().get(2).await.expect_err("deleted");

    assert_eq!(error.kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn directory_cached() {
    let running = sandbox(0).await;
    let client = client(&running, oauth(&running, SignatureMethod::HmacSha256));

    let us = client.country("us").await.expect("US");
    client.country("US").await.expect("US again");
    let all = client.countries().await.expect("countries");
    client.countries().await.expect("countries again");

    assert!(all.iter().any(|country| country.id == "US"));
    assert_eq!(
        us.region_by_code("TX").map(|region| region.name.as_str()),
        Some("Texas")
    );
    assert_eq!(
        route_count(&running, "GET /V1/directory/countries").await,
        1
    );
    assert_eq!(
        route_count(&running, "GET /V1/directory/countries/:countryId").await,
        1
    );
}

#[tokio::test]
async fn country_reuses_loaded_list() {
    let running = sandbox(0).await;
    let client = client(&running, oauth(&running, SignatureMethod::HmacSha256));

    client.countries().await.expect("countries");
    let us = client.country("US").await.expect("US");

    assert_eq!(
        us.region_by_code("TX").map(|region| region.name.as_str()),
        Some("Texas")
    );
    assert_eq!(client.calls(), 1);
}

#[tokio::test]
async fn store_code_none_uses_default_path() {
    let running = sandbox(1).await;
    let mut config = ClientConfig::new(
        running.base_url.clone(),
        oauth(&running, SignatureMethod::HmacSha256),
    );
    config.store_code = None;
    let client = Client::new(config).expect("client");

    let customer = client.customers().get(1).await;

    assert_eq!(customer.expect("get").id, Some(1));
}

#[tokio::test]
async fn connection_refused_is_retried_then_reported() {
    let running = sandbox(0).await;
    let base_url = running.base_url.clone();
    drop(running);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let mut config = ClientConfig::new(base_url, Credentials::Bearer { token: "t".into() });
    config.retry = RetryPolicy::fast(3);
    let client = Client::new(config).expect("client");

    let error = client.customers().get(1).await.expect_err("no server");

    assert_eq!(error.kind(), ErrorKind::Connection);
    assert_eq!(client.calls(), 3);
}

#[tokio::test]
async fn dropped_connection_retried() {
    let running = sandbox(1).await;
    let client = client(&running, oauth(&running, SignatureMethod::HmacSha256));
    set_faults(&running, json!({"next": [{"drop": true}]})).await;

    let customer = client.customers().get(1).await;

    assert_eq!(customer.expect("retried").id, Some(1));
    assert_eq!(client.calls(), 2);
}

#[tokio::test]
async fn timeout_retried_for_reads() {
    let running = sandbox(1).await;
    let mut config = ClientConfig::new(
        running.base_url.clone(),
        oauth(&running, SignatureMethod::HmacSha256),
    );
    config.request_timeout = Duration::from_millis(100);
    config.retry = RetryPolicy::fast(2);
    let client = Client::new(config).expect("client");
    set_faults(&running, json!({"latency_ms": 400})).await;

    let error = client.customers().get(1).await.expect_err("too slow");

    assert_eq!(error.kind(), ErrorKind::Timeout);
    assert_eq!(error.status(), None);
    assert_eq!(client.calls(), 2);
}

#[tokio::test]
async fn timeout_not_retried_for_create() {
    let running = sandbox(0).await;
    let mut config = ClientConfig::new(
        running.base_url.clone(),
        oauth(&running, SignatureMethod::HmacSha256),
    );
    config.request_timeout = Duration::from_millis(100);
    config.retry = RetryPolicy::fast(3);
    let client = Client::new(config).expect("client");
    set_faults(&running, json!({"latency_ms": 400})).await;

    let error = client
        .customers()
        .create(&new_customer("slow@example.com"), None)
        .await
        .expect_err("too slow");

    assert_eq!(error.kind(), ErrorKind::Timeout);
    assert_eq!(client.calls(), 1);
}

#[tokio::test]
async fn concurrency_limit_serializes() {
    let running = sandbox(4).await;
    let mut config = ClientConfig::new(
        running.base_url.clone(),
        oauth(&running, SignatureMethod::HmacSha256),
    );
    config.max_concurrent_requests = 1;
    let client = Client::new(config).expect("client");
    set_faults(&running, json!({"latency_ms": 100})).await;
    let started = Instant::now();

    let customers = client.customers();
    let results = futures::future::join_all((1..=4).map(|id| customers.get(id))).await;

    assert!(results.iter().all(Result::is_ok));
    assert!(
        started.elapsed() >= Duration::from_millis(400),
        "took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn debug_output_hides_secrets() {
    let running = sandbox(1).await;
    let client = client(&running, admin(&running));
    client.customers().get(1).await.expect("get");

    let debug = format!("{client:?}");

    assert!(!debug.contains(&running.admin_password));
    let oauth_client = self::client(&running, oauth(&running, SignatureMethod::HmacSha256));
    let oauth_debug = format!("{oauth_client:?}");
    assert!(!oauth_debug.contains(&running.integration.consumer_secret));
    assert!(!oauth_debug.contains(&running.integration.access_token_secret));
}
