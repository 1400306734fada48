//! The Magento sandbox's routes, data rules and search against a live in-process server.

mod common;

use common::{Sandbox, criteria, ids, new_customer, us_address};
use reqwest::Method;
use sandbox::magento::Options;
use serde_json::{Value, json};

const NO_ROUTE: &str = "Request does not match any route.";
const DUPLICATE: &str =
    "A customer with the same email address already exists in an associated website.";
const REQUIRED: &str = "\"%fieldName\" is required. Enter and try again.";
const INVALID_VALUE: &str = "Invalid value of \"%value\" provided for the %fieldName field.";

#[tokio::test]
async fn route_unknown_path() -> anyhow::Result<()> {
    let sandbox = Sandbox::start(Options::default()).await?;

    let reply = sandbox.get("/rest/V1/products").await?;

    assert_eq!(reply.status, 404);
    assert_eq!(reply.body, json!({ "message": NO_ROUTE }));
    Ok(())
}

#[tokio::test]
async fn route_wrong_method() -> anyhow::Result<()> {
    let sandbox = Sandbox::start(Options::default()).await?;

    let reply = sandbox
        .admin(Method::PATCH, "/rest/V1/customers/1", None)
        .await?;

    assert_eq!(reply.status, 404);
    assert_eq!(reply.body["message"], NO_ROUTE);
    Ok(())
}

#[tokio::test]
async fn customer_id_not_int() -> anyhow::Result<()> {
    let sandbox = Sandbox::start(Options::default()).await?;

    let reply = sandbox.get("/rest/V1/customers/abc").await?;

    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.body["message"],
        "The \"abc\" value's type is invalid. The \"int\" type was expected. Verify and try again."
    );
    Ok(())
}

#[tokio::test]
async fn customer_missing_404() -> anyhow::Result<()> {
    let sandbox = Sandbox::start(Options::default()).await?;

    let reply = sandbox.get("/rest/V1/customers/7").await?;

    assert_eq!(reply.status, 404);
    assert_eq!(
        reply.body["message"],
        "No such entity with %fieldName = %fieldValue"
    );
    assert_eq!(
        reply.body["parameters"],
        json!({ "fieldName": "customerId", "fieldValue": 7 })
    );
    Ok(())
}

#[tokio::test]
async fn get_under_all_rejected() -> anyhow::Result<()> {
    let sandbox = Sandbox::with_customers(1).await?;

    let reply = sandbox.get("/rest/all/V1/customers/1").await?;
    let default_store = sandbox.get("/rest/default/V1/customers/1").await?;
    let no_store = sandbox.get("/rest/V1/customers/1").await?;

    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.body["message"],
        "Cannot perform GET operation with store code 'all'"
    );
    assert_eq!(default_store.status, 200);
    assert_eq!(no_store.status, 200);
    Ok(())
}

#[tokio::test]
async fn body_invalid_json() -> anyhow::Result<()> {
    let sandbox = Sandbox::start(Options::default()).await?;

    let response = sandbox
        .http
        .post(sandbox.url("/rest/V1/customers"))
        .header("Content-Type", "application/json")
        .body("{\"customer\": ")
        .send()
        .await?;
    let status = response.status().as_u16();
    let body: Value = response.json().await?;

    assert_eq!(status, 400);
    assert_eq!(body, json!({ "message": "Decoding error." }));
    Ok(())
}

#[tokio::test]
async fn create_returns_defaults() -> anyhow::Result<()> {
    let sandbox = Sandbox::start(Options::default()).await?;
    let body = json!({ "customer": { "email": "Ana.Lima+shop@Example.test", "firstname": "Ana", "lastname": "Lima" } });

    let reply = sandbox
        .guest(Method::POST, "/rest/V1/customers", Some(body))
        .await?;

    assert_eq!(reply.status, 200, "{:?}", reply.body);
    let customer = &reply.body;
    assert_eq!(customer["id"], 1);
    assert_eq!(customer["group_id"], 1);
    assert_eq!(customer["store_id"], 1);
    assert_eq!(customer["website_id"], 1);
    assert_eq!(customer["created_in"], "Default Store View");
    assert_eq!(customer["email"], "Ana.Lima+shop@Example.test");
    assert_eq!(customer["addresses"], json!([]));
    assert_eq!(
        customer["extension_attributes"],
        json!({ "is_subscribed": false })
    );
    assert_eq!(customer["disable_auto_group_change"], 0);
    assert!(customer.get("default_billing").is_none());
    assert!(customer.get("confirmation").is_none());
    assert!(customer.get("custom_attributes").is_none());
    assert!(customer.get("middlename").is_none());
    assert_eq!(customer["created_at"].as_str().map(str::len), Some(19));
    Ok(())
}

