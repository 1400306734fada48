//! Tests of the Odoo client: request shapes and error paths against a
//! scripted server, and behaviour against the Odoo sandbox on 17, 18 and 19.

#[path = "odoo_client/scripted.rs"]
mod scripted;

use std::time::Duration;

use sandbox::odoo::{OdooVersion, Options, Running};
use secrecy::SecretString;
use serde_json::json;
use shared::odoo::{
    AddressType, ChildCommand, Client, ClientConfig, Error, PartnerValues, Protocol, WriteMany,
    WriteOptions,
};
use shared::retry::RetryPolicy;
use url::Url;

use scripted::{Reply, Scripted};

const KEY: &str = "0123456789abcdef0123456789abcdef01234567";

fn scripted_client(base_url: Url, protocol: Protocol) -> Client {
    let mut config = ClientConfig::new(base_url, "demo", "admin", SecretString::from(KEY));
    config.protocol = protocol;
    config.retry = RetryPolicy::fast(4);

    Client::new(config).expect("valid configuration")
}

fn named(name: &str) -> PartnerValues {
    PartnerValues {
        name: Some(Some(name.to_owned())),
        ..PartnerValues::default()
    }
}

#[tokio::test]
async fn auto_picks_jsonrpc_before_19() {
    for major in [17, 18] {
        let server = Scripted::start(vec![Reply::json(
            200,
            json!({"version_info": [major, 0, 0, "final", 0, ""], "version": format!("{major}.0")}),
        )])
        .await;
        let client = scripted_client(server.base_url.clone(), Protocol::Auto);

        let protocol = client.protocol().await.expect("detected");

        assert_eq!(protocol, Protocol::JsonRpc, "Odoo {major}");
        assert_eq!(server.requests()[0].path, "/web/version");
        assert_eq!(server.requests()[0].method, "GET");
    }
}

#[tokio::test]
async fn auto_picks_json2_on_19() {
    let server = Scripted::start(vec![Reply::json(
        200,
        json!({"version_info": [19, 0, 0, "final", 0, ""], "version": "19.0"}),
    )])
    .await;
    let client = scripted_client(server.base_url.clone(), Protocol::Auto);

    let first = client.protocol().await.expect("detected");
    let second = client.protocol().await.expect("cached");

    assert_eq!(first, Protocol::Json2);
    assert_eq!(second, Protocol::Json2);
    assert_eq!(client.calls(), 1);
}

#[tokio::test]
async fn version_falls_back_to_common_version() {
    let server = Scripted::start(vec![
        Reply::text(404, "Not Found"),
        Reply::rpc_result(
            json!({"server_version": "17.0", "server_version_info": [17, 0, 0, "final", 0, ""]}),
        ),
    ])
    .await;
    let client = scripted_client(server.base_url.clone(), Protocol::Auto);

    let major = client.major_version().await.expect("detected");

    assert_eq!(major, 17);
    let requests = server.requests();
    assert_eq!(requests[1].path, "/jsonrpc");
    assert_eq!(requests[1].body["params"]["service"], "common");
    assert_eq!(requests[1].body["params"]["method"], "version");
}

#[tokio::test]
async fn jsonrpc_sends_execute_kw() {
    let server = Scripted::start(vec![
        Reply::rpc_result(json!(7)),
        Reply::rpc_result(json!(true)),
    ])
    .await;
    let client = scripted_client(server.base_url.clone(), Protocol::JsonRpc);

    client
        .write(&[4], &named("Ana"), WriteOptions::default())
        .await
        .expect("written");

    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(
        requests[0].body["params"],
        json!({"service": "common", "method": "authenticate", "args": ["demo", "admin", KEY, {}]})
    );
    assert_eq!(requests[1].path, "/jsonrpc");
    assert_eq!(requests[1].body["params"]["service"], "object");
    assert_eq!(requests[1].body["params"]["method"], "execute_kw");
    assert_eq!(
        requests[1].body["params"]["args"],
        json!(["demo", 7, KEY, "res.partner", "write", [[4], {"name": "Ana"}],
            {"context": {"tracking_disable": true, "mail_create_nolog": true, "mail_notrack": true}}])
    );
}

