//! Behaviour of the Odoo sandbox over HTTP, one test per emulated rule.
//! Every test starts its own in-process server on 127.0.0.1.

use reqwest::StatusCode;
use sandbox::odoo::{self, OdooVersion, Options, Running};
use serde_json::{Value, json};

async fn start(version: OdooVersion) -> Running {
    start_with(Options {
        version,
        ..Options::default()
    })
    .await
}

async fn start_with(options: Options) -> Running {
    odoo::spawn(options).await.expect("sandbox starts")
}

async fn post_rpc(sandbox: &Running, body: Value) -> Value {
    let response = reqwest::Client::new()
        .post(format!("{}/jsonrpc", sandbox.base_url))
        .json(&body)
        .send()
        .await
        .expect("request sent");
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.expect("JSON body")
}

async fn rpc(sandbox: &Running, service: &str, method: &str, args: Value) -> Value {
    post_rpc(sandbox, json!({"jsonrpc": "2.0", "method": "call", "id": 1, "params": {"service": service, "method": method, "args": args}})).await
}

/// `execute_kw` as the admin; Ok(result) or Err(error.data).
async fn call(
    sandbox: &Running,
    model: &str,
    method: &str,
    args: Value,
    kwargs: Value,
) -> Result<Value, Value> {
    let params = json!([
        sandbox.database,
        sandbox.uid,
        sandbox.api_key,
        model,
        method,
        args,
        kwargs
    ]);
    let envelope = rpc(sandbox, "object", "execute_kw", params).await;
    match envelope.get("error") {
        Some(error) => Err(error["data"].clone()),
        None => Ok(envelope.get("result").cloned().unwrap_or(Value::Null)),
    }
}

async fn ok(sandbox: &Running, model: &str, method: &str, args: Value, kwargs: Value) -> Value {
    match call(sandbox, model, method, args, kwargs).await {
        Ok(value) => value,
        Err(error) => panic!("{model}.{method} failed: {error}"),
    }
}

async fn fails(sandbox: &Running, model: &str, method: &str, args: Value, kwargs: Value) -> Value {
    match call(sandbox, model, method, args, kwargs).await {
        Ok(value) => panic!("{model}.{method} succeeded with {value}"),
        Err(error) => error,
    }
}

async fn json2(sandbox: &Running, model: &str, method: &str, body: Value) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .post(format!("{}/json/2/{model}/{method}", sandbox.base_url))
        .header("Authorization", format!("bearer {}", sandbox.api_key))
        .json(&body)
        .send()
        .await
        .expect("request sent");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn create_partner(sandbox: &Running, vals: Value) -> i64 {
    ok(sandbox, "res.partner", "create", json!([vals]), json!({}))
        .await
        .as_i64()
        .expect("create returns an id")
}

async fn read_one(sandbox: &Running, id: i64, fields: Value) -> Value {
    let rows = ok(
        sandbox,
        "res.partner",
        "read",
        json!([[id]]),
        json!({"fields": fields}),
    )
    .await;
    rows[0].clone()
}

async fn country(sandbox: &Running, code: &str) -> i64 {
    let ids = ok(
        sandbox,
        "res.country",
        "search",
        json!([[["code", "=", code]]]),
        json!({}),
    )
    .await;
    ids[0].as_i64().expect("country exists")
}

#[tokio::test]
async fn rpc_envelope_echoes_id() {
    let sandbox = start(OdooVersion::V18).await;

    let body = json!({"jsonrpc": "2.0", "id": "abc-7", "params": {"service": "common", "method": "version", "args": []}});
    let envelope = post_rpc(&sandbox, body).await;

    assert_eq!(envelope["id"], "abc-7");
    assert_eq!(envelope["result"]["server_serie"], "18.0");
    assert_eq!(envelope["result"]["protocol_version"], 1);
}

#[tokio::test]
async fn rpc_error_code_per_version() {
    for (version, code) in [
        (OdooVersion::V17, 200),
        (OdooVersion::V18, 200),
        (OdooVersion::V19, 0),
    ] {
        let sandbox = start(version).await;
        let params = json!([
            sandbox.database,
            sandbox.uid,
            "wrong",
            "res.partner",
            "search",
            [[]]
        ]);

        let envelope = rpc(&sandbox, "object", "execute_kw", params).await;

        assert_eq!(envelope["error"]["code"], code, "version {version:?}");
        assert_eq!(envelope["error"]["message"], "Odoo Server Error");
        assert_eq!(
            envelope["error"]["data"]["name"],
            "odoo.exceptions.AccessDenied"
        );
        assert_eq!(envelope["error"]["data"]["message"], "Access Denied");
        assert_eq!(
            envelope["error"]["data"]["arguments"],
            json!(["Access Denied"])
        );
    }
}

#[tokio::test]
async fn rpc_bad_bodies_get_400_text() {
    let sandbox = start(OdooVersion::V17).await;
    let client = reqwest::Client::new();
    let url = format!("{}/jsonrpc", sandbox.base_url);

    let not_json = client.post(&url).body("{nope").send().await.expect("sent");
    assert_eq!(not_json.status(), StatusCode::BAD_REQUEST);
    assert_eq!(not_json.text().await.expect("text"), "Invalid JSON data");

    let bad_params = client
        .post(&url)
        .json(&json!({"params": [1]}))
        .send()
        .await
        .expect("sent");
    assert_eq!(bad_params.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        bad_params.text().await.expect("text"),
        "Invalid JSON-RPC data"
    );
}

#[tokio::test]
async fn login_returns_uid_or_false() {
    let sandbox = start(OdooVersion::V17).await;

    let good = rpc(
        &sandbox,
        "common",
        "login",
        json!([sandbox.database, sandbox.login, sandbox.api_key]),
    )
    .await;
    let authenticated = rpc(
        &sandbox,
        "common",
        "authenticate",
        json!([sandbox.database, sandbox.login, sandbox.api_key, {}]),
    )
    .await;
    let wrong = rpc(
        &sandbox,
        "common",
        "authenticate",
        json!([sandbox.database, sandbox.login, "0".repeat(40), {}]),
    )
    .await;
    let empty = rpc(
        &sandbox,
        "common",
        "login",
        json!([sandbox.database, sandbox.login, ""]),
    )
    .await;

    assert_eq!(good["result"], 2);
    assert_eq!(authenticated["result"], 2);
    assert_eq!(wrong["result"], false);
    assert_eq!(empty["result"], false);
    assert_eq!(sandbox.api_key.len(), 40);
    assert!(sandbox.api_key.chars().all(|c| c.is_ascii_hexdigit()));
}

#[tokio::test]
async fn execute_kw_checks_key_every_call() {
    let sandbox = start(OdooVersion::V18).await;

    let other_users_key = json!([
        sandbox.database,
        sandbox.uid,
        sandbox.demo_api_key,
        "res.partner",
        "search",
        [[]]
    ]);
    let empty_key = json!([
        sandbox.database,
        sandbox.uid,
        "",
        "res.partner",
        "search",
        [[]]
    ]);
    let own_key = json!([
        sandbox.database,
        sandbox.demo_uid,
        sandbox.demo_api_key,
        "res.partner",
        "search",
        [[]]
    ]);

    let other = rpc(&sandbox, "object", "execute_kw", other_users_key).await;
    let empty = rpc(&sandbox, "object", "execute_kw", empty_key).await;
    let own = rpc(&sandbox, "object", "execute_kw", own_key).await;

    assert_eq!(
        other["error"]["data"]["name"],
        "odoo.exceptions.AccessDenied"
    );
    assert_eq!(
        empty["error"]["data"]["name"],
        "odoo.exceptions.AccessDenied"
    );
    assert!(own["result"].is_array());
}

#[tokio::test]
async fn execute_without_kw() {
    let sandbox = start(OdooVersion::V17).await;
    let params = json!([
        sandbox.database,
        sandbox.uid,
        sandbox.api_key,
        "res.country",
        "search_count",
        [["code", "=", "BE"]]
    ]);

    let envelope = rpc(&sandbox, "object", "execute", params).await;

    assert_eq!(envelope["result"], 1);
}

#[tokio::test]
async fn rpc_unknown_model_and_methods() {
    let sandbox = start(OdooVersion::V18).await;

    let model = fails(&sandbox, "res.nope", "search", json!([[]]), json!({})).await;
    let private = fails(
        &sandbox,
        "res.partner",
        "_compute_x",
        json!([[]]),
        json!({}),
    )
    .await;
    let unknown = fails(&sandbox, "res.partner", "explode", json!([[]]), json!({})).await;
    let keyword = fails(
        &sandbox,
        "res.partner",
        "search",
        json!([[]]),
        json!({"bogus": 1}),
    )
    .await;

    assert_eq!(model["name"], "odoo.exceptions.UserError");
    assert_eq!(model["message"], "Object res.nope doesn't exist");
    assert_eq!(private["name"], "odoo.exceptions.AccessError");
    assert_eq!(
        private["message"],
        "Private methods (such as 'res.partner._compute_x') cannot be called remotely."
    );
    assert_eq!(unknown["name"], "builtins.AttributeError");
    assert_eq!(keyword["name"], "builtins.TypeError");
    assert_eq!(
        keyword["message"],
        "res.partner.search() got an unexpected keyword argument 'bogus'"
    );
}