#[tokio::test]
async fn create_outbox_templates() -> anyhow::Result<()> {
    let sandbox = Sandbox::start(Options::default()).await?;
    let with_password = json!({ "customer": { "email": "a@example.com", "firstname": "A", "lastname": "B" }, "password": "Str0ng-pass" });
    let without_password =
        json!({ "customer": { "email": "b@example.com", "firstname": "A", "lastname": "B" } });

    sandbox.post("/rest/V1/customers", with_password).await?;
    sandbox.post("/rest/V1/customers", without_password).await?;
    sandbox
        .set_config(json!({ "confirmation_required": true }))
        .await?;
    let confirmed = json!({ "customer": { "email": "c@example.com", "firstname": "A", "lastname": "B" }, "password": "Str0ng-pass" });
    let created = sandbox.post("/rest/V1/customers", confirmed).await?;
    let stored = sandbox.get("/rest/V1/customers/3").await?;
    let outbox = sandbox.get("/_sandbox/outbox").await?;

    assert!(created.body.get("confirmation").is_none());
    assert!(stored.body["confirmation"].is_string());
    assert_eq!(
        outbox.body,
        json!([
            { "customer_id": 1, "email": "a@example.com", "template": "welcome" },
            { "customer_id": 2, "email": "b@example.com", "template": "welcome_no_password" },
            { "customer_id": 3, "email": "c@example.com", "template": "confirmation" }
        ])
    );
    Ok(())
}