#[tokio::test]
async fn jsonrpc_authenticates_once() {
    let server = Scripted::start(vec![
        Reply::rpc_result(json!(7)),
        Reply::rpc_result(json!(true)),
        Reply::rpc_result(json!(true)),
    ])
    .await;
    let client = scripted_client(server.base_url.clone(), Protocol::JsonRpc);

    client
        .archive(&[4], WriteOptions::default())
        .await
        .expect("archived");
    client
        .archive(&[5], WriteOptions::default())
        .await
        .expect("archived");

    assert_eq!(client.calls(), 3);
    assert_eq!(server.unused_replies(), 0);
}

#[tokio::test]
async fn jsonrpc_false_uid_is_access_denied() {
    let server = Scripted::start(vec![Reply::rpc_result(json!(false))]).await;
    let client = scripted_client(server.base_url.clone(), Protocol::JsonRpc);

    let error = client
        .write(&[4], &named("Ana"), WriteOptions::default())
        .await
        .expect_err("bad key");

    assert!(matches!(error, Error::AccessDenied { .. }), "{error:?}");
    assert!(error.is_configuration_error());
    assert!(
        error
            .to_string()
            .contains("login \"admin\" on database \"demo\""),
        "{error}"
    );
    assert_eq!(client.calls(), 1);
}

#[tokio::test]
async fn jsonrpc_maps_fault_by_name() {
    let server = Scripted::start(vec![
        Reply::rpc_result(json!(7)),
        Reply::rpc_error(
            "odoo.exceptions.MissingError",
            "Record does not exist or has been deleted.",
        ),
    ])
    .await;
    let client = scripted_client(server.base_url.clone(), Protocol::JsonRpc);

    let error = client
        .write(&[999], &named("Ana"), WriteOptions::default())
        .await
        .expect_err("deleted id");

    let Error::MissingError(fault) = &error else {
        panic!("expected MissingError, got {error:?}");
    };
    assert_eq!(fault.message, "Record does not exist or has been deleted.");
    assert_eq!(fault.model, "res.partner");
    assert_eq!(fault.method, "write");
    assert_eq!(client.calls(), 2);
}

#[tokio::test]
async fn json2_sends_bearer_and_database() {
    let server = Scripted::start(vec![Reply::json(200, json!(true))]).await;
    let client = scripted_client(server.base_url.clone(), Protocol::Json2);

    client
        .write(
            &[4, 5],
            &named("Ana"),
            WriteOptions {
                quiet: false,
                skip_vat_validation: true,
            },
        )
        .await
        .expect("written");

    let request = &server.requests()[0];
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/json/2/res.partner/write");
    assert_eq!(
        request.headers["authorization"],
        format!("bearer {KEY}").as_str()
    );
    assert_eq!(request.headers["x-odoo-database"], "demo");
    assert_eq!(request.headers["content-type"], "application/json");
    assert_eq!(
        request.body,
        json!({"ids": [4, 5], "vals": {"name": "Ana"}, "context": {"no_vat_validation": true}})
    );
}

#[tokio::test]
async fn json2_unauthorized_is_not_retried() {
    let server = Scripted::start(vec![
        Reply::json(
            401,
            json!({"name": "werkzeug.exceptions.Unauthorized", "message": "Invalid apikey"}),
        )
        .header("www-authenticate", "bearer"),
        Reply::json(200, json!(true)),
    ])
    .await;
    let client = scripted_client(server.base_url.clone(), Protocol::Json2);

    let error = client
        .archive(&[4], WriteOptions::default())
        .await
        .expect_err("bad key");

    let Error::AccessDenied { message, .. } = &error else {
        panic!("expected AccessDenied, got {error:?}");
    };
    assert_eq!(message, "Invalid apikey");
    assert!(!error.is_retryable());
    assert_eq!(client.calls(), 1);
}

#[tokio::test]
async fn json2_status_maps_validation_error() {
    let message = "The operation cannot be completed: Contacts require a name";
    let server = Scripted::start(vec![Reply::json(
        422,
        json!({"name": "odoo.exceptions.ValidationError", "message": message, "arguments": [message], "context": {}, "debug": ""}),
    )])
    .await;
    let client = scripted_client(server.base_url.clone(), Protocol::Json2);

    let error = client
        .create_many(vec![PartnerValues::default()], WriteOptions::default())
        .await
        .expect_err("no name");

    let Error::ValidationError(fault) = &error else {
        panic!("expected ValidationError, got {error:?}");
    };
    assert_eq!(fault.message, message);
    assert_eq!(fault.status, 422);
}