#[tokio::test]
async fn web_version_reports_serie() {
    let sandbox = start(OdooVersion::V19).await;

    let body: Value = reqwest::get(format!("{}/web/version", sandbox.base_url))
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");

    assert_eq!(
        body,
        json!({"version_info": [19, 0, 0, "final", 0, ""], "version": "19.0"})
    );
}

#[tokio::test]
async fn json2_auth_statuses() {
    let sandbox = start(OdooVersion::V19).await;
    let client = reqwest::Client::new();
    let url = format!("{}/json/2/res.partner/search", sandbox.base_url);

    let missing = client
        .post(&url)
        .json(&json!({"domain": []}))
        .send()
        .await
        .expect("sent");
    assert_eq!(missing.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(missing.headers()["www-authenticate"], "bearer");
    let body: Value = missing.json().await.expect("json");
    assert_eq!(
        body["message"],
        "User not authenticated, use an API Key with a Bearer Authorization header."
    );

    let wrong = client
        .post(&url)
        .header("Authorization", "Bearer nope")
        .json(&json!({"domain": []}))
        .send()
        .await
        .expect("sent");
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let body: Value = wrong.json().await.expect("json");
    assert_eq!(body["message"], "Invalid apikey");
    assert_eq!(body["name"], "werkzeug.exceptions.Unauthorized");

    let upper = client
        .post(&url)
        .header("Authorization", format!("BEARER {}", sandbox.api_key))
        .header("X-Odoo-Database", &sandbox.database)
        .json(&json!({"domain": []}))
        .send()
        .await
        .expect("sent");
    assert_eq!(upper.status(), StatusCode::OK);
}

#[tokio::test]
async fn json2_request_checks() {
    let sandbox = start(OdooVersion::V19).await;
    let client = reqwest::Client::new();
    let url = format!("{}/json/2/res.partner/search", sandbox.base_url);
    let auth = format!("bearer {}", sandbox.api_key);

    let text = client
        .post(&url)
        .header("Authorization", &auth)
        .header("Content-Type", "text/plain")
        .body("{}")
        .send()
        .await
        .expect("sent");
    assert_eq!(text.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);

    let broken = client
        .post(&url)
        .header("Authorization", &auth)
        .header("Content-Type", "application/json")
        .body("{")
        .send()
        .await
        .expect("sent");
    assert_eq!(broken.status(), StatusCode::BAD_REQUEST);
    let body: Value = broken.json().await.expect("json");
    assert!(
        body["message"]
            .as_str()
            .expect("message")
            .starts_with("could not parse the body as json")
    );

    let get = client
        .get(&url)
        .header("Authorization", &auth)
        .send()
        .await
        .expect("sent");
    assert_eq!(get.status(), StatusCode::METHOD_NOT_ALLOWED);

    let wrong_db = client
        .post(&url)
        .header("Authorization", &auth)
        .header("X-Odoo-Database", "other")
        .json(&json!({}))
        .send()
        .await
        .expect("sent");
    assert_eq!(wrong_db.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn json2_error_statuses() {
    let sandbox = start(OdooVersion::V19).await;

    let (model_status, model) = json2(&sandbox, "res.nope", "search", json!({"domain": []})).await;
    let (method_status, method) = json2(&sandbox, "res.partner", "explode", json!({})).await;
    let (private_status, _) = json2(&sandbox, "res.partner", "_secret", json!({})).await;
    let (ids_status, ids) = json2(
        &sandbox,
        "res.partner",
        "create",
        json!({"ids": [1], "vals_list": [{"name": "A"}]}),
    )
    .await;
    let (kwarg_status, _) = json2(
        &sandbox,
        "res.partner",
        "search",
        json!({"domain": [], "bogus": 1}),
    )
    .await;
    let (missing_arg_status, missing_arg) =
        json2(&sandbox, "res.partner", "search", json!({})).await;
    let (selection_status, selection) = json2(
        &sandbox,
        "res.partner",
        "create",
        json!({"vals_list": [{"name": "A", "type": "private"}]}),
    )
    .await;
    let (missing_status, missing) = json2(
        &sandbox,
        "res.partner",
        "write",
        json!({"ids": [999999], "vals": {"name": "B"}}),
    )
    .await;
    let (rule_status, rule) = json2(
        &sandbox,
        "res.partner",
        "create",
        json!({"vals_list": [{"email": "x@y.z"}]}),
    )
    .await;

    assert_eq!(model_status, StatusCode::NOT_FOUND);
    assert_eq!(model["message"], "the model 'res.nope' does not exist");
    assert_eq!(method_status, StatusCode::NOT_FOUND);
    assert_eq!(
        method["message"],
        "The method 'res.partner.explode' does not exist"
    );
    assert_eq!(private_status, StatusCode::FORBIDDEN);
    assert_eq!(ids_status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(ids["message"], "cannot call res.partner.create with ids");
    assert_eq!(kwarg_status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(missing_arg_status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        missing_arg["message"],
        "missing a required argument: 'domain'"
    );
    assert_eq!(selection_status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(selection["name"], "builtins.ValueError");
    assert_eq!(
        selection["message"],
        "Wrong value for res.partner.type: 'private'"
    );
    assert_eq!(missing_status, StatusCode::NOT_FOUND);
    assert_eq!(missing["name"], "odoo.exceptions.MissingError");
    assert_eq!(rule_status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(rule["name"], "odoo.exceptions.ValidationError");
}

#[tokio::test]
async fn json2_absent_before_19() {
    let sandbox = start(OdooVersion::V18).await;

    let (status, _) = json2(&sandbox, "res.partner", "search", json!({"domain": []})).await;

    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn json2_create_write_read() {
    let sandbox = start(OdooVersion::V19).await;

    let (created_status, created) = json2(
        &sandbox,
        "res.partner",
        "create",
        json!({"vals_list": {"name": "Ann", "email": "Ann@X.com"}}),
    )
    .await;
    let id = created[0].as_i64().expect("id list");
    let (write_status, written) = json2(
        &sandbox,
        "res.partner",
        "write",
        json!({"ids": [id], "vals": {"phone": "+1 555"}}),
    )
    .await;
    let (_, rows) = json2(
        &sandbox,
        "res.partner",
        "read",
        json!({"ids": [id], "fields": ["phone", "email_normalized"]}),
    )
    .await;
    let (_, context) = json2(&sandbox, "res.users", "context_get", json!({})).await;

    assert_eq!(created_status, StatusCode::OK);
    assert_eq!(created.as_array().map(Vec::len), Some(1));
    assert_eq!(write_status, StatusCode::OK);
    assert_eq!(written, true);
    assert_eq!(
        rows,
        json!([{"id": id, "phone": "+1 555", "email_normalized": "ann@x.com"}])
    );
    assert_eq!(context["uid"], 2);
    assert_eq!(context["lang"], "en_US");
    assert!(context["tz"].is_string());
}

#[tokio::test]
async fn rpc_create_int_or_list() {
    let sandbox = start(OdooVersion::V18).await;

    let single = ok(
        &sandbox,
        "res.partner",
        "create",
        json!([{"name": "One"}]),
        json!({}),
    )
    .await;
    let many = ok(
        &sandbox,
        "res.partner",
        "create",
        json!([[{"name": "Two"}, {"name": "Three"}]]),
        json!({}),
    )
    .await;

    assert!(single.is_i64());
    assert_eq!(many.as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn read_format_values() {
    let sandbox = start(OdooVersion::V17).await;
    let belgium = country(&sandbox, "BE").await;
    let id = create_partner(
        &sandbox,
        json!({"name": "Format", "country_id": belgium, "street": ""}),
    )
    .await;

    let row = read_one(
        &sandbox,
        id,
        json!([
            "country_id",
            "state_id",
            "street",
            "phone",
            "create_date",
            "child_ids",
            "active"
        ]),
    )
    .await;

    assert_eq!(row["id"], id);
    assert_eq!(row["country_id"], json!([belgium, "Belgium"]));
    assert_eq!(row["state_id"], false);
    assert_eq!(row["street"], false);
    assert_eq!(row["phone"], false);
    assert_eq!(row["child_ids"], json!([]));
    assert_eq!(row["active"], true);
    let created = row["create_date"].as_str().expect("datetime string");
    assert!(
        chrono::NaiveDateTime::parse_from_str(created, "%Y-%m-%d %H:%M:%S").is_ok(),
        "{created}"
    );
}

#[tokio::test]
async fn mobile_and_title_per_version() {
    let old = start(OdooVersion::V18).await;
    let new = start(OdooVersion::V19).await;

    let old_fields = ok(
        &old,
        "res.partner",
        "fields_get",
        json!([]),
        json!({"attributes": ["type"]}),
    )
    .await;
    let new_fields = ok(
        &new,
        "res.partner",
        "fields_get",
        json!([]),
        json!({"attributes": ["type"]}),
    )
    .await;
    let titles = ok(
        &old,
        "res.partner.title",
        "search_count",
        json!([[]]),
        json!({}),
    )
    .await;
    let no_titles = fails(
        &new,
        "res.partner.title",
        "search_count",
        json!([[]]),
        json!({}),
    )
    .await;
    let mobile_write = fails(
        &new,
        "res.partner",
        "create",
        json!([{"name": "M", "mobile": "1"}]),
        json!({}),
    )
    .await;

    assert!(old_fields.get("mobile").is_some());
    assert!(old_fields.get("title").is_some());
    assert!(new_fields.get("mobile").is_none());
    assert!(new_fields.get("title").is_none());
    assert!(titles.as_i64().expect("count") > 0);
    assert_eq!(
        no_titles["message"],
        "Object res.partner.title doesn't exist"
    );
    assert_eq!(mobile_write["name"], "builtins.ValueError");
    assert_eq!(
        mobile_write["message"],
        "Invalid field 'mobile' in 'res.partner'"
    );
}

#[tokio::test]
async fn name_search_parameter_per_version() {
    let v17 = start(OdooVersion::V17).await;
    let v18 = start(OdooVersion::V18).await;
    let us17 = country(&v17, "US").await;
    let us18 = country(&v18, "US").await;

    let with_args = ok(
        &v17,
        "res.country.state",
        "name_search",
        json!(["CA"]),
        json!({"args": [["country_id", "=", us17]]}),
    )
    .await;
    let with_domain = ok(
        &v18,
        "res.country.state",
        "name_search",
        json!(["CA"]),
        json!({"domain": [["country_id", "=", us18]], "limit": 1}),
    )
    .await;
    let rejected = fails(
        &v17,
        "res.country.state",
        "name_search",
        json!(["CA"]),
        json!({"domain": []}),
    )
    .await;

    assert_eq!(with_args[0][1], "California (US)");
    assert_eq!(with_domain, json!([[with_domain[0][0], "California (US)"]]));
    assert_eq!(rejected["name"], "builtins.TypeError");
}

#[tokio::test]
async fn countries_and_states_loaded() {
    let sandbox = start(OdooVersion::V18).await;
    let us = country(&sandbox, "US").await;
    let canada = country(&sandbox, "CA").await;
    let india = country(&sandbox, "IN").await;

    let countries = ok(
        &sandbox,
        "res.country",
        "search_count",
        json!([[]]),
        json!({}),
    )
    .await;
    let us_states = ok(
        &sandbox,
        "res.country.state",
        "search_read",
        json!([[["country_id", "=", us]]]),
        json!({"fields": ["code"]}),
    )
    .await;
    let ca_states = ok(
        &sandbox,
        "res.country.state",
        "search_count",
        json!([[["country_id", "=", canada]]]),
        json!({}),
    )
    .await;
    let in_states = ok(
        &sandbox,
        "res.country.state",
        "search_count",
        json!([[["country_id", "=", india]]]),
        json!({}),
    )
    .await;
    let by_code = ok(
        &sandbox,
        "res.country.state",
        "search_read",
        json!([[["country_id.code", "=", "US"], ["code", "=", "DC"]]]),
        json!({"fields": ["display_name"]}),
    )
    .await;

    assert_eq!(countries, 249);
    let codes: Vec<&str> = us_states
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|row| row["code"].as_str())
        .collect();
    for code in ["CA", "DC", "PR", "GU", "VI", "AE", "AA", "AP"] {
        assert!(codes.contains(&code), "missing US state {code}");
    }
    assert_eq!(ca_states, 13);
    assert_eq!(in_states, 36);
    assert_eq!(by_code[0]["display_name"], "District of Columbia (US)");
}

#[tokio::test]
async fn domain_logic_operators() {
    let sandbox = start(OdooVersion::V18).await;
    let a = create_partner(
        &sandbox,
        json!({"name": "Dom Alpha", "ref": "A", "phone": "1"}),
    )
    .await;
    let b = create_partner(&sandbox, json!({"name": "Dom Beta", "ref": "B"})).await;
    let c = create_partner(
        &sandbox,
        json!({"name": "Dom Gamma", "ref": "C", "phone": "3"}),
    )
    .await;

    let search = |domain: Value| {
        let sandbox = &sandbox;
        async move {
            ok(
                sandbox,
                "res.partner",
                "search",
                json!([domain]),
                json!({"order": "id asc"}),
            )
            .await
        }
    };

    assert_eq!(
        search(json!(["|", ["ref", "=", "A"], ["ref", "=", "C"]])).await,
        json!([a, c])
    );
    assert_eq!(
        search(json!([["name", "=like", "Dom%"], "!", ["ref", "=", "B"]])).await,
        json!([a, c])
    );
    assert_eq!(
        search(json!([
            "&",
            ["name", "ilike", "dom"],
            ["phone", "=", false]
        ]))
        .await,
        json!([b])
    );
    assert_eq!(
        search(json!([["ref", "in", ["A", "B"]]])).await,
        json!([a, b])
    );
    assert_eq!(
        search(json!([
            ["name", "ilike", "dom"],
            ["ref", "not in", ["A", "B"]]
        ]))
        .await,
        json!([c])
    );
    assert_eq!(
        search(json!([["name", "ilike", "dom"], ["phone", "!=", "1"]])).await,
        json!([b, c])
    );
    assert_eq!(
        search(json!([["name", "ilike", "dom"], ["phone", "=?", false]])).await,
        json!([a, b, c])
    );
    assert_eq!(
        search(json!([
            ["name", "ilike", "dom"],
            ["id", ">", a],
            ["id", "<=", c]
        ]))
        .await,
        json!([b, c])
    );
    assert_eq!(search(json!([["ref", "in", []]])).await, json!([]));
    assert_eq!(
        search(json!([["name", "not ilike", "dom"], ["id", "in", [a, b]]])).await,
        json!([])
    );
}

#[tokio::test]
async fn domain_like_wildcards() {
    let sandbox = start(OdooVersion::V18).await;
    let plain = create_partner(&sandbox, json!({"name": "W1", "email": "john_doe@x.com"})).await;
    let other = create_partner(&sandbox, json!({"name": "W2", "email": "johnXdoe@x.com"})).await;

    let wildcard = ok(
        &sandbox,
        "res.partner",
        "search",
        json!([[["email", "=ilike", "JOHN_DOE@x.com"]]]),
        json!({"order": "id"}),
    )
    .await;
    let escaped = ok(
        &sandbox,
        "res.partner",
        "search",
        json!([[["email", "=ilike", "john\\_doe@x.com"]]]),
        json!({}),
    )
    .await;
    let wrapped = ok(
        &sandbox,
        "res.partner",
        "search",
        json!([[["email", "ilike", "DOE@"]]]),
        json!({"order": "id"}),
    )
    .await;
    let exact_like = ok(
        &sandbox,
        "res.partner",
        "search",
        json!([[["email", "=like", "doe@x.com"]]]),
        json!({}),
    )
    .await;

    assert_eq!(wildcard, json!([plain, other]));
    assert_eq!(escaped, json!([plain]));
    assert_eq!(wrapped, json!([plain, other]));
    assert_eq!(exact_like, json!([]));
}

#[tokio::test]
async fn domain_hierarchy_and_paths() {
    let sandbox = start(OdooVersion::V18).await;
    let france = country(&sandbox, "FR").await;
    let company = create_partner(
        &sandbox,
        json!({"name": "Tree Co", "is_company": true, "country_id": france, "city": "Lyon"}),
    )
    .await;
    let child = create_partner(
        &sandbox,
        json!({"name": "Tree Child", "parent_id": company}),
    )
    .await;
    let grandchild =
        create_partner(&sandbox, json!({"name": "Tree Leaf", "parent_id": child})).await;

    let descendants = ok(
        &sandbox,
        "res.partner",
        "search",
        json!([[["id", "child_of", company]]]),
        json!({"order": "id"}),
    )
    .await;
    let ancestors = ok(
        &sandbox,
        "res.partner",
        "search",
        json!([[["id", "parent_of", grandchild]]]),
        json!({"order": "id"}),
    )
    .await;
    let in_france = ok(
        &sandbox,
        "res.partner",
        "search",
        json!([[["country_id.code", "=", "FR"]]]),
        json!({"order": "id"}),
    )
    .await;
    let by_parent_name = ok(
        &sandbox,
        "res.partner",
        "search",
        json!([[["parent_id.name", "=", "Tree Co"]]]),
        json!({}),
    )
    .await;

    assert_eq!(descendants, json!([company, child, grandchild]));
    assert_eq!(ancestors, json!([company, child, grandchild]));
    assert_eq!(in_france, json!([company, child, grandchild]));
    assert_eq!(by_parent_name, json!([child]));
}

#[tokio::test]
async fn active_test_hides_archived() {
    let sandbox = start(OdooVersion::V17).await;
    let id = create_partner(
        &sandbox,
        json!({"name": "Archived One", "active": false, "ref": "ARCH"}),
    )
    .await;

    let hidden = ok(
        &sandbox,
        "res.partner",
        "search",
        json!([[["ref", "=", "ARCH"]]]),
        json!({}),
    )
    .await;
    let shown = ok(
        &sandbox,
        "res.partner",
        "search",
        json!([[["ref", "=", "ARCH"]]]),
        json!({"context": {"active_test": false}}),
    )
    .await;
    let explicit = ok(
        &sandbox,
        "res.partner",
        "search",
        json!([[["ref", "=", "ARCH"], ["active", "=", false]]]),
        json!({}),
    )
    .await;
    let read = read_one(&sandbox, id, json!(["name"])).await;

    assert_eq!(hidden, json!([]));
    assert_eq!(shown, json!([id]));
    assert_eq!(explicit, json!([id]));
    assert_eq!(read["name"], "Archived One");
}

#[tokio::test]
async fn default_order_and_paging() {
    let sandbox = start(OdooVersion::V18).await;
    let first = create_partner(&sandbox, json!({"name": "Order Same", "ref": "ORD"})).await;
    let second = create_partner(&sandbox, json!({"name": "Order Same", "ref": "ORD"})).await;
    let early = create_partner(&sandbox, json!({"name": "Order Aaa", "ref": "ORD"})).await;

    let default = ok(
        &sandbox,
        "res.partner",
        "search",
        json!([[["ref", "=", "ORD"]]]),
        json!({}),
    )
    .await;
    let explicit = ok(
        &sandbox,
        "res.partner",
        "search",
        json!([[["ref", "=", "ORD"]]]),
        json!({"order": "write_date asc, id asc"}),
    )
    .await;
    let paged = ok(
        &sandbox,
        "res.partner",
        "search",
        json!([[["ref", "=", "ORD"]], 1, 1]),
        json!({}),
    )
    .await;
    let bad = fails(
        &sandbox,
        "res.partner",
        "search",
        json!([[]]),
        json!({"order": "nope desc"}),
    )
    .await;

    assert_eq!(default, json!([early, second, first]));
    assert_eq!(explicit, json!([first, second, early]));
    assert_eq!(paged, json!([second]));
    assert_eq!(bad["name"], "builtins.ValueError");
}

#[tokio::test]
async fn email_normalized_recomputed() {
    let sandbox = start(OdooVersion::V18).await;
    let id = create_partner(
        &sandbox,
        json!({"name": "Mail", "email": "\"Ana\" <Ana.Lima@Example.TEST>"}),
    )
    .await;

    let created = read_one(&sandbox, id, json!(["email_normalized"])).await;
    ok(
        &sandbox,
        "res.partner",
        "write",
        json!([[id], {"email": "Other@Mail.COM"}]),
        json!({}),
    )
    .await;
    let changed = read_one(&sandbox, id, json!(["email_normalized"])).await;
    ok(
        &sandbox,
        "res.partner",
        "write",
        json!([[id], {"email": "not an address"}]),
        json!({}),
    )
    .await;
    let none = read_one(&sandbox, id, json!(["email_normalized"])).await;

    assert_eq!(created["email_normalized"], "ana.lima@example.test");
    assert_eq!(changed["email_normalized"], "other@mail.com");
    assert_eq!(none["email_normalized"], false);
}

#[tokio::test]
async fn write_date_bumped() {
    let sandbox = start_with(Options {
        version: OdooVersion::V18,
        partners: 3,
        ..Options::default()
    })
    .await;
    let ids = ok(
        &sandbox,
        "res.partner",
        "search",
        json!([[["ref", "=", "MAGENTO-1"]]]),
        json!({}),
    )
    .await;
    let id = ids[0].as_i64().expect("seeded partner");
    let before = read_one(&sandbox, id, json!(["write_date"])).await;

    ok(
        &sandbox,
        "res.partner",
        "write",
        json!([[id], {"phone": "+32 2 000"}]),
        json!({}),
    )
    .await;
    let after = read_one(&sandbox, id, json!(["write_date"])).await;

    assert_eq!(before["write_date"], "2024-01-01 00:01:00");
    assert!(after["write_date"].as_str() > before["write_date"].as_str());
}

#[tokio::test]
async fn contact_requires_name() {
    let sandbox = start(OdooVersion::V18).await;
    let company =
        create_partner(&sandbox, json!({"name": "Needs Names", "is_company": true})).await;

    let error = fails(
        &sandbox,
        "res.partner",
        "create",
        json!([{"parent_id": company, "email": "x@y.z"}]),
        json!({}),
    )
    .await;
    let invoice = ok(
        &sandbox,
        "res.partner",
        "create",
        json!([{"parent_id": company, "type": "invoice"}]),
        json!({}),
    )
    .await;
    let row = read_one(
        &sandbox,
        invoice.as_i64().expect("id"),
        json!(["display_name"]),
    )
    .await;

    assert_eq!(error["name"], "odoo.exceptions.ValidationError");
    assert_eq!(
        error["message"],
        "The operation cannot be completed: Contacts require a name"
    );
    assert_eq!(row["display_name"], "Needs Names, Invoice Address");
}

#[tokio::test]
async fn company_name_cleared_with_parent() {
    let sandbox = start(OdooVersion::V18).await;
    let company = create_partner(&sandbox, json!({"name": "Parent Co", "is_company": true})).await;
    let person = create_partner(
        &sandbox,
        json!({"name": "Loose", "company_name": "Typed Co"}),
    )
    .await;
    let before = read_one(&sandbox, person, json!(["company_name", "display_name"])).await;

    ok(
        &sandbox,
        "res.partner",
        "write",
        json!([[person], {"parent_id": company}]),
        json!({}),
    )
    .await;
    let after = read_one(&sandbox, person, json!(["company_name", "display_name"])).await;

    assert_eq!(before["company_name"], "Typed Co");
    assert_eq!(before["display_name"], "Typed Co, Loose");
    assert_eq!(after["company_name"], false);
    assert_eq!(after["display_name"], "Parent Co, Loose");
}

#[tokio::test]
async fn contact_child_follows_parent_address() {
    let sandbox = start(OdooVersion::V18).await;
    let germany = country(&sandbox, "DE").await;
    let company = create_partner(&sandbox, json!({"name": "Addr Co", "is_company": true, "street": "Hauptstr. 1", "city": "Berlin", "country_id": germany})).await;
    let contact = create_partner(
        &sandbox,
        json!({"name": "Contact", "parent_id": company, "street": "Elsewhere 9", "city": "Bonn"}),
    )
    .await;
    let delivery = create_partner(&sandbox, json!({"name": "Dock", "type": "delivery", "parent_id": company, "street": "Dock 2", "city": "Hamburg"})).await;

    let contact_row = read_one(&sandbox, contact, json!(["street", "city", "country_id"])).await;
    ok(
        &sandbox,
        "res.partner",
        "write",
        json!([[company], {"city": "Munich"}]),
        json!({}),
    )
    .await;
    let moved = read_one(&sandbox, contact, json!(["city"])).await;
    let delivery_row = read_one(&sandbox, delivery, json!(["city"])).await;

    assert_eq!(contact_row["street"], "Hauptstr. 1");
    assert_eq!(contact_row["city"], "Berlin");
    assert_eq!(contact_row["country_id"][1], "Germany");
    assert_eq!(moved["city"], "Munich");
    assert_eq!(delivery_row["city"], "Hamburg");
}

#[tokio::test]
async fn first_contact_pushes_address_up() {
    let sandbox = start(OdooVersion::V18).await;
    let company = create_partner(&sandbox, json!({"name": "Empty Co", "is_company": true})).await;

    create_partner(
        &sandbox,
        json!({"name": "First", "parent_id": company, "city": "Ghent"}),
    )
    .await;
    let row = read_one(&sandbox, company, json!(["city"])).await;

    assert_eq!(row["city"], "Ghent");
}

#[tokio::test]
async fn vat_checked_with_base_vat() {
    let sandbox = start_with(Options {
        version: OdooVersion::V18,
        base_vat: true,
        ..Options::default()
    })
    .await;
    let france = country(&sandbox, "FR").await;

    let invalid = fails(
        &sandbox,
        "res.partner",
        "create",
        json!([{"name": "Bad Vat", "vat": "FR12345678901", "country_id": france}]),
        json!({}),
    )
    .await;
    let bypassed = call(
        &sandbox,
        "res.partner",
        "create",
        json!([{"name": "Skip", "vat": "12345678", "country_id": france}]),
        json!({"context": {"no_vat_validation": true}}),
    )
    .await;
    let valid = call(
        &sandbox,
        "res.partner",
        "create",
        json!([{"name": "Good", "vat": "FR23334175221"}]),
        json!({}),
    )
    .await;
    let by_country = call(
        &sandbox,
        "res.partner",
        "create",
        json!([{"name": "Be", "vat": "0477472701", "country_id": country(&sandbox, "BE").await}]),
        json!({}),
    )
    .await;
    let slash = call(
        &sandbox,
        "res.partner",
        "create",
        json!([{"name": "Slash", "vat": "/", "country_id": france}]),
        json!({}),
    )
    .await;
    let no_country = call(
        &sandbox,
        "res.partner",
        "create",
        json!([{"name": "Free", "vat": "12345"}]),
        json!({}),
    )
    .await;
    let wrong_de = fails(
        &sandbox,
        "res.partner",
        "create",
        json!([{"name": "De", "vat": "DE123456789"}]),
        json!({}),
    )
    .await;

    assert_eq!(invalid["name"], "odoo.exceptions.ValidationError");
    assert_eq!(
        invalid["message"],
        "The VAT number [FR12345678901] for partner [Bad Vat] does not seem to be valid. \nNote: the expected format is FR23334175221"
    );
    assert!(bypassed.is_ok());
    assert!(valid.is_ok());
    assert!(by_country.is_ok());
    assert!(slash.is_ok());
    assert!(no_country.is_ok());
    assert_eq!(wrong_de["name"], "odoo.exceptions.ValidationError");
}

#[tokio::test]
async fn vat_unchecked_without_base_vat() {
    let sandbox = start(OdooVersion::V18).await;
    let france = country(&sandbox, "FR").await;

    let created = call(
        &sandbox,
        "res.partner",
        "create",
        json!([{"name": "Any Vat", "vat": "FR12345678901", "country_id": france}]),
        json!({}),
    )
    .await;

    assert!(created.is_ok());
}

#[tokio::test]
async fn vat_copied_to_children() {
    let sandbox = start(OdooVersion::V18).await;
    let company = create_partner(
        &sandbox,
        json!({"name": "Vat Co", "is_company": true, "vat": "BE0477472701"}),
    )
    .await;
    let child = create_partner(&sandbox, json!({"name": "Vat Child", "parent_id": company})).await;

    ok(
        &sandbox,
        "res.partner",
        "write",
        json!([[company], {"vat": "BE0477472702"}]),
        json!({}),
    )
    .await;
    let row = read_one(&sandbox, child, json!(["vat"])).await;

    assert_eq!(row["vat"], "BE0477472702");
}

#[tokio::test]
async fn unknown_field_and_selection() {
    let sandbox = start(OdooVersion::V17).await;

    let field = fails(
        &sandbox,
        "res.partner",
        "create",
        json!([{"name": "F", "nope": 1}]),
        json!({}),
    )
    .await;
    let lang = fails(
        &sandbox,
        "res.partner",
        "create",
        json!([{"name": "L", "lang": "xx"}]),
        json!({}),
    )
    .await;
    let pair = fails(
        &sandbox,
        "res.partner",
        "create",
        json!([{"name": "P", "country_id": [21, "Belgium"]}]),
        json!({}),
    )
    .await;

    assert_eq!(field["name"], "builtins.ValueError");
    assert_eq!(
        field["message"],
        "Invalid field 'nope' on model 'res.partner'"
    );
    assert_eq!(lang["message"], "Wrong value for res.partner.lang: 'xx'");
    assert_eq!(pair["name"], "builtins.ValueError");
}

#[tokio::test]
async fn missing_many2one_rejected() {
    let sandbox = start(OdooVersion::V18).await;

    let error = fails(
        &sandbox,
        "res.partner",
        "create",
        json!([{"name": "Nowhere", "country_id": 99999}]),
        json!({}),
    )
    .await;

    assert_eq!(error["name"], "odoo.exceptions.ValidationError");
    assert!(
        error["message"]
            .as_str()
            .expect("message")
            .starts_with("The operation cannot be completed: ")
    );
    assert!(
        error["message"]
            .as_str()
            .expect("message")
            .contains("res_partner_country_id_fkey")
    );
}

#[tokio::test]
async fn create_list_all_or_nothing() {
    let sandbox = start(OdooVersion::V18).await;

    let error = fails(
        &sandbox,
        "res.partner",
        "create",
        json!([[{"name": "Atomic 1", "ref": "ATOM"}, {"name": "Atomic 2", "ref": "ATOM", "child_ids": [[0, 0, {"ref": "ATOM"}]]}]]),
        json!({}),
    )
    .await;
    let left = ok(
        &sandbox,
        "res.partner",
        "search_count",
        json!([[["ref", "=", "ATOM"]]]),
        json!({"context": {"active_test": false}}),
    )
    .await;

    assert_eq!(
        error["message"],
        "The operation cannot be completed: Contacts require a name"
    );
    assert_eq!(left, 0);
}

#[tokio::test]
async fn deleted_records_behaviour() {
    let sandbox = start(OdooVersion::V18).await;
    let kept = create_partner(&sandbox, json!({"name": "Kept"})).await;
    let gone = create_partner(&sandbox, json!({"name": "Gone"})).await;

    let first = ok(
        &sandbox,
        "res.partner",
        "unlink",
        json!([[gone]]),
        json!({}),
    )
    .await;
    let again = ok(
        &sandbox,
        "res.partner",
        "unlink",
        json!([[gone]]),
        json!({}),
    )
    .await;
    let rows = ok(
        &sandbox,
        "res.partner",
        "read",
        json!([[gone, kept]]),
        json!({"fields": ["name"]}),
    )
    .await;
    let write = fails(
        &sandbox,
        "res.partner",
        "write",
        json!([[gone], {"name": "Back"}]),
        json!({}),
    )
    .await;

    assert_eq!(first, true);
    assert_eq!(again, true);
    assert_eq!(rows, json!([{"id": kept, "name": "Kept"}]));
    assert_eq!(write["name"], "odoo.exceptions.MissingError");
    assert_eq!(
        write["message"],
        format!(
            "Record does not exist or has been deleted.\n(Record: res.partner({gone},), User: 2)"
        )
    );
}

async fn child_ids(sandbox: &Running, id: i64) -> Value {
    read_one(sandbox, id, json!(["child_ids"])).await["child_ids"].clone()
}

#[tokio::test]
async fn child_ids_commands() {
    let sandbox = start(OdooVersion::V18).await;
    let company = create_partner(
        &sandbox,
        json!({"name": "Cmd Co", "is_company": true, "child_ids": [[0, 0, {"name": "Made"}]]}),
    )
    .await;
    let loose = create_partner(&sandbox, json!({"name": "Loose"})).await;

    let made = child_ids(&sandbox, company).await[0]
        .as_i64()
        .expect("child created");
    ok(
        &sandbox,
        "res.partner",
        "write",
        json!([[company], {"child_ids": [[4, loose]]}]),
        json!({}),
    )
    .await;
    let linked = child_ids(&sandbox, company).await;
    ok(
        &sandbox,
        "res.partner",
        "write",
        json!([[company], {"child_ids": [[3, made]]}]),
        json!({}),
    )
    .await;
    let unlinked = child_ids(&sandbox, company).await;
    ok(
        &sandbox,
        "res.partner",
        "write",
        json!([[company], {"child_ids": [[6, 0, [made]]]}]),
        json!({}),
    )
    .await;
    let replaced = child_ids(&sandbox, company).await;
    ok(
        &sandbox,
        "res.partner",
        "write",
        json!([[company], {"child_ids": [[1, made, {"phone": "7"}]]}]),
        json!({}),
    )
    .await;
    let updated = read_one(&sandbox, made, json!(["phone"])).await;
    ok(
        &sandbox,
        "res.partner",
        "write",
        json!([[company], {"child_ids": [[5]]}]),
        json!({}),
    )
    .await;
    let cleared = child_ids(&sandbox, company).await;
    ok(
        &sandbox,
        "res.partner",
        "write",
        json!([[company], {"child_ids": [[2, loose]]}]),
        json!({}),
    )
    .await;
    let deleted = ok(
        &sandbox,
        "res.partner",
        "read",
        json!([[loose]]),
        json!({"fields": ["name"]}),
    )
    .await;

    assert_eq!(linked, json!([made, loose]));
    assert_eq!(unlinked, json!([loose]));
    assert_eq!(replaced, json!([made]));
    assert_eq!(updated["phone"], "7");
    assert_eq!(cleared, json!([]));
    assert_eq!(deleted, json!([]));
}

#[tokio::test]
async fn fields_get_describes_fields() {
    let sandbox = start(OdooVersion::V18).await;

    let fields = ok(
        &sandbox,
        "res.partner",
        "fields_get",
        json!([["country_id", "type", "name"]]),
        json!({"attributes": ["type", "relation", "selection", "required"]}),
    )
    .await;

    assert_eq!(
        fields["country_id"],
        json!({"type": "many2one", "relation": "res.country", "required": false})
    );
    assert_eq!(fields["name"]["required"], false);
    assert_eq!(
        fields["type"]["selection"][0],
        json!(["contact", "Contact"])
    );
    assert!(fields.get("email").is_none());
}

#[tokio::test]
async fn doc_bearer_lists_parameters_in_order() {
    let sandbox = start(OdooVersion::V19).await;

    let response = reqwest::Client::new()
        .get(format!("{}/doc-bearer/res.partner.json", sandbox.base_url))
        .header("Authorization", format!("Bearer {}", sandbox.api_key))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.expect("text");

    let search_at = text.find("\"search\":").expect("search method");
    let search_text = &text[search_at..];
    let positions: Vec<usize> = ["\"domain\"", "\"offset\"", "\"limit\"", "\"order\""]
        .iter()
        .map(|name| search_text.find(name).expect("parameter listed"))
        .collect();
    assert!(
        positions.windows(2).all(|pair| pair[0] < pair[1]),
        "{positions:?}"
    );
    let body: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(body["methods"]["create"]["api"], json!(["model"]));
    assert_eq!(body["methods"]["write"]["api"], json!([]));
}

#[tokio::test]
async fn faults_and_stats() {
    let sandbox = start(OdooVersion::V18).await;
    let client = reqwest::Client::new();
    client
        .put(format!("{}/_sandbox/faults", sandbox.base_url))
        .json(&json!({"next": [{"status": 503}]}))
        .send()
        .await
        .expect("faults set");

    let faulted = client
        .post(format!("{}/jsonrpc", sandbox.base_url))
        .json(&json!({"params": {"service": "common", "method": "version", "args": []}}))
        .send()
        .await
        .expect("sent");
    rpc(
        &sandbox,
        "common",
        "authenticate",
        json!([sandbox.database, sandbox.login, sandbox.api_key, {}]),
    )
    .await;
    ok(
        &sandbox,
        "res.partner",
        "search_read",
        json!([[]]),
        json!({"limit": 1}),
    )
    .await;
    let stats: Value = client
        .get(format!("{}/_sandbox/stats", sandbox.base_url))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");

    assert_eq!(faulted.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(stats["routes"]["common.authenticate"], 1);
    assert_eq!(stats["routes"]["res.partner.search_read"], 1);
}

#[tokio::test]
async fn seed_matches_magento_customers() {
    let seed = 7;
    let sandbox = start_with(Options {
        version: OdooVersion::V18,
        partners: 30,
        seed,
        ..Options::default()
    })
    .await;
    let ids = odoo::seed::matching_magento_ids(30);

    assert_eq!(ids.first(), Some(&1));
    assert_eq!(ids.len(), 10);
    for magento_id in ids {
        let email = sandbox::people::person(seed, magento_id).email;
        let normalized = email.to_lowercase();
        let rows = ok(
            &sandbox,
            "res.partner",
            "search_read",
            json!([[["email_normalized", "=", normalized]]]),
            json!({"fields": ["email"]}),
        )
        .await;
        let rows = rows.as_array().expect("list").clone();
        let expected = if magento_id == 1 { 2 } else { 1 };
        assert_eq!(rows.len(), expected, "Magento customer {magento_id}");
        assert_ne!(
            rows[0]["email"].as_str(),
            Some(email.as_str()),
            "letter case differs for {magento_id}"
        );
    }

    let archived = ok(
        &sandbox,
        "res.partner",
        "search_count",
        json!([[["active", "=", false], ["ref", "=", false]]]),
        json!({}),
    )
    .await;
    let companies = ok(
        &sandbox,
        "res.partner",
        "search_count",
        json!([[["is_company", "=", true], ["child_ids", "!=", false]]]),
        json!({}),
    )
    .await;
    assert!(archived.as_i64().expect("count") >= 5);
    assert!(companies.as_i64().expect("count") >= 10);
}

#[tokio::test]
async fn large_store_uses_email_index() {
    let sandbox = start_with(Options {
        version: OdooVersion::V18,
        partners: 60_000,
        ..Options::default()
    })
    .await;
    let total = ok(
        &sandbox,
        "res.partner",
        "search_count",
        json!([[]]),
        json!({"context": {"active_test": false}}),
    )
    .await;
    let emails: Vec<String> = odoo::seed::matching_magento_ids(900)
        .into_iter()
        .map(|id| sandbox::people::person(1, id).email.to_lowercase())
        .collect();

    let started = std::time::Instant::now();
    let rows = ok(
        &sandbox,
        "res.partner",
        "search_read",
        json!([[["email_normalized", "in", emails]]]),
        json!({"fields": ["email_normalized"]}),
    )
    .await;
    let search_time = started.elapsed();

    let batch: Vec<Value> = (0..300)
        .map(|i| json!({"name": format!("Bulk {i}"), "email": format!("bulk{i}@x.com"), "child_ids": [[0, 0, {"name": format!("Bulk child {i}")}]]}))
        .collect();
    let started = std::time::Instant::now();
    let created = ok(&sandbox, "res.partner", "create", json!([batch]), json!({})).await;
    let create_time = started.elapsed();

    assert!(total.as_i64().expect("count") >= 100_000, "{total}");
    assert_eq!(rows.as_array().map(Vec::len), Some(301));
    assert_eq!(created.as_array().map(Vec::len), Some(300));
    // Generous bounds for a debug build on a shared machine; a full scan of
    // 100,000 records with per-record field lookups takes far longer.
    assert!(
        search_time.as_millis() < 1500,
        "search_read took {search_time:?}"
    );
    assert!(
        create_time.as_millis() < 3000,
        "create took {create_time:?}"
    );
}

/// `res.partner.load` over JSON-RPC; returns `{ids, messages, nextrow}`.
async fn load(sandbox: &Running, fields: Value, data: Value, context: Value) -> Value {
    ok(
        sandbox,
        "res.partner",
        "load",
        json!([fields, data]),
        json!({"context": context}),
    )
    .await
}

async fn count_named(sandbox: &Running, name: &str) -> Value {
    ok(
        sandbox,
        "res.partner",
        "search_count",
        json!([[["name", "=", name]]]),
        json!({"context": {"active_test": false}}),
    )
    .await
}

#[tokio::test]
async fn load_updates_rows_by_id() {
    for version in [OdooVersion::V17, OdooVersion::V18, OdooVersion::V19] {
        let sandbox = start(version).await;
        let belgium = country(&sandbox, "BE").await;
        let germany = country(&sandbox, "DE").await;
        let a = create_partner(&sandbox, json!({"name": "Load A", "city": "Ghent"})).await;
        let b = create_partner(&sandbox, json!({"name": "Load B", "email": "b@old.test"})).await;
        let c = create_partner(&sandbox, json!({"name": "Load C", "is_company": false})).await;

        let result = load(
            &sandbox,
            json!([
                ".id",
                "name",
                "email",
                "country_id/.id",
                "is_company",
                "type"
            ]),
            json!([
                [
                    a.to_string(),
                    "Load A2",
                    "a@new.test",
                    belgium.to_string(),
                    "0",
                    "contact"
                ],
                [
                    b.to_string(),
                    "Load B2",
                    "B@New.Test",
                    germany.to_string(),
                    "1",
                    "invoice"
                ],
                [
                    c.to_string(),
                    "Load C2",
                    "c@new.test",
                    "",
                    "false",
                    "Other Address"
                ]
            ]),
            json!({"tracking_disable": true, "mail_notrack": true}),
        )
        .await;
        let rows = ok(
            &sandbox,
            "res.partner",
            "read",
            json!([[a, b, c]]),
            json!({"fields": ["name", "email_normalized", "country_id", "is_company", "type", "city"]}),
        )
        .await;

        assert_eq!(
            result,
            json!({"ids": [a, b, c], "messages": [], "nextrow": 0}),
            "version {version:?}"
        );
        assert_eq!(rows[0]["name"], "Load A2");
        assert_eq!(rows[0]["email_normalized"], "a@new.test");
        assert_eq!(rows[0]["country_id"], json!([belgium, "Belgium"]));
        assert_eq!(rows[0]["is_company"], false);
        assert_eq!(rows[0]["city"], "Ghent");
        assert_eq!(rows[1]["name"], "Load B2");
        assert_eq!(rows[1]["email_normalized"], "b@new.test");
        assert_eq!(rows[1]["country_id"], json!([germany, "Germany"]));
        assert_eq!(rows[1]["is_company"], true);
        assert_eq!(rows[1]["type"], "invoice");
        assert_eq!(rows[2]["name"], "Load C2");
        assert_eq!(rows[2]["country_id"], false);
        assert_eq!(rows[2]["type"], "other");
    }
}

#[tokio::test]
async fn load_creates_rows_without_id() {
    let sandbox = start(OdooVersion::V18).await;
    let existing = create_partner(&sandbox, json!({"name": "Kept Row"})).await;

    let result = load(
        &sandbox,
        json!([".id", "name", "ref"]),
        json!([
            [existing.to_string(), "Kept Row 2", "K"],
            ["", "Fresh Row", "F"]
        ]),
        json!({}),
    )
    .await;
    let ids = result["ids"].as_array().expect("ids list").clone();
    let fresh = ids[1].as_i64().expect("new id");
    let row = read_one(&sandbox, fresh, json!(["name", "ref", "active", "type"])).await;

    assert_eq!(result["messages"], json!([]));
    assert_eq!(ids[0], existing);
    assert!(fresh > existing);
    assert_eq!(row["name"], "Fresh Row");
    assert_eq!(row["ref"], "F");
    assert_eq!(row["active"], true);
    assert_eq!(row["type"], "contact");
}

#[tokio::test]
async fn load_empty_id_faults_on_17() {
    let sandbox = start(OdooVersion::V17).await;

    let error = fails(
        &sandbox,
        "res.partner",
        "load",
        json!([[".id", "name"], [["", "No Id"]]]),
        json!({}),
    )
    .await;
    let without_column = load(&sandbox, json!(["name"]), json!([["No Id"]]), json!({})).await;

    assert_eq!(error["name"], "psycopg2.errors.InvalidTextRepresentation");
    assert_eq!(
        error["message"],
        "invalid input syntax for type integer: \"\""
    );
    assert_eq!(count_named(&sandbox, "No Id").await, 1);
    assert_eq!(without_column["messages"], json!([]));
}

#[tokio::test]
async fn load_child_address_rule() {
    let sandbox = start(OdooVersion::V18).await;
    let germany = country(&sandbox, "DE").await;
    let company = create_partner(&sandbox, json!({"name": "Load Co", "is_company": true, "street": "Hauptstr. 1", "city": "Berlin", "country_id": germany, "vat": "DE123456788", "lang": "de_DE"})).await;

    let result = load(
        &sandbox,
        json!(["name", "parent_id/.id", "type", "street", "city", "zip"]),
        json!([
            [
                "Dock",
                company.to_string(),
                "delivery",
                "Dock 2",
                "Hamburg",
                "20095"
            ],
            [
                "Buyer",
                company.to_string(),
                "contact",
                "Elsewhere 9",
                "Bonn",
                "53111"
            ]
        ]),
        json!({}),
    )
    .await;
    let ids = result["ids"].as_array().expect("ids list").clone();
    let fields = json!([
        "street",
        "city",
        "zip",
        "country_id",
        "vat",
        "lang",
        "display_name"
    ]);
    let delivery = read_one(&sandbox, ids[0].as_i64().expect("id"), fields.clone()).await;
    let contact = read_one(&sandbox, ids[1].as_i64().expect("id"), fields).await;

    assert_eq!(result["messages"], json!([]));
    assert_eq!(delivery["street"], "Dock 2");
    assert_eq!(delivery["city"], "Hamburg");
    assert_eq!(delivery["vat"], "DE123456788");
    assert_eq!(delivery["display_name"], "Load Co, Dock");
    assert_eq!(contact["street"], "Hauptstr. 1");
    assert_eq!(contact["city"], "Berlin");
    assert_eq!(contact["country_id"], json!([germany, "Germany"]));
    assert_eq!(contact["vat"], "DE123456788");
    // Quirks of _load_records_create: the parent's empty zip is not copied
    // and the parent's language is not inherited.
    assert_eq!(contact["zip"], "53111");
    assert_eq!(contact["lang"], "en_US");
}

#[tokio::test]
async fn load_child_differs_from_create() {
    let sandbox = start(OdooVersion::V18).await;
    let company = create_partner(
        &sandbox,
        json!({"name": "Diff Co", "is_company": true, "city": "Lyon", "lang": "fr_FR"}),
    )
    .await;

    let created = create_partner(
        &sandbox,
        json!({"name": "By Create", "parent_id": company, "zip": "69001"}),
    )
    .await;
    let loaded = load(
        &sandbox,
        json!(["name", "parent_id/.id", "zip"]),
        json!([["By Load", company.to_string(), "69001"]]),
        json!({}),
    )
    .await;
    let loaded_id = loaded["ids"][0].as_i64().expect("id");
    let fields = json!(["city", "zip", "lang"]);
    let by_create = read_one(&sandbox, created, fields.clone()).await;
    let by_load = read_one(&sandbox, loaded_id, fields).await;

    assert_eq!(by_create["city"], "Lyon");
    assert_eq!(by_create["zip"], false);
    assert_eq!(by_create["lang"], "fr_FR");
    assert_eq!(by_load["city"], "Lyon");
    assert_eq!(by_load["zip"], "69001");
    assert_eq!(by_load["lang"], "en_US");
}

#[tokio::test]
async fn load_empty_cell_clears() {
    let sandbox = start(OdooVersion::V18).await;
    let belgium = country(&sandbox, "BE").await;
    let id = create_partner(
        &sandbox,
        json!({"name": "Clear Me", "phone": "+32 1", "country_id": belgium, "is_company": true}),
    )
    .await;

    let result = load(
        &sandbox,
        json!([".id", "phone", "country_id/.id", "is_company"]),
        json!([[id.to_string(), "", "", ""]]),
        json!({}),
    )
    .await;
    let row = read_one(
        &sandbox,
        id,
        json!(["phone", "country_id", "is_company", "name"]),
    )
    .await;

    assert_eq!(result["ids"], json!([id]));
    assert_eq!(row["phone"], false);
    assert_eq!(row["country_id"], false);
    assert_eq!(row["is_company"], false);
    assert_eq!(row["name"], "Clear Me");
}

#[tokio::test]
async fn load_unknown_id_rolls_back() {
    let sandbox = start(OdooVersion::V18).await;
    let id = create_partner(&sandbox, json!({"name": "Stays"})).await;

    let result = load(
        &sandbox,
        json!([".id", "name"]),
        json!([[id.to_string(), "Changed"], ["99999", "Ghost"]]),
        json!({}),
    )
    .await;
    let row = read_one(&sandbox, id, json!(["name"])).await;

    assert_eq!(
        result,
        json!({
            "ids": false,
            "messages": [{
                "rows": {"from": 1, "to": 1},
                "record": 1,
                "type": "error",
                "field": ".id",
                "message": "Unknown database identifier '99999'"
            }],
            "nextrow": 0
        })
    );
    assert_eq!(row["name"], "Stays");
    assert_eq!(count_named(&sandbox, "Ghost").await, 0);
    assert_eq!(count_named(&sandbox, "Changed").await, 0);
}

#[tokio::test]
async fn load_archived_needs_active_test() {
    let sandbox = start(OdooVersion::V19).await;
    let id = create_partner(&sandbox, json!({"name": "Archived Load", "active": false})).await;

    let default_context = load(
        &sandbox,
        json!([".id", "name"]),
        json!([[id.to_string(), "Archived Load 2"]]),
        json!({}),
    )
    .await;
    let without_active_test = load(
        &sandbox,
        json!([".id", "name"]),
        json!([[id.to_string(), "Archived Load 2"]]),
        json!({"active_test": false}),
    )
    .await;
    let row = read_one(&sandbox, id, json!(["name", "active"])).await;

    assert_eq!(default_context["ids"], false);
    assert_eq!(
        default_context["messages"][0]["message"],
        format!("Unknown database identifier '{id}'")
    );
    assert_eq!(without_active_test["ids"], json!([id]));
    assert_eq!(row["name"], "Archived Load 2");
    assert_eq!(row["active"], false);
}

#[tokio::test]
async fn load_vat_error_per_row() {
    let sandbox = start_with(Options {
        version: OdooVersion::V18,
        base_vat: true,
        ..Options::default()
    })
    .await;
    let france = country(&sandbox, "FR").await;
    let good = create_partner(&sandbox, json!({"name": "Vat Good", "country_id": france})).await;
    let bad = create_partner(&sandbox, json!({"name": "Vat Bad", "country_id": france})).await;
    let fields = json!([".id", "vat"]);
    let data = json!([
        [good.to_string(), "FR23334175221"],
        [bad.to_string(), "FR12345678901"]
    ]);

    let checked = load(&sandbox, fields.clone(), data.clone(), json!({})).await;
    let before = read_one(&sandbox, good, json!(["vat"])).await;
    let unchecked = load(&sandbox, fields, data, json!({"no_vat_validation": true})).await;
    let after = read_one(&sandbox, bad, json!(["vat"])).await;

    let message = "The VAT number [FR12345678901] for partner [Vat Bad] does not seem to be valid. \nNote: the expected format is FR23334175221";
    assert_eq!(checked["ids"], false);
    // The batch error comes first with the first row's position, then the
    // row that really failed.
    assert_eq!(
        checked["messages"],
        json!([
            {"rows": {"from": 0, "to": 0}, "record": 0, "type": "error", "message": message},
            {"rows": {"from": 1, "to": 1}, "record": 1, "type": "error", "message": message}
        ])
    );
    assert_eq!(before["vat"], false);
    assert_eq!(unchecked["ids"], json!([good, bad]));
    assert_eq!(unchecked["messages"], json!([]));
    assert_eq!(after["vat"], "FR12345678901");
}

#[tokio::test]
async fn load_bad_selection() {
    let sandbox = start(OdooVersion::V17).await;
    let id = create_partner(&sandbox, json!({"name": "Select Me", "type": "contact"})).await;

    let bad = load(
        &sandbox,
        json!([".id", "type"]),
        json!([[id.to_string(), "bogus"]]),
        json!({}),
    )
    .await;
    let by_label = load(
        &sandbox,
        json!([".id", "type"]),
        json!([[id.to_string(), "delivery ADDRESS"]]),
        json!({}),
    )
    .await;
    let row = read_one(&sandbox, id, json!(["type"])).await;

    assert_eq!(
        bad,
        json!({
            "ids": false,
            "messages": [{
                "rows": {"from": 0, "to": 0},
                "record": 0,
                "type": "error",
                "field": "type",
                "message": "Value 'bogus' not found in selection field 'Address Type'",
                "moreinfo": ["Contact", "Invoice Address", "Delivery Address", "Other Address"],
                "field_name": "Address Type"
            }],
            "nextrow": 0
        })
    );
    assert_eq!(by_label["ids"], json!([id]));
    assert_eq!(row["type"], "delivery");
}

#[tokio::test]
async fn load_boolean_and_many2one_errors() {
    let sandbox = start(OdooVersion::V17).await;
    let id = create_partner(&sandbox, json!({"name": "Flags", "active": true})).await;

    let result = load(
        &sandbox,
        json!([".id", "is_company", "country_id/.id", "parent_id/.id"]),
        json!([[id.to_string(), "maybe", "99999", "abc"]]),
        json!({}),
    )
    .await;
    let messages = result["messages"].as_array().expect("messages").clone();

    assert_eq!(result["ids"], false);
    assert_eq!(messages.len(), 3);
    assert_eq!(messages[0]["type"], "error");
    assert_eq!(messages[0]["field"], "is_company");
    assert_eq!(
        messages[0]["message"],
        "Unknown value 'maybe' for boolean field 'Is a Company'"
    );
    assert_eq!(messages[0]["moreinfo"], "Use '1' for yes and '0' for no");
    assert_eq!(messages[1]["field"], "country_id");
    assert_eq!(
        messages[1]["message"],
        "No matching record found for database id '99999' in field 'Country'"
    );
    assert_eq!(messages[1]["field_name"], "Country");
    assert_eq!(messages[1]["moreinfo"]["res_model"], "ir.model.data");
    assert_eq!(
        messages[1]["moreinfo"]["domain"],
        json!([["model", "=", "res.country"]])
    );
    assert_eq!(messages[2]["field"], "parent_id");
    assert_eq!(
        messages[2]["message"],
        "Invalid database id 'abc' for the field 'Related Company'"
    );
}

#[tokio::test]
async fn load_many2one_by_name() {
    let sandbox = start(OdooVersion::V18).await;
    let belgium = country(&sandbox, "BE").await;
    let id = create_partner(&sandbox, json!({"name": "Named Country"})).await;

    let found = load(
        &sandbox,
        json!([".id", "country_id"]),
        json!([[id.to_string(), "Belgium"]]),
        json!({}),
    )
    .await;
    let missing = load(
        &sandbox,
        json!([".id", "country_id"]),
        json!([[id.to_string(), "Atlantis"]]),
        json!({}),
    )
    .await;
    let ambiguous = load(
        &sandbox,
        json!([".id", "country_id", "country_id/.id"]),
        json!([[id.to_string(), "Belgium", ""]]),
        json!({}),
    )
    .await;
    let row = read_one(&sandbox, id, json!(["country_id"])).await;

    assert_eq!(found["ids"], json!([id]));
    assert_eq!(row["country_id"][0], belgium);
    assert_eq!(
        missing["messages"][0]["message"],
        "No matching record found for name 'Atlantis' in field 'Country'"
    );
    assert_eq!(
        missing["messages"][0]["moreinfo"]["res_model"],
        "res.country"
    );
    assert_eq!(
        ambiguous["messages"][0]["message"],
        "Ambiguous specification for field 'Country', only provide one of name, external id or database id"
    );
    assert!(ambiguous["messages"][0].get("field_name").is_none());
}

#[tokio::test]
async fn load_name_check_per_version() {
    for (version, message) in [
        (OdooVersion::V17, "'Contacts require a name'"),
        (OdooVersion::V18, "'Contacts require a name'"),
        (OdooVersion::V19, "Contacts require a name"),
    ] {
        let sandbox = start(version).await;
        let id = create_partner(&sandbox, json!({"name": "Has Name"})).await;

        let result = load(
            &sandbox,
            json!([".id", "name"]),
            json!([[id.to_string(), ""]]),
            json!({}),
        )
        .await;

        // A CHECK constraint is not a UserError, so no batch entry is added.
        assert_eq!(
            result["messages"],
            json!([{"rows": {"from": 0, "to": 0}, "record": 0, "type": "error", "message": message}]),
            "version {version:?}"
        );
    }
}

#[tokio::test]
async fn load_unknown_column_faults() {
    for (version, name, message) in [
        (OdooVersion::V17, "builtins.KeyError", "'nope'"),
        (
            OdooVersion::V18,
            "builtins.ValueError",
            "Invalid field name 'nope'",
        ),
        (
            OdooVersion::V19,
            "builtins.ValueError",
            "Invalid field name 'nope'",
        ),
    ] {
        let sandbox = start(version).await;

        let error = fails(
            &sandbox,
            "res.partner",
            "load",
            json!([["name", "nope"], [["Never", "x"]]]),
            json!({}),
        )
        .await;

        assert_eq!(error["name"], name, "version {version:?}");
        assert_eq!(error["message"], message, "version {version:?}");
        assert_eq!(count_named(&sandbox, "Never").await, 0);
    }
}

#[tokio::test]
async fn load_import_limit_sets_nextrow() {
    let sandbox = start(OdooVersion::V18).await;

    let result = load(
        &sandbox,
        json!(["name"]),
        json!([["Limit 1"], ["Limit 2"], ["Limit 3"]]),
        json!({"_import_limit": 2}),
    )
    .await;

    assert_eq!(result["ids"].as_array().map(Vec::len), Some(2));
    assert_eq!(result["nextrow"], 2);
    assert_eq!(count_named(&sandbox, "Limit 3").await, 0);
}

#[tokio::test]
async fn load_over_json2() {
    let sandbox = start(OdooVersion::V19).await;
    let id = create_partner(&sandbox, json!({"name": "Json Two"})).await;

    let (status, result) = json2(
        &sandbox,
        "res.partner",
        "load",
        json!({
            "fields": [".id", "name", "phone"],
            "data": [[id.to_string(), "Json Two B", "+1 555"]],
            "context": {"tracking_disable": true}
        }),
    )
    .await;
    let (bad_status, bad) = json2(
        &sandbox,
        "res.partner",
        "load",
        json!({"fields": [".id", "nope"], "data": [[id.to_string(), "x"]]}),
    )
    .await;
    let row = read_one(&sandbox, id, json!(["name", "phone"])).await;

    assert_eq!(status, StatusCode::OK);
    assert_eq!(result, json!({"ids": [id], "messages": [], "nextrow": 0}));
    assert_eq!(row["name"], "Json Two B");
    assert_eq!(row["phone"], "+1 555");
    assert_eq!(bad_status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(bad["name"], "builtins.ValueError");
    assert_eq!(bad["message"], "Invalid field name 'nope'");
}

#[tokio::test]
async fn load_stats_and_faults() {
    let sandbox = start(OdooVersion::V19).await;
    let client = reqwest::Client::new();

    load(&sandbox, json!(["name"]), json!([["Stat One"]]), json!({})).await;
    json2(
        &sandbox,
        "res.partner",
        "load",
        json!({"fields": ["name"], "data": [["Stat Two"]]}),
    )
    .await;
    client
        .put(format!("{}/_sandbox/faults", sandbox.base_url))
        .json(&json!({"next": [{"status": 503}]}))
        .send()
        .await
        .expect("faults set");
    let faulted = client
        .post(format!("{}/json/2/res.partner/load", sandbox.base_url))
        .header("Authorization", format!("bearer {}", sandbox.api_key))
        .json(&json!({"fields": ["name"], "data": [["Stat Three"]]}))
        .send()
        .await
        .expect("sent");
    let stats: Value = client
        .get(format!("{}/_sandbox/stats", sandbox.base_url))
        .send()
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");

    assert_eq!(faulted.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(stats["routes"]["res.partner.load"], 2);
    assert_eq!(count_named(&sandbox, "Stat Three").await, 0);
}

#[tokio::test]
async fn load_only_on_partners() {
    let sandbox = start(OdooVersion::V18).await;

    let error = fails(
        &sandbox,
        "res.country",
        "load",
        json!([["name"], [["Utopia"]]]),
        json!({}),
    )
    .await;

    assert_eq!(error["name"], "odoo.exceptions.AccessError");
}

#[tokio::test]
async fn load_warning_keeps_changes() {
    for (version, message) in [
        (
            OdooVersion::V18,
            "Found multiple matches for value 'Twin Co' in field 'Related Company' (2 matches)",
        ),
        (
            OdooVersion::V19,
            "Found multiple matches for value \"Twin Co\" in field \"Related Company\" (2 matches)",
        ),
    ] {
        let sandbox = start(version).await;
        create_partner(&sandbox, json!({"name": "Twin Co", "is_company": true})).await;
        let newer = create_partner(&sandbox, json!({"name": "Twin Co", "is_company": true})).await;

        let result = load(
            &sandbox,
            json!(["name", "parent_id"]),
            json!([["Twin Kid", "Twin Co"]]),
            json!({}),
        )
        .await;
        let kid = result["ids"][0]
            .as_i64()
            .expect("created despite the warning");
        let row = read_one(&sandbox, kid, json!(["parent_id"])).await;

        assert_eq!(
            result["messages"],
            json!([{
                "rows": {"from": 0, "to": 0},
                "record": 0,
                "type": "warning",
                "field": "parent_id",
                "message": message
            }]),
            "version {version:?}"
        );
        assert_eq!(row["parent_id"][0], newer);
    }
}

#[tokio::test]
async fn load_archived_parent_per_version() {
    for (version, accepted) in [(OdooVersion::V18, false), (OdooVersion::V19, true)] {
        let sandbox = start(version).await;
        let parent = create_partner(
            &sandbox,
            json!({"name": "Closed Co", "is_company": true, "active": false}),
        )
        .await;

        let result = load(
            &sandbox,
            json!(["name", "parent_id/.id"]),
            json!([["Orphan", parent.to_string()]]),
            json!({}),
        )
        .await;

        if accepted {
            assert_eq!(result["messages"], json!([]), "version {version:?}");
        } else {
            assert_eq!(result["ids"], false, "version {version:?}");
            assert_eq!(
                result["messages"][0]["message"],
                format!(
                    "No matching record found for database id '{parent}' in field 'Related Company'"
                )
            );
        }
    }
}

#[tokio::test]
async fn load_first_contacts_push_up() {
    let sandbox = start(OdooVersion::V18).await;
    let single = create_partner(&sandbox, json!({"name": "One Kid Co", "is_company": true})).await;
    let double = create_partner(&sandbox, json!({"name": "Two Kids Co", "is_company": true})).await;

    load(
        &sandbox,
        json!(["name", "parent_id/.id", "city"]),
        json!([["Only Kid", single.to_string(), "Ghent"]]),
        json!({}),
    )
    .await;
    load(
        &sandbox,
        json!(["name", "parent_id/.id", "city"]),
        json!([
            ["First Kid", double.to_string(), "Liège"],
            ["Second Kid", double.to_string(), "Namur"]
        ]),
        json!({}),
    )
    .await;
    let single_row = read_one(&sandbox, single, json!(["city"])).await;
    let double_row = read_one(&sandbox, double, json!(["city"])).await;

    assert_eq!(single_row["city"], "Ghent");
    // Both contacts exist when the push-up runs, so neither is the first.
    assert_eq!(double_row["city"], false);
}