#[tokio::test]
async fn password_rules_in_order() -> anyhow::Result<()> {
    let sandbox = Sandbox::start(Options::default()).await?;
    let long = "aA1!".repeat(65);
    let cases = [
        (
            long.as_str(),
            "Please enter a password with at most %1 characters.",
            json!([256]),
        ),
        (
            "aA1!",
            "The password needs at least %1 characters. Create a new password and try again.",
            json!([8]),
        ),
        (
            " aA1!aA1!",
            "The password can't begin or end with a space. Verify the password and try again.",
            Value::Null,
        ),
        (
            "abcdefgh1",
            "Minimum of different classes of characters in password is %1. Classes of characters: Lower Case, Upper Case, Digits, Special Characters.",
            json!([3]),
        ),
        (
            "Pw1@example.com",
            "The password can't be the same as the email address. Create a new password and try again.",
            Value::Null,
        ),
    ];

    for (password, message, parameters) in cases {
        let body = json!({ "customer": { "email": "pw1@example.com", "firstname": "A", "lastname": "B" }, "password": password });
        let reply = sandbox.post("/rest/V1/customers", body).await?;

        assert_eq!(reply.status, 400, "{password}");
        assert_eq!(reply.body["message"], message, "{password}");
        assert_eq!(
            reply.body.get("parameters").cloned().unwrap_or(Value::Null),
            parameters,
            "{password}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn create_name_rules() -> anyhow::Result<()> {
    let sandbox = Sandbox::start(Options::default()).await?;

    let missing = sandbox
        .post(
            "/rest/V1/customers",
            json!({ "customer": { "email": "n@example.com" } }),
        )
        .await?;
    let invalid = sandbox
        .post("/rest/V1/customers", json!({ "customer": { "email": "n@example.com", "firstname": "<b>", "lastname": "Zoë" } }))
        .await?;
    let no_email = sandbox
        .post(
            "/rest/V1/customers",
            json!({ "customer": { "firstname": "A", "lastname": "B" } }),
        )
        .await?;
    let unicode = sandbox
        .post("/rest/V1/customers", json!({ "customer": { "email": "u@example.com", "firstname": "Łukasz", "lastname": "山田" } }))
        .await?;

    assert_eq!(missing.status, 400);
    assert_eq!(
        missing.body["message"],
        "\"First Name\" is a required value.\n\"Last Name\" is a required value."
    );
    assert_eq!(invalid.status, 400);
    assert_eq!(invalid.body["message"], "First Name is not valid!");
    assert_eq!(
        no_email.body["message"],
        "The customer email is missing. Enter and try again."
    );
    assert_eq!(unicode.status, 200);
    Ok(())
}

#[tokio::test]
async fn duplicate_email_per_website() -> anyhow::Result<()> {
    let sandbox = Sandbox::start(Options::default()).await?;
    let body =
        |email: &str| json!({ "customer": { "email": email, "firstname": "A", "lastname": "B" } });

    let first = sandbox
        .post("/rest/V1/customers", body("dup@example.com"))
        .await?;
    let same_site = sandbox
        .post("/rest/V1/customers", body("DUP@example.com"))
        .await?;
    let other_site = sandbox
        .post("/rest/eu/V1/customers", body("dup@example.com"))
        .await?;
    sandbox
        .set_config(json!({ "account_share_scope": "global" }))
        .await?;
    let global = sandbox
        .post("/rest/eu/V1/customers", body("dup@example.com"))
        .await?;

    assert_eq!(first.status, 200);
    assert_eq!(same_site.status, 400);
    assert_eq!(same_site.body, json!({ "message": DUPLICATE }));
    assert_eq!(other_site.status, 200);
    assert_eq!(other_site.body["website_id"], 2);
    assert_eq!(other_site.body["store_id"], 2);
    assert_eq!(other_site.body["created_in"], "EU Store View");
    assert_eq!(global.status, 400);
    assert_eq!(global.body["message"], DUPLICATE);
    Ok(())
}

#[tokio::test]
async fn store_outside_website() -> anyhow::Result<()> {
    let sandbox = Sandbox::start(Options::default()).await?;
    let body = json!({ "customer": { "email": "s@example.com", "firstname": "A", "lastname": "B", "store_id": 1, "website_id": 2 } });

    let reply = sandbox.post("/rest/V1/customers", body).await?;

    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.body["message"],
        "The store view is not in the associated website."
    );
    Ok(())
}

#[tokio::test]
async fn guest_group_id_rejected() -> anyhow::Result<()> {
    let sandbox = Sandbox::start(Options::default()).await?;
    let body = json!({ "customer": { "email": "g@example.com", "firstname": "A", "lastname": "B", "group_id": 2 } });

    let guest = sandbox
        .guest(Method::POST, "/rest/V1/customers", Some(body.clone()))
        .await?;
    let admin = sandbox.post("/rest/V1/customers", body).await?;

    assert_eq!(guest.status, 401);
    assert_eq!(
        guest.body["message"],
        "The consumer isn't authorized to access %resources."
    );
    assert_eq!(
        guest.body["parameters"],
        json!({ "resources": "Magento_Customer::manage" })
    );
    assert_eq!(admin.status, 200);
    assert_eq!(admin.body["group_id"], 2);
    Ok(())
}

#[tokio::test]
async fn address_serialization_flags() -> anyhow::Result<()> {
    let sandbox = Sandbox::start(Options::default()).await?;
    let german = json!({
        "firstname": "Jörg", "lastname": "Müller", "street": ["Hauptstraße 1"], "city": "Berlin",
        "postcode": "10115", "telephone": "+49 30 1234", "countryId": "DE"
    });
    let mut body = new_customer("flags@example.com");
    body["customer"]["addresses"] =
        json!([us_address(true, false), german, us_address(false, true)]);

    let reply = sandbox.post("/rest/V1/customers", body).await?;

    assert_eq!(reply.status, 200, "{:?}", reply.body);
    let customer = &reply.body;
    let addresses = customer["addresses"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        customer["default_billing"],
        json!(addresses[0]["id"].to_string())
    );
    assert_eq!(
        customer["default_shipping"],
        json!(addresses[2]["id"].to_string())
    );
    assert_eq!(addresses[0]["default_billing"], true);
    assert!(addresses[0].get("default_shipping").is_none());
    assert!(addresses[1].get("default_billing").is_none());
    assert_eq!(
        addresses[0]["region"],
        json!({ "region_code": "TX", "region": "Texas", "region_id": 57 })
    );
    assert_eq!(addresses[0]["region_id"], 57);
    assert_eq!(addresses[0]["street"], json!(["100 Main St", "Suite 4"]));
    assert_eq!(
        addresses[1]["region"],
        json!({ "region_code": null, "region": null, "region_id": null })
    );
    assert!(addresses[1].get("region_id").is_none());
    assert_eq!(addresses[1]["customer_id"], customer["id"]);
    Ok(())
}

#[tokio::test]
async fn address_same_default_both() -> anyhow::Result<()> {
    let sandbox = Sandbox::start(Options::default()).await?;

    let reply = sandbox
        .post("/rest/V1/customers", new_customer("both@example.com"))
        .await?;
    let address_id = reply.body["addresses"][0]["id"]
        .as_u64()
        .unwrap_or_default();
    let address = sandbox
        .get(&format!("/rest/V1/customers/addresses/{address_id}"))
        .await?;

    assert_eq!(
        reply.body["default_billing"],
        reply.body["default_shipping"]
    );
    assert_eq!(address.status, 200);
    assert_eq!(address.body["default_billing"], true);
    assert_eq!(address.body["default_shipping"], true);
    Ok(())
}

#[tokio::test]
async fn address_missing_404() -> anyhow::Result<()> {
    let sandbox = Sandbox::start(Options::default()).await?;

    let reply = sandbox.get("/rest/V1/customers/addresses/999").await?;
    let guest = sandbox
        .guest(Method::GET, "/rest/V1/customers/addresses/999", None)
        .await?;

    assert_eq!(reply.status, 404);
    assert_eq!(
        reply.body["parameters"],
        json!({ "fieldName": "addressId", "fieldValue": 999 })
    );
    assert_eq!(guest.status, 401);
    assert_eq!(
        guest.body["parameters"],
        json!({ "resources": "Magento_Customer::manage" })
    );
    Ok(())
}

#[tokio::test]
async fn address_validation_rolls_back() -> anyhow::Result<()> {
    let sandbox = Sandbox::start(Options::default()).await?;
    let mut body = new_customer("rollback@example.com");
    body["customer"]["addresses"][0]["region_id"] = Value::Null;

    let failed = sandbox.post("/rest/V1/customers", body).await?;
    let search = sandbox
        .get(&criteria(&[
            ("[filter_groups][0][filters][0][field]", "email"),
            (
                "[filter_groups][0][filters][0][value]",
                "rollback@example.com",
            ),
        ]))
        .await?;
    let next = sandbox
        .post("/rest/V1/customers", new_customer("after@example.com"))
        .await?;

    assert_eq!(failed.status, 400);
    assert_eq!(failed.body["message"], REQUIRED);
    assert_eq!(
        failed.body["parameters"],
        json!({ "fieldName": "regionId" })
    );
    assert_eq!(search.body["total_count"], 0);
    assert_eq!(next.body["id"], 2);
    Ok(())
}

#[tokio::test]
async fn address_rules_grouped() -> anyhow::Result<()> {
    let sandbox = Sandbox::start(Options::default()).await?;
    let mut body = new_customer("grouped@example.com");
    body["customer"]["addresses"][0] = json!({ "firstname": "A", "lastname": "B", "country_id": "US", "region_id": 74, "street": ["1", "2", "3"] });

    let reply = sandbox.post("/rest/V1/customers", body).await?;

    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.body["message"],
        "One or more input exceptions have occurred."
    );
    let errors = reply.body["errors"].as_array().cloned().unwrap_or_default();
    assert!(
        errors.contains(&json!({ "message": REQUIRED, "parameters": { "fieldName": "city" } }))
    );
    assert!(
        errors
            .contains(&json!({ "message": REQUIRED, "parameters": { "fieldName": "telephone" } }))
    );
    assert!(
        errors.contains(&json!({ "message": REQUIRED, "parameters": { "fieldName": "postcode" } }))
    );
    assert!(errors.contains(&json!({ "message": "\"%1\" cannot contain more than %2 lines.", "parameters": ["Street Address", 2] })));
    assert!(errors.contains(
        &json!({ "message": INVALID_VALUE, "parameters": { "fieldName": "regionId", "value": 74 } })
    ));
    Ok(())
}