#[tokio::test]
async fn retries_503_then_succeeds() {
    let server = Scripted::start(vec![
        Reply::text(503, "Service Unavailable"),
        Reply::text(502, "Bad Gateway"),
        Reply::json(200, json!([41, 42])),
    ])
    .await;
    let client = scripted_client(server.base_url.clone(), Protocol::Json2);

    let ids = client
        .create_many(vec![named("A"), named("B")], WriteOptions::default())
        .await
        .expect("created after retries");

    assert_eq!(ids, vec![41, 42]);
    assert_eq!(client.calls(), 3);
}

#[tokio::test]
async fn retries_stop_at_max_attempts() {
    let replies = (0..6)
        .map(|_| Reply::text(503, "Service Unavailable"))
        .collect();
    let server = Scripted::start(replies).await;
    let client = scripted_client(server.base_url.clone(), Protocol::Json2);

    let error = client
        .archive(&[1], WriteOptions::default())
        .await
        .expect_err("overloaded");

    assert!(
        matches!(error, Error::Status { status: 503, .. }),
        "{error:?}"
    );
    assert_eq!(client.calls(), 4);
}

#[tokio::test]
async fn retry_waits_for_retry_after() {
    let server = Scripted::start(vec![
        Reply::text(429, "Too Many Requests").header("retry-after", "1"),
        Reply::json(200, json!(true)),
    ])
    .await;
    let client = scripted_client(server.base_url.clone(), Protocol::Json2);
    let started = std::time::Instant::now();

    client
        .archive(&[1], WriteOptions::default())
        .await
        .expect("archived");

    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(client.calls(), 2);
}

#[tokio::test]
async fn connection_refused_is_transport_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    drop(listener);
    let base_url = Url::parse(&format!("http://{address}/")).expect("valid URL");
    let client = scripted_client(base_url, Protocol::Json2);

    let error = client
        .archive(&[1], WriteOptions::default())
        .await
        .expect_err("closed port");

    assert!(matches!(error, Error::Transport { .. }), "{error:?}");
    assert!(error.is_retryable());
    assert_eq!(client.calls(), 4);
}

#[tokio::test]
async fn debug_output_hides_key() {
    let server = Scripted::start(vec![Reply::rpc_result(json!(false))]).await;
    let client = scripted_client(server.base_url.clone(), Protocol::JsonRpc);

    let error = client
        .archive(&[1], WriteOptions::default())
        .await
        .expect_err("bad key");

    assert!(!format!("{client:?}").contains(KEY));
    assert!(!format!("{error:?}").contains(KEY));
    assert!(!error.to_string().contains(KEY));
}

/// Builds a `fields_get` result with or without the optional partner fields.
fn fields_get(email_normalized: bool, legacy: bool) -> serde_json::Value {
    let mut fields = json!({"name": {"type": "char"}, "email": {"type": "char"}});
    if email_normalized {
        fields["email_normalized"] = json!({"type": "char"});
    }
    if legacy {
        fields["mobile"] = json!({"type": "char"});
        fields["title"] = json!({"type": "many2one"});
    }
    fields
}

#[tokio::test]
async fn find_uses_email_normalized_in() {
    let server = Scripted::start(vec![
        Reply::json(200, fields_get(true, false)),
        Reply::json(
            200,
            json!([{"id": 3, "email": "Ana.Lima@example.test", "email_normalized": "ana.lima@example.test"}]),
        ),
    ])
    .await;
    let client = scripted_client(server.base_url.clone(), Protocol::Json2);
    let emails = vec![
        " Ana.Lima@Example.test".to_owned(),
        "nobody@example.test".to_owned(),
    ];

    let found = client.find_by_emails(&emails, false).await.expect("found");

    let search = &server.requests()[1];
    assert_eq!(search.path, "/json/2/res.partner/search_read");
    assert_eq!(
        search.body["domain"],
        json!([[
            "email_normalized",
            "in",
            ["ana.lima@example.test", "nobody@example.test"]
        ]])
    );
    assert_eq!(search.body.get("context"), None);
    assert!(
        !search.body["fields"]
            .as_array()
            .expect("list")
            .contains(&json!("mobile"))
    );
    assert_eq!(found["ana.lima@example.test"].len(), 1);
    assert_eq!(found["ana.lima@example.test"][0].id, 3);
    assert_eq!(found["nobody@example.test"].len(), 0);
}