#[tokio::test]
async fn region_id_rejected_without_list() -> anyhow::Result<()> {
    let sandbox = Sandbox::start(Options::default()).await?;
    let mut czech = new_customer("cz@example.com");
    czech["customer"]["addresses"][0]["country_id"] = json!("CZ");
    czech["customer"]["addresses"][0]["postcode"] = json!("110 00");
    let mut text_only = czech.clone();
    text_only["customer"]["email"] = json!("cz2@example.com");
    text_only["customer"]["addresses"][0]["region_id"] = Value::Null;
    text_only["customer"]["addresses"][0]["region"] = json!({ "region": "Hlavní město Praha" });

    let with_id = sandbox.post("/rest/V1/customers", czech).await?;
    let with_text = sandbox.post("/rest/V1/customers", text_only).await?;

    assert_eq!(with_id.status, 400);
    assert_eq!(
        with_id.body["parameters"],
        json!({ "fieldName": "regionId", "value": 57 })
    );
    assert_eq!(with_text.status, 200, "{:?}", with_text.body);
    assert_eq!(
        with_text.body["addresses"][0]["region"]["region"],
        "Hlavní město Praha"
    );
    Ok(())
}

#[tokio::test]
async fn disallowed_country_dropped() -> anyhow::Result<()> {
    let sandbox = Sandbox::start(Options::default()).await?;
    sandbox
        .set_config(json!({ "allowed_countries": ["DE", "FR"] }))
        .await?;

    let reply = sandbox
        .post("/rest/V1/customers", new_customer("dropped@example.com"))
        .await?;

    assert_eq!(reply.status, 200);
    assert_eq!(reply.body["addresses"], json!([]));
    assert!(reply.body.get("default_billing").is_none());
    Ok(())
}

#[tokio::test]
async fn street_lines_from_config() -> anyhow::Result<()> {
    let sandbox = Sandbox::start(Options::default()).await?;
    sandbox.set_config(json!({ "street_lines": 1 })).await?;

    let reply = sandbox
        .post("/rest/V1/customers", new_customer("lines@example.com"))
        .await?;

    assert_eq!(reply.status, 400);
    assert_eq!(reply.body["parameters"], json!(["Street Address", 1]));
    Ok(())
}

#[tokio::test]
async fn camel_case_input_accepted() -> anyhow::Result<()> {
    let sandbox = Sandbox::start(Options::default()).await?;
    let body = json!({ "customer": {
        "email": "camel@example.com", "firstname": "A", "lastname": "B", "websiteId": 2,
        "extensionAttributes": { "isSubscribed": true },
        "addresses": [{ "firstname": "A", "lastname": "B", "street": ["1 King St"], "city": "Toronto", "postcode": "M5V 2T6",
                        "telephone": "1", "countryId": "CA", "region": { "regionCode": "ON" }, "defaultBilling": true }]
    } });

    let reply = sandbox.post("/rest/V1/customers", body).await?;

    assert_eq!(reply.status, 200, "{:?}", reply.body);
    assert_eq!(reply.body["website_id"], 2);
    assert_eq!(reply.body["extension_attributes"]["is_subscribed"], true);
    assert_eq!(reply.body["addresses"][0]["region_id"], 74);
    assert_eq!(reply.body["addresses"][0]["default_billing"], true);
    Ok(())
}

#[tokio::test]
async fn unknown_field_rejected() -> anyhow::Result<()> {
    let sandbox = Sandbox::start(Options::default()).await?;
    let body = json!({ "customer": { "email": "x@example.com", "firstname": "A", "lastname": "B", "favorite_color": "red" } });

    let reply = sandbox.post("/rest/V1/customers", body).await?;

    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.body["message"],
        "\"%fieldName\" is not supported. Correct the field name and try again."
    );
    assert_eq!(
        reply.body["parameters"],
        json!({ "fieldName": "FavoriteColor" })
    );
    Ok(())
}

#[tokio::test]
async fn create_missing_customer_param() -> anyhow::Result<()> {
    let sandbox = Sandbox::start(Options::default()).await?;

    let reply = sandbox
        .post("/rest/V1/customers", json!({ "password": "x" }))
        .await?;

    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.body,
        json!({ "message": REQUIRED, "parameters": { "fieldName": "customer" } })
    );
    Ok(())
}

#[tokio::test]
async fn update_replaces_addresses() -> anyhow::Result<()> {
    let sandbox = Sandbox::start(Options::default()).await?;
    let mut body = new_customer("upd@example.com");
    body["customer"]["addresses"] = json!([
        us_address(true, false),
        us_address(false, true),
        us_address(false, false)
    ]);
    let created = sandbox.post("/rest/V1/customers", body).await?.body;
    let first_address = created["addresses"][0].clone();

    let mut changed = first_address.clone();
    changed["telephone"] = json!("5125559999");
    let update = json!({ "customer": {
        "id": 999, "email": "upd@example.com", "firstname": "Ana", "lastname": "Silva", "website_id": 1,
        "default_billing": first_address["id"], "default_shipping": first_address["id"], "addresses": [changed]
    } });
    let reply = sandbox.put("/rest/V1/customers/1", update).await?;

    assert_eq!(reply.status, 200, "{:?}", reply.body);
    assert_eq!(reply.body["id"], 1);
    assert_eq!(reply.body["addresses"].as_array().map(Vec::len), Some(1));
    assert_eq!(reply.body["addresses"][0]["id"], first_address["id"]);
    assert_eq!(reply.body["addresses"][0]["telephone"], "5125559999");
    assert_eq!(
        reply.body["default_shipping"],
        json!(first_address["id"].to_string())
    );
    assert_eq!(reply.body["created_at"], created["created_at"]);
    assert_eq!(reply.body["group_id"], 1);
    Ok(())
}

#[tokio::test]
async fn update_without_addresses_keeps() -> anyhow::Result<()> {
    let sandbox = Sandbox::with_customers(3).await?;
    let before = sandbox.get("/rest/V1/customers/2").await?.body;
    let mut customer = before.clone();
    customer["firstname"] = json!("Renamed");
    if let Some(object) = customer.as_object_mut() {
        object.remove("addresses");
        object.remove("default_billing");
        object.remove("default_shipping");
    }

    let reply = sandbox
        .put("/rest/V1/customers/2", json!({ "customer": customer }))
        .await?;

    assert_eq!(reply.status, 200, "{:?}", reply.body);
    assert_eq!(reply.body["firstname"], "Renamed");
    assert_eq!(reply.body["addresses"], before["addresses"]);
    assert_eq!(reply.body["default_billing"], before["default_billing"]);
    assert_eq!(reply.body["default_shipping"], before["default_shipping"]);
    assert_eq!(reply.body["created_at"], before["created_at"]);
    assert_ne!(reply.body["updated_at"], before["updated_at"]);
    Ok(())
}

#[tokio::test]
async fn update_default_id_checked() -> anyhow::Result<()> {
    let sandbox = Sandbox::start(Options::default()).await?;
    sandbox
        .post("/rest/V1/customers", new_customer("def@example.com"))
        .await?;
    let update = json!({ "customer": {
        "email": "def@example.com", "firstname": "A", "lastname": "B", "website_id": 1,
        "default_billing": 4242, "addresses": [us_address(false, false)]
    } });

    let reply = sandbox.put("/rest/V1/customers/1", update).await?;

    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.body["message"],
        "The %fieldName value is invalid. Set the correct value and try again."
    );
    Ok(())
}

#[tokio::test]
async fn update_unknown_group_and_id() -> anyhow::Result<()> {
    let sandbox = Sandbox::with_customers(1).await?;
    let body = |group: u64| json!({ "customer": { "email": "x@example.com", "firstname": "A", "lastname": "B", "website_id": 1, "group_id": group } });

    let bad_group = sandbox.put("/rest/V1/customers/1", body(77)).await?;
    let missing = sandbox.put("/rest/V1/customers/50", body(1)).await?;

    assert_eq!(bad_group.status, 400);
    assert_eq!(
        bad_group.body["message"],
        "The specified customer group id does not exist."
    );
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.body["parameters"],
        json!({ "fieldName": "customerId", "fieldValue": 50 })
    );
    Ok(())
}

#[tokio::test]
async fn update_email_clash() -> anyhow::Result<()> {
    let sandbox = Sandbox::start(Options::default()).await?;
    sandbox
        .post("/rest/V1/customers", new_customer("one@example.com"))
        .await?;
    sandbox
        .post("/rest/V1/customers", new_customer("two@example.com"))
        .await?;
    let body = json!({ "customer": { "email": "ONE@example.com", "firstname": "A", "lastname": "B", "website_id": 1 } });

    let reply = sandbox.put("/rest/V1/customers/2", body).await?;

    assert_eq!(reply.status, 400);
    assert_eq!(reply.body["message"], DUPLICATE);
    Ok(())
}

#[tokio::test]
async fn delete_then_missing() -> anyhow::Result<()> {
    let sandbox = Sandbox::with_customers(2).await?;

    let deleted = sandbox
        .admin(Method::DELETE, "/rest/V1/customers/2", None)
        .await?;
    let again = sandbox
        .admin(Method::DELETE, "/rest/V1/customers/2", None)
        .await?;
    let guest = sandbox
        .guest(Method::DELETE, "/rest/V1/customers/1", None)
        .await?;

    assert_eq!(deleted.status, 200);
    assert_eq!(deleted.body, json!(true));
    assert_eq!(again.status, 404);
    assert_eq!(guest.status, 401);
    Ok(())
}