#[tokio::test]
async fn find_escapes_ilike_and_filters_locally() {
    // The reply contains a partner that an unescaped `_` would have matched,
    // to show the local check drops it as well.
    let server = Scripted::start(vec![
        Reply::json(200, fields_get(false, true)),
        Reply::json(
            200,
            json!([
                {"id": 5, "email": "John_Doe@Example.test", "active": false},
                {"id": 6, "email": "johnxdoe@example.test"}
            ]),
        ),
    ])
    .await;
    let client = scripted_client(server.base_url.clone(), Protocol::Json2);

    let found = client
        .find_by_emails(&["john_doe@example.test".to_owned()], true)
        .await
        .expect("found");

    let search = &server.requests()[1];
    assert_eq!(
        search.body["domain"],
        json!([["email", "=ilike", "john\\_doe@example.test"]])
    );
    assert_eq!(search.body["context"], json!({"active_test": false}));
    assert!(
        search.body["fields"]
            .as_array()
            .expect("list")
            .contains(&json!("mobile"))
    );
    let ids: Vec<i64> = found["john_doe@example.test"]
        .iter()
        .map(|partner| partner.id)
        .collect();
    assert_eq!(ids, vec![5]);
}

#[tokio::test]
async fn find_without_valid_email_makes_no_call() {
    let server = Scripted::start(Vec::new()).await;
    let client = scripted_client(server.base_url.clone(), Protocol::Json2);

    let found = client
        .find_by_emails(&["not an address".to_owned()], false)
        .await
        .expect("nothing to find");

    assert!(found.is_empty());
    assert_eq!(client.calls(), 0);
}

#[tokio::test]
async fn create_many_sends_one_vals_list() {
    let server = Scripted::start(vec![
        Reply::rpc_result(json!(7)),
        Reply::rpc_result(json!([10, 11])),
    ])
    .await;
    let client = scripted_client(server.base_url.clone(), Protocol::JsonRpc);
    let mut company = named("Acme");
    company.child_ids = vec![ChildCommand::Create(Box::new(PartnerValues {
        address_type: Some(AddressType::Invoice),
        ..named("Billing")
    }))];

    let ids = client
        .create_many(vec![company, named("Ana")], WriteOptions::default())
        .await
        .expect("created");

    assert_eq!(ids, vec![10, 11]);
    let args = &server.requests()[1].body["params"]["args"];
    assert_eq!(args[4], "create");
    assert_eq!(
        args[5],
        json!([[
            {"name": "Acme", "child_ids": [[0, 0, {"name": "Billing", "type": "invoice"}]]},
            {"name": "Ana"}
        ]])
    );
}

#[tokio::test]
async fn create_many_rejects_short_result() {
    let server = Scripted::start(vec![Reply::json(200, json!([10]))]).await;
    let client = scripted_client(server.base_url.clone(), Protocol::Json2);

    let error = client
        .create_many(vec![named("A"), named("B")], WriteOptions::default())
        .await
        .expect_err("one id for two partners");

    assert!(matches!(error, Error::InvalidResponse { .. }), "{error:?}");
    assert!(
        error
            .to_string()
            .contains("sent 2 partners but got 1 ids back"),
        "{error}"
    );
}