#[tokio::test]
async fn directory_regions() -> anyhow::Result<()> {
    let sandbox = Sandbox::start(Options::default()).await?;

    let us = sandbox
        .guest(Method::GET, "/rest/V1/directory/countries/US", None)
        .await?;
    let germany = sandbox
        .guest(Method::GET, "/rest/V1/directory/countries/DE", None)
        .await?;
    let india = sandbox
        .guest(Method::GET, "/rest/V1/directory/countries/IN", None)
        .await?;
    let unknown = sandbox
        .guest(Method::GET, "/rest/V1/directory/countries/XX", None)
        .await?;
    let all = sandbox
        .guest(Method::GET, "/rest/V1/directory/countries", None)
        .await?;

    let texas = us.body["available_regions"]
        .as_array()
        .and_then(|regions| regions.iter().find(|r| r["code"] == "TX").cloned());
    assert_eq!(
        texas,
        Some(json!({ "id": "57", "code": "TX", "name": "Texas" }))
    );
    assert_eq!(us.body["three_letter_abbreviation"], "USA");
    assert!(germany.body.get("available_regions").is_none());
    assert_eq!(
        india.body["available_regions"].as_array().map(Vec::len),
        Some(36)
    );
    assert_eq!(unknown.status, 404);
    assert!(all.body.as_array().map(Vec::len).unwrap_or_default() >= 30);
    Ok(())
}

#[tokio::test]
async fn search_requires_criteria() -> anyhow::Result<()> {
    let sandbox = Sandbox::with_customers(3).await?;

    let missing = sandbox.get("/rest/V1/customers/search").await?;
    let empty = sandbox
        .get("/rest/V1/customers/search?searchCriteria=")
        .await?;

    assert_eq!(missing.status, 400);
    assert_eq!(
        missing.body["parameters"],
        json!({ "fieldName": "searchCriteria" })
    );
    assert_eq!(empty.status, 200);
    assert_eq!(empty.body["total_count"], 3);
    assert_eq!(
        empty.body["search_criteria"],
        json!({ "filter_groups": [] })
    );
    Ok(())
}

#[tokio::test]
async fn search_page_past_end() -> anyhow::Result<()> {
    let sandbox = Sandbox::with_customers(45).await?;

    let last = sandbox
        .get(&criteria(&[("[pageSize]", "20"), ("[currentPage]", "3")]))
        .await?;
    let past = sandbox
        .get(&criteria(&[("[pageSize]", "20"), ("[currentPage]", "9")]))
        .await?;
    let zero = sandbox
        .get(&criteria(&[("[pageSize]", "20"), ("[currentPage]", "0")]))
        .await?;

    assert_eq!(ids(&last.body), (41..=45).collect::<Vec<u64>>());
    assert_eq!(ids(&past.body), ids(&last.body));
    assert_eq!(past.body["total_count"], 45);
    assert_eq!(past.body["search_criteria"]["current_page"], 9);
    assert_eq!(past.body["search_criteria"]["page_size"], 20);
    assert_eq!(ids(&zero.body), (1..=20).collect::<Vec<u64>>());
    Ok(())
}

#[tokio::test]
async fn search_groups_or_and() -> anyhow::Result<()> {
    let sandbox = Sandbox::with_customers(30).await?;
    let query = criteria(&[
        ("[filter_groups][0][filters][0][field]", "entity_id"),
        ("[filter_groups][0][filters][0][value]", "3"),
        ("[filter_groups][0][filters][1][field]", "entity_id"),
        ("[filter_groups][0][filters][1][value]", "25"),
        ("[filter_groups][0][filters][1][condition_type]", "gteq"),
        ("[filter_groups][1][filters][0][field]", "website_id"),
        ("[filter_groups][1][filters][0][value]", "1"),
    ]);

    let reply = sandbox.get(&query).await?;

    assert_eq!(ids(&reply.body), vec![3, 26, 27, 28, 29]);
    assert_eq!(
        reply.body["search_criteria"]["filter_groups"][0]["filters"][0],
        json!({ "field": "entity_id", "value": "3" })
    );
    assert!(reply.body["search_criteria"].get("page_size").is_none());
    Ok(())
}

#[tokio::test]
async fn search_condition_types() -> anyhow::Result<()> {
    let sandbox = Sandbox::with_customers(20).await?;
    let target = sandbox.get("/rest/V1/customers/4").await?.body;
    let email = target["email"].as_str().unwrap_or_default().to_string();
    let cases: Vec<(&str, String, &str, Vec<u64>)> = vec![
        ("entity_id", "18".into(), "gt", vec![19, 20]),
        ("entity_id", "3".into(), "lt", vec![1, 2]),
        ("entity_id", "3".into(), "lteq", vec![1, 2, 3]),
        ("entity_id", "19".into(), "moreq", vec![19, 20]),
        ("entity_id", "19".into(), "from", vec![19, 20]),
        ("entity_id", "2".into(), "to", vec![1, 2]),
        ("entity_id", "2,5,7".into(), "in", vec![2, 5, 7]),
        ("email", email.to_uppercase(), "eq", vec![4]),
        ("email", format!("%{}", &email[1..]), "like", vec![4]),
        ("website_id", "1".into(), "neq", vec![5, 10, 15, 20]),
        ("entity_id", "1".into(), "finset", vec![1]),
    ];

    for (field, value, condition, expected) in cases {
        let query = criteria(&[
            ("[filter_groups][0][filters][0][field]", field),
            ("[filter_groups][0][filters][0][value]", &value),
            ("[filter_groups][0][filters][0][condition_type]", condition),
        ]);
        let reply = sandbox.get(&query).await?;

        assert_eq!(reply.status, 200, "{condition} {:?}", reply.body);
        assert_eq!(ids(&reply.body), expected, "{field} {condition} {value}");
        assert_eq!(reply.body["total_count"], expected.len(), "{condition}");
    }

    let not_in = sandbox
        .get(&criteria(&[
            ("[filter_groups][0][filters][0][field]", "entity_id"),
            ("[filter_groups][0][filters][0][value]", "1,2"),
            ("[filter_groups][0][filters][0][condition_type]", "nin"),
        ]))
        .await?;
    assert_eq!(not_in.body["total_count"], 18);
    Ok(())
}

#[tokio::test]
async fn search_null_conditions() -> anyhow::Result<()> {
    let sandbox = Sandbox::with_customers(20).await?;
    let query = |condition: &str| {
        criteria(&[
            ("[filter_groups][0][filters][0][field]", "default_billing"),
            ("[filter_groups][0][filters][0][value]", "1"),
            ("[filter_groups][0][filters][0][condition_type]", condition),
        ])
    };

    let null = sandbox.get(&query("null")).await?;
    let not_null = sandbox.get(&query("notnull")).await?;

    assert_eq!(ids(&null.body), vec![5, 10, 15, 20]);
    assert_eq!(not_null.body["total_count"], 16);
    Ok(())
}

#[tokio::test]
async fn search_name_and_billing() -> anyhow::Result<()> {
    let sandbox = Sandbox::with_customers(20).await?;
    let target = sandbox.get("/rest/V1/customers/1").await?.body;
    let billing = target["addresses"][0].clone();
    let city = billing["city"].as_str().unwrap_or_default().to_string();
    let firstname = target["firstname"].as_str().unwrap_or_default().to_string();

    let by_city = sandbox
        .get(&criteria(&[
            ("[filter_groups][0][filters][0][field]", "billing_city"),
            ("[filter_groups][0][filters][0][value]", &city),
        ]))
        .await?;
    let by_name = sandbox
        .get(&criteria(&[
            ("[filter_groups][0][filters][0][field]", "name"),
            (
                "[filter_groups][0][filters][0][value]",
                &format!("%{firstname}%"),
            ),
            ("[filter_groups][0][filters][0][condition_type]", "like"),
        ]))
        .await?;

    assert!(ids(&by_city.body).contains(&1));
    for item in by_city.body["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
    {
        let default_id = item["default_billing"]
            .as_str()
            .and_then(|id| id.parse::<u64>().ok());
        let address = item["addresses"].as_array().and_then(|list| {
            list.iter()
                .find(|a| a["id"].as_u64() == default_id)
                .cloned()
        });
        assert_eq!(address.map(|a| a["city"].clone()), Some(json!(city)));
    }
    assert!(ids(&by_name.body).contains(&1));
    Ok(())
}

#[tokio::test]
async fn search_sort_orders() -> anyhow::Result<()> {
    let sandbox = Sandbox::with_customers(10).await?;

    let descending = sandbox
        .get(&criteria(&[
            ("[sortOrders][0][field]", "entity_id"),
            ("[sortOrders][0][direction]", "desc"),
            ("[pageSize]", "3"),
        ]))
        .await?;
    let by_website = sandbox
        .get(&criteria(&[
            ("[sortOrders][0][field]", "website_id"),
            ("[sortOrders][0][direction]", "DESC"),
        ]))
        .await?;
    let bad = sandbox
        .get(&criteria(&[
            ("[sortOrders][0][field]", "email"),
            ("[sortOrders][0][direction]", "up"),
        ]))
        .await?;

    assert_eq!(ids(&descending.body), vec![10, 9, 8]);
    assert_eq!(
        descending.body["search_criteria"]["sort_orders"],
        json!([{ "field": "entity_id", "direction": "DESC" }])
    );
    assert_eq!(ids(&by_website.body), vec![5, 10, 1, 2, 3, 4, 6, 7, 8, 9]);
    assert_eq!(bad.status, 400);
    assert_eq!(
        bad.body["message"],
        "The sort order has to be specified as %1 for ascending order or %2 for descending order."
    );
    assert_eq!(bad.body["parameters"], json!(["ASC", "DESC"]));
    Ok(())
}

#[tokio::test]
async fn search_input_limits() -> anyhow::Result<()> {
    let sandbox = Sandbox::with_customers(30).await?;
    sandbox.set_config(json!({ "input_limits": true })).await?;

    let too_big = sandbox.get(&criteria(&[("[pageSize]", "301")])).await?;
    let defaulted = sandbox
        .get("/rest/V1/customers/search?searchCriteria=")
        .await?;

    assert_eq!(too_big.status, 400);
    assert_eq!(
        too_big.body,
        json!({ "message": "Maximum SearchCriteria pageSize is %max", "parameters": { "max": 300 } })
    );
    assert_eq!(defaulted.body["items"].as_array().map(Vec::len), Some(20));
    assert_eq!(defaulted.body["search_criteria"]["page_size"], 20);
    assert_eq!(defaulted.body["total_count"], 30);
    Ok(())
}

#[tokio::test]
async fn search_keyset_pages_all() -> anyhow::Result<()> {
    let sandbox = Sandbox::with_customers(1000).await?;
    let mut last_id = 0u64;
    let mut seen: Vec<u64> = Vec::new();

    loop {
        let reply = sandbox
            .get(&criteria(&[
                ("[filter_groups][0][filters][0][field]", "entity_id"),
                (
                    "[filter_groups][0][filters][0][value]",
                    &last_id.to_string(),
                ),
                ("[filter_groups][0][filters][0][condition_type]", "gt"),
                ("[sortOrders][0][field]", "entity_id"),
                ("[sortOrders][0][direction]", "ASC"),
                ("[pageSize]", "300"),
            ]))
            .await?;
        let page = ids(&reply.body);
        seen.extend(&page);
        if page.len() < 300 {
            break;
        }
        last_id = page.last().copied().unwrap_or(last_id);
    }

    assert_eq!(seen, (1..=1000).collect::<Vec<u64>>());
    Ok(())
}

#[tokio::test]
async fn seed_is_deterministic() -> anyhow::Result<()> {
    let first = Sandbox::with_customers(12).await?;
    let second = Sandbox::with_customers(12).await?;

    let one = first.get("/rest/V1/customers/12").await?;
    let two = second.get("/rest/V1/customers/12").await?;

    assert_eq!(one.status, 200);
    assert_eq!(one.body, two.body);
    assert!(
        one.body["created_at"]
            .as_str()
            .is_some_and(|time| time < "2025-01-01")
    );
    Ok(())
}

#[tokio::test]
async fn config_rejects_invalid() -> anyhow::Result<()> {
    let sandbox = Sandbox::start(Options::default()).await?;

    let reply = sandbox
        .put("/_sandbox/config", json!({ "street_lines": 9 }))
        .await?;
    let current = sandbox.get("/_sandbox/config").await?;

    assert_eq!(reply.status, 400);
    assert!(
        reply.body["message"]
            .as_str()
            .is_some_and(|message| message.contains("street_lines is 9"))
    );
    assert_eq!(current.body["street_lines"], 2);
    assert_eq!(current.body["account_share_scope"], "website");
    assert_eq!(current.body["integration_as_bearer"], false);
    Ok(())
}

#[tokio::test]
async fn large_seed_keyset_fast() -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let sandbox = Sandbox::with_customers(100_000).await?;
    let startup = started.elapsed();

    let started = std::time::Instant::now();
    let reply = sandbox
        .get(&criteria(&[
            ("[filter_groups][0][filters][0][field]", "entity_id"),
            ("[filter_groups][0][filters][0][value]", "99000"),
            ("[filter_groups][0][filters][0][condition_type]", "gt"),
            ("[pageSize]", "300"),
        ]))
        .await?;
    let query = started.elapsed();

    assert_eq!(reply.body["total_count"], 1000);
    assert_eq!(ids(&reply.body).first(), Some(&99001));
    // Generous bounds for an unoptimized build on a shared machine; a full scan that
    // clones every customer would take far longer than the query bound.
    assert!(startup < std::time::Duration::from_secs(60), "{startup:?}");
    assert!(query < std::time::Duration::from_secs(3), "{query:?}");
    Ok(())
}