#[tokio::test]
async fn countries_and_states_cached() {
    let server = Scripted::start(vec![
        Reply::json(
            200,
            json!([{"id": 233, "code": "US"}, {"id": 75, "code": "FR"}, {"id": 9, "code": false}]),
        ),
        Reply::json(
            200,
            json!([{"id": 13, "code": "CA"}, {"id": 14, "code": "NY"}]),
        ),
    ])
    .await;
    let client = scripted_client(server.base_url.clone(), Protocol::Json2);

    let us = client.country_id("us").await.expect("countries");
    let france = client.country_id("FR").await.expect("cached");
    let unknown = client.country_id("ZZ").await.expect("cached");
    let california = client.state_id(233, "CA").await.expect("states");
    let new_york = client.state_id(233, "ny").await.expect("cached");

    assert_eq!(us, Some(233));
    assert_eq!(france, Some(75));
    assert_eq!(unknown, None);
    assert_eq!(california, Some(13));
    assert_eq!(new_york, Some(14));
    assert_eq!(client.calls(), 2);
    assert_eq!(
        server.requests()[1].body["domain"],
        json!([["country_id", "=", 233]])
    );
}

#[tokio::test]
async fn states_of_countries_one_call() {
    let server = Scripted::start(vec![Reply::json(
        200,
        json!([
            {"id": 13, "code": "CA", "country_id": [233, "United States"]},
            {"id": 14, "code": "ny", "country_id": [233, "United States"]},
            {"id": 40, "code": "75", "country_id": [75, "France"]}
        ]),
    )])
    .await;
    let client = scripted_client(server.base_url.clone(), Protocol::Json2);

    client
        .load_states(&[233, 75, 233, 9])
        .await
        .expect("states loaded");
    let new_york = client.state_id(233, "NY").await.expect("cached");
    let paris = client.state_id(75, "75").await.expect("cached");
    let without_states = client.state_id(9, "XX").await.expect("cached, no states");
    client.load_states(&[75, 9]).await.expect("all cached");

    assert_eq!(new_york, Some(14));
    assert_eq!(paris, Some(40));
    assert_eq!(without_states, None);
    assert_eq!(client.calls(), 1);
    assert_eq!(
        server.requests()[0].body["domain"],
        json!([["country_id", "in", [9, 75, 233]]])
    );
}

#[tokio::test]
async fn title_found_or_created() {
    let server = Scripted::start(vec![
        Reply::rpc_result(json!(7)),
        Reply::rpc_result(fields_get(true, true)),
        Reply::rpc_result(json!([])),
        Reply::rpc_result(json!([21])),
    ])
    .await;
    let client = scripted_client(server.base_url.clone(), Protocol::JsonRpc);

    let created = client.title_id("Dr.").await.expect("created");
    let cached = client.title_id("dr.").await.expect("cached");

    assert_eq!(created, Some(21));
    assert_eq!(cached, Some(21));
    assert_eq!(client.calls(), 4);
    let create = &server.requests()[3].body["params"]["args"];
    assert_eq!(create[3], "res.partner.title");
    assert_eq!(create[5], json!([[{"name": "Dr."}]]));
}

#[tokio::test]
async fn title_absent_on_19() {
    let server = Scripted::start(vec![Reply::json(200, fields_get(true, false))]).await;
    let client = scripted_client(server.base_url.clone(), Protocol::Json2);

    let title = client.title_id("Mr.").await.expect("no title model");

    assert_eq!(title, None);
    assert_eq!(client.calls(), 1);
}

#[tokio::test]
async fn read_with_children_one_call() {
    let server = Scripted::start(vec![
        Reply::json(200, fields_get(true, false)),
        Reply::json(
            200,
            json!([
                {"id": 11, "name": false, "type": "invoice", "parent_id": [1, "Acme"]},
                {"id": 2, "name": "Ana", "child_ids": []},
                {"id": 13, "name": false, "type": "other", "parent_id": [1, "Acme"], "active": false},
                {"id": 1, "name": "Acme", "is_company": true, "child_ids": [12, 11]},
                {"id": 12, "name": false, "type": "delivery", "parent_id": [1, "Acme"]}
            ]),
        ),
    ])
    .await;
    let client = scripted_client(server.base_url.clone(), Protocol::Json2);

    let partners = client.read_with_children(&[1, 2, 3]).await.expect("read");

    let parents: Vec<i64> = partners.iter().map(|entry| entry.partner.id).collect();
    assert_eq!(
        parents,
        [1, 2],
        "in the order asked, without the missing id 3"
    );
    let child_ids: Vec<i64> = partners[0].children.iter().map(|child| child.id).collect();
    assert_eq!(
        child_ids,
        [12, 11],
        "the active children, in child_ids order"
    );
    assert!(partners[1].children.is_empty());
    let request = &server.requests()[1].body;
    assert_eq!(request["domain"], json!([["id", "child_of", [1, 2, 3]]]));
    assert_eq!(request["context"]["active_test"], json!(false));
    assert_eq!(client.calls(), 2);
}

#[tokio::test]
async fn concurrency_stays_within_bound() {
    let replies = (0..6)
        .map(|_| Reply::json(200, json!(true)).delayed(Duration::from_millis(50)))
        .collect();
    let server = Scripted::start(replies).await;
    let mut config = ClientConfig::new(
        server.base_url.clone(),
        "demo",
        "admin",
        SecretString::from(KEY),
    );
    config.protocol = Protocol::Json2;
    config.max_concurrency = 2;
    let client = Client::new(config).expect("valid configuration");

    let archives = (1..=6).map(|id| {
        let client = client.clone();
        async move { client.archive(&[id], WriteOptions::default()).await }
    });
    let results = futures::future::join_all(archives).await;

    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(server.max_in_flight(), 2);
    assert_eq!(client.calls(), 6);
}

// ---- Against the Odoo sandbox ----

const VERSIONS: [OdooVersion; 3] = [OdooVersion::V17, OdooVersion::V18, OdooVersion::V19];

async fn sandbox(version: OdooVersion, base_vat: bool) -> (Running, Client) {
    let running = sandbox::odoo::spawn(Options {
        version,
        base_vat,
        ..Options::default()
    })
    .await
    .expect("sandbox starts");
    let client = sandbox_client(&running, &running.api_key);

    (running, client)
}

fn sandbox_client(running: &Running, api_key: &str) -> Client {
    let base_url = Url::parse(&running.base_url).expect("sandbox URL");
    let mut config = ClientConfig::new(
        base_url,
        running.database.clone(),
        running.login.clone(),
        SecretString::from(api_key.to_owned()),
    );
    config.retry = RetryPolicy::fast(4);

    Client::new(config).expect("valid configuration")
}

fn with_email(name: &str, email: &str) -> PartnerValues {
    PartnerValues {
        email: Some(Some(email.to_owned())),
        ..named(name)
    }
}

#[tokio::test]
async fn sandbox_auto_detects_protocol() {
    for version in VERSIONS {
        let (_running, client) = sandbox(version, false).await;

        let protocol = client.protocol().await.expect("detected");

        let expected = if version == OdooVersion::V19 {
            Protocol::Json2
        } else {
            Protocol::JsonRpc
        };
        assert_eq!(protocol, expected, "{version:?}");
    }
}

#[tokio::test]
async fn sandbox_email_match_exact() {
    for version in VERSIONS {
        let (_running, client) = sandbox(version, false).await;
        let created = client
            .create_many(
                vec![
                    with_email("Ana Lima", "ana.lima@example.test"),
                    with_email("John X Doe", "johnxdoe@example.test"),
                ],
                WriteOptions::default(),
            )
            .await
            .expect("created");
        let emails = vec![
            "Ana.Lima@Example.test".to_owned(),
            "john_doe@example.test".to_owned(),
        ];

        let found = client
            .find_by_emails(&emails, false)
            .await
            .expect("searched");

        let ana: Vec<i64> = found["ana.lima@example.test"]
            .iter()
            .map(|p| p.id)
            .collect();
        assert_eq!(ana, vec![created[0]], "{version:?}");
        assert!(found["john_doe@example.test"].is_empty(), "{version:?}");
    }
}