#[tokio::test]
async fn search_contradictory_id_range() -> anyhow::Result<()> {
    let sandbox = Sandbox::with_customers(10).await?;
    let query = |low: &str, high: &str| {
        criteria(&[
            ("[filter_groups][0][filters][0][field]", "entity_id"),
            ("[filter_groups][0][filters][0][value]", low),
            ("[filter_groups][0][filters][0][condition_type]", "gt"),
            ("[filter_groups][1][filters][0][field]", "entity_id"),
            ("[filter_groups][1][filters][0][value]", high),
            ("[filter_groups][1][filters][0][condition_type]", "lt"),
        ])
    };

    let crossed = sandbox.get(&query("8", "3")).await?;
    let touching = sandbox.get(&query("5", "5")).await?;
    let window = sandbox.get(&query("3", "6")).await?;

    assert_eq!(crossed.status, 200);
    assert_eq!(crossed.body["total_count"], 0);
    assert_eq!(touching.body["total_count"], 0);
    assert_eq!(ids(&window.body), vec![4, 5]);
    Ok(())
}

#[tokio::test]
async fn update_without_website_rejected() -> anyhow::Result<()> {
    let sandbox = Sandbox::with_customers(1).await?;
    let current = sandbox.get("/rest/V1/customers/1").await?.body;
    let body =
        json!({ "customer": { "email": current["email"], "firstname": "A", "lastname": "B" } });

    let reply = sandbox.put("/rest/V1/customers/1", body).await?;

    assert_eq!(reply.status, 400);
    assert_eq!(reply.body["message"], DUPLICATE);
    Ok(())
}

#[tokio::test]
async fn input_limits_address_count() -> anyhow::Result<()> {
    let sandbox = Sandbox::start(Options::default()).await?;
    sandbox.set_config(json!({ "input_limits": true })).await?;
    let mut body = new_customer("many@example.com");
    body["customer"]["addresses"] = Value::Array(vec![us_address(false, false); 21]);

    let reply = sandbox.post("/rest/V1/customers", body).await?;

    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.body["message"],
        "Maximum items of type \"%type\" is %max"
    );
    assert_eq!(reply.body["parameters"]["max"], 20);
    Ok(())
}

#[tokio::test]
async fn content_type_rejected() -> anyhow::Result<()> {
    let sandbox = Sandbox::start(Options::default()).await?;

    let response = sandbox
        .http
        .post(sandbox.url("/rest/V1/customers"))
        .header("Content-Type", "text/plain")
        .body("{}")
        .send()
        .await?;
    let status = response.status().as_u16();
    let body: Value = response.json().await?;

    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({ "message": "Server cannot understand Content-Type HTTP header media type %1", "parameters": ["text/plain"] })
    );
    Ok(())
}