#[tokio::test]
async fn sandbox_creates_100_in_one_call() {
    for version in VERSIONS {
        let (running, client) = sandbox(version, false).await;
        let partners: Vec<PartnerValues> = (0..100)
            .map(|index| PartnerValues {
                child_ids: vec![
                    ChildCommand::Create(Box::new(PartnerValues {
                        address_type: Some(AddressType::Invoice),
                        city: Some(Some(format!("Billing {index}"))),
                        ..PartnerValues::default()
                    })),
                    ChildCommand::Create(Box::new(PartnerValues {
                        address_type: Some(AddressType::Delivery),
                        city: Some(Some(format!("Shipping {index}"))),
                        ..PartnerValues::default()
                    })),
                ],
                ..with_email(
                    &format!("Customer {index}"),
                    &format!("customer{index}@example.test"),
                )
            })
            .collect();
        client.protocol().await.expect("detected");
        running.stats.reset();

        let ids = client
            .create_many(partners, WriteOptions::default())
            .await
            .expect("created");

        let stats = running.stats.snapshot();
        assert_eq!(ids.len(), 100, "{version:?}");
        assert_eq!(
            stats.routes.get("res.partner.create"),
            Some(&1),
            "{version:?} {stats:?}"
        );
        let read = client.read_with_children(&ids[..3]).await.expect("read");
        assert_eq!(read[2].partner.name.as_deref(), Some("Customer 2"));
        let cities: Vec<Option<String>> = read[2].children.iter().map(|c| c.city.clone()).collect();
        assert_eq!(cities.len(), 2, "{version:?}");
        assert!(
            cities.contains(&Some("Billing 2".to_owned())),
            "{version:?} {cities:?}"
        );
    }
}

#[tokio::test]
async fn sandbox_wrong_key_denied() {
    for version in VERSIONS {
        let (running, _client) = sandbox(version, false).await;
        let client = sandbox_client(&running, "0000000000000000000000000000000000000000");

        let error = client
            .find_by_emails(&["ana@example.test".to_owned()], false)
            .await
            .expect_err("wrong key");

        assert!(
            matches!(error, Error::AccessDenied { .. }),
            "{version:?} {error:?}"
        );
        assert!(error.is_configuration_error());
        assert!(!error.is_retryable());
    }
}

#[tokio::test]
async fn sandbox_validation_error_message() {
    for version in VERSIONS {
        let (_running, client) = sandbox(version, false).await;
        let company = PartnerValues {
            child_ids: vec![ChildCommand::Create(Box::new(PartnerValues {
                address_type: Some(AddressType::Contact),
                ..PartnerValues::default()
            }))],
            ..named("Nameless Child Ltd")
        };

        let error = client
            .create_many(vec![company], WriteOptions::default())
            .await
            .expect_err("contact without name");

        let Error::ValidationError(fault) = &error else {
            panic!("{version:?}: expected ValidationError, got {error:?}");
        };
        assert!(
            fault.message.contains("Contacts require a name"),
            "{version:?} {}",
            fault.message
        );
    }
}

#[tokio::test]
async fn sandbox_bad_vat_skippable() {
    for version in VERSIONS {
        let (_running, client) = sandbox(version, true).await;
        let france = client
            .country_id("FR")
            .await
            .expect("countries")
            .expect("France");
        let bad_vat = PartnerValues {
            vat: Some(Some("FR12345678".to_owned())),
            country_id: Some(Some(france)),
            ..named("Bad Vat SARL")
        };

        let error = client
            .create_many(vec![bad_vat.clone()], WriteOptions::default())
            .await
            .expect_err("invalid VAT");
        let skipped = WriteOptions {
            skip_vat_validation: true,
            ..WriteOptions::default()
        };
        let created = client
            .create_many(vec![bad_vat], skipped)
            .await
            .expect("created");

        let Error::ValidationError(fault) = &error else {
            panic!("{version:?}: expected ValidationError, got {error:?}");
        };
        assert!(
            fault.message.contains("FR12345678"),
            "{version:?} {}",
            fault.message
        );
        assert_eq!(created.len(), 1);
    }
}

#[tokio::test]
async fn sandbox_retries_503_burst() {
    for version in VERSIONS {
        let (running, client) = sandbox(version, false).await;
        client.partner_fields().await.expect("warmed up");
        let faults = reqwest::Client::new()
            .put(format!(
                "{}/_sandbox/faults",
                running.base_url.trim_end_matches('/')
            ))
            .json(&json!({"next": [{"status": 503}, {"status": 503}]}))
            .send()
            .await
            .expect("faults set");
        assert!(
            faults.status().is_success(),
            "{version:?} {}",
            faults.status()
        );
        let before = client.calls();

        let ids = client
            .create_many(vec![named("After Burst")], WriteOptions::default())
            .await
            .expect("created after retries");

        assert_eq!(ids.len(), 1);
        assert_eq!(client.calls() - before, 3, "{version:?}");
        assert_eq!(running.stats.snapshot().faults_injected, 2, "{version:?}");
    }
}

#[tokio::test]
async fn sandbox_write_deleted_is_missing() {
    for version in VERSIONS {
        let (_running, client) = sandbox(version, false).await;

        let error = client
            .write(&[987_654], &named("Ghost"), WriteOptions::default())
            .await
            .expect_err("no such partner");

        assert!(
            matches!(error, Error::MissingError(_)),
            "{version:?} {error:?}"
        );
    }
}

#[tokio::test]
async fn sandbox_write_many_rows_per_partner() {
    for version in VERSIONS {
        let (_running, client) = sandbox(version, false).await;
        let delivery = |street: &str| PartnerValues {
            street: Some(Some(street.to_owned())),
            address_type: Some(AddressType::Delivery),
            ..named("Depot")
        };
        let mut first = named("Ana Lima");
        first.child_ids = vec![ChildCommand::Create(Box::new(delivery("1 Old Rd")))];
        let ids = client
            .create_many(vec![first, named("Bo Chen")], WriteOptions::default())
            .await
            .expect("created");
        let before = client.read_with_children(&ids).await.expect("read");
        let child_id = before[0].children[0].id;

        let mut ana = PartnerValues {
            phone: Some(Some("+1 555 0100".to_owned())),
            ..named("Ana Maria Lima")
        };
        ana.child_ids = vec![
            ChildCommand::Update(child_id, Box::new(delivery("2 New Rd"))),
            ChildCommand::Create(Box::new(delivery("3 Far Rd"))),
        ];
        let bo = PartnerValues {
            phone: Some(None),
            ..named("Bo Chen Jr")
        };
        let calls_before = client.calls();
        let written = client
            .write_many(&[(ids[0], ana), (ids[1], bo)], WriteOptions::default())
            .await
            .expect("written");
        let calls = client.calls() - calls_before;
        let after = client.read_with_children(&ids).await.expect("read");

        assert_eq!(written, WriteMany::Written, "{version:?}");
        assert_eq!(after[0].partner.name.as_deref(), Some("Ana Maria Lima"));
        assert_eq!(after[0].partner.phone.as_deref(), Some("+1 555 0100"));
        assert_eq!(after[1].partner.name.as_deref(), Some("Bo Chen Jr"));
        let streets: Vec<Option<&str>> = after[0]
            .children
            .iter()
            .map(|child| child.street.as_deref())
            .collect();
        assert_eq!(streets, [Some("2 New Rd"), Some("3 Far Rd")], "{version:?}");
        assert_eq!(
            calls, 3,
            "{version:?}: partners, children to update, children to create"
        );
    }
}

#[tokio::test]
async fn sandbox_write_many_rejects_bad_vat() {
    for version in VERSIONS {
        let (_running, client) = sandbox(version, true).await;
        let ids = client
            .create_many(
                vec![named("Good SARL"), named("Bad SARL")],
                WriteOptions::default(),
            )
            .await
            .expect("created");
        let france = client
            .country_id("FR")
            .await
            .expect("countries")
            .expect("France");
        let with_vat = |name: &str, vat: Option<&str>| PartnerValues {
            vat: Some(vat.map(str::to_owned)),
            country_id: Some(Some(france)),
            ..named(name)
        };

        let written = client
            .write_many(
                &[
                    (ids[0], with_vat("Good SARL v2", None)),
                    (ids[1], with_vat("Bad SARL v2", Some("FR12345678"))),
                ],
                WriteOptions::default(),
            )
            .await
            .expect("answered");
        let after = client.read_with_children(&ids).await.expect("read");

        let WriteMany::Rejected(reason) = written else {
            panic!("{version:?}: expected a rejection, got {written:?}");
        };
        assert!(reason.starts_with("row 1: "), "{version:?}: {reason}");
        assert!(reason.contains("FR12345678"), "{version:?}: {reason}");
        assert_eq!(
            after[0].partner.name.as_deref(),
            Some("Good SARL"),
            "{version:?}: a rejected load changes nothing"
        );
    }
}
