//! "Create in Magento" and "Update in Magento".

use serde_json::{Value, json};
use shared::magento::{Address, Customer, Region};
use shared::sync::{
    CreateRequest, CreateSource, CustomerInput, Outcome, SyncError, create_in_magento,
    pull_customer, update_in_magento,
};

use crate::harness::{Env, INSTANCE, Setup};

async fn route_count(env: &Env, route: &str) -> anyhow::Result<u64> {
    let url = format!("{}/_sandbox/stats", env.magento.base_url);
    let stats: Value = env.http.get(url).send().await?.json().await?;
    Ok(stats["routes"][route].as_u64().unwrap_or_default())
}

async fn country_id(env: &Env, code: &str) -> anyhow::Result<i64> {
    let found = env
        .odoo_call(
            "res.country",
            "search_read",
            json!([[["code", "=", code]]]),
            json!({"fields": ["id"]}),
        )
        .await?;
    Ok(found[0]["id"].as_i64().expect("country id"))
}

async fn state_id(env: &Env, country: i64, code: &str) -> anyhow::Result<i64> {
    let found = env
        .odoo_call(
            "res.country.state",
            "search_read",
            json!([[["country_id", "=", country], ["code", "=", code]]]),
            json!({"fields": ["id"]}),
        )
        .await?;
    Ok(found[0]["id"].as_i64().expect("state id"))
}

/// Creates a partner in Los Angeles with a delivery child in Praha.
async fn partner_with_delivery(env: &Env, email: &str) -> anyhow::Result<i64> {
    let us = country_id(env, "US").await?;
    let cz = country_id(env, "CZ").await?;
    let california = state_id(env, us, "CA").await?;
    env.odoo_create(json!({
        "name": "Ana Lima", "email": email, "phone": "555 0100", "vat": "FR40303265045",
        "street": "1 Main St", "street2": "Suite 4", "city": "Los Angeles", "zip": "90001",
        "country_id": us, "state_id": california, "company_name": "Acme",
        "child_ids": [[0, 0, {"type": "delivery", "name": "Ana Lima", "phone": "420 555",
            "street": "Vodickova 1", "city": "Praha", "zip": "11000", "country_id": cz}]]
    }))
    .await
}

fn by_partner(odoo_partner_id: i64, send_welcome_email: bool) -> CreateRequest {
    CreateRequest {
        source: CreateSource::Partner { odoo_partner_id },
        send_welcome_email,
    }
}

fn magento_id(outcome: &Outcome) -> u64 {
    match outcome {
        Outcome::Created {
            magento_customer_id,
            ..
        }
        | Outcome::Updated {
            magento_customer_id,
            ..
        }
        | Outcome::Unchanged {
            magento_customer_id,
            ..
        }
        | Outcome::AlreadyExists {
            magento_customer_id,
            ..
        } => *magento_customer_id as u64,
        other => panic!("outcome names no Magento customer: {other:?}"),
    }
}

#[tokio::test]
async fn create_from_partner_with_welcome_email() -> anyhow::Result<()> {
    let env = Env::start(Setup::default()).await?;
    let partner = partner_with_delivery(&env, "ana.lima@example.test").await?;

    let outcome = create_in_magento(&env.ctx, &by_partner(partner, true)).await?;

    assert!(matches!(outcome, Outcome::Created { .. }), "{outcome:?}");
    let customer = env
        .ctx
        .magento
        .customers()
        .get(magento_id(&outcome))
        .await?;
    assert_eq!(customer.email, "ana.lima@example.test");
    assert_eq!(customer.taxvat.as_deref(), Some("FR40303265045"));
    assert_eq!(customer.addresses.len(), 2);
    let billing = customer
        .addresses
        .iter()
        .find(|a| a.default_billing)
        .expect("billing");
    assert_eq!(billing.region_id, Some(12), "California has a region list");
    assert_eq!(billing.street, ["1 Main St", "Suite 4"]);
    assert_eq!(billing.company.as_deref(), Some("Acme"));
    assert!(!billing.default_shipping);
    let shipping = customer
        .addresses
        .iter()
        .find(|a| a.default_shipping)
        .expect("shipping");
    assert_eq!(shipping.country_id.as_deref(), Some("CZ"));
    assert_eq!(shipping.region_id, None, "Czechia has no region list");
    let outbox = env.magento_outbox().await?;
    assert_eq!(outbox[0]["template"], "welcome_no_password");
    let link = env
        .ctx
        .store
        .get_link(INSTANCE, magento_id(&outcome))
        .await?
        .expect("link");
    assert_eq!(link.odoo_partner_id, partner);
    assert!(link.customer.send_welcome_email);
    let addresses = &link.addresses;
    assert_eq!(addresses.len(), 2);
    assert!(addresses.iter().all(|a| a.odoo_partner_id != 0));
    Ok(())
}

#[tokio::test]
async fn create_with_password_never_stored() -> anyhow::Result<()> {
    let env = Env::start(Setup::default()).await?;
    let partner = partner_with_delivery(&env, "random.secret@example.test").await?;

    let outcome = create_in_magento(&env.ctx, &by_partner(partner, false)).await?;

    let outbox = env.magento_outbox().await?;
    assert_eq!(outbox[0]["template"], "welcome");
    let link = env
        .ctx
        .store
        .get_link(INSTANCE, magento_id(&outcome))
        .await?
        .expect("link");
    assert!(!link.customer.send_welcome_email);
    let stored = serde_json::to_value(&link)?;
    let keys: Vec<&String> = stored["customer"]
        .as_object()
        .expect("snapshot")
        .keys()
        .collect();
    assert!(!keys.iter().any(|key| key.contains("password")), "{keys:?}");
    Ok(())
}

#[tokio::test]
async fn create_duplicate_email_reports_existing() -> anyhow::Result<()> {
    let env = Env::start(Setup::default()).await?;
    let existing = env
        .ctx
        .magento
        .customers()
        .create(
            &Customer {
                email: "taken@example.test".into(),
                firstname: "Ana".into(),
                lastname: "Lima".into(),
                website_id: Some(1),
                ..Customer::default()
            },
            None,
        )
        .await?;
    let partner = partner_with_delivery(&env, "Taken@Example.test").await?;

    let outcome = create_in_magento(&env.ctx, &by_partner(partner, true)).await?;

    let Outcome::AlreadyExists {
        magento_customer_id,
        website_id,
        reason,
    } = &outcome
    else {
        panic!("expected the existing customer: {outcome:?}");
    };
    assert_eq!(Some(*magento_customer_id as u64), existing.id);
    assert_eq!(*website_id, 1);
    assert!(reason.contains("link it instead"), "{reason}");
    assert_eq!(
        route_count(&env, "POST /V1/customers").await?,
        2,
        "one create by the test, one by the sync"
    );
    assert!(
        env.ctx
            .store
            .get_link_by_partner(INSTANCE, partner)
            .await?
            .is_none()
    );
    Ok(())
}

#[tokio::test]
async fn create_rejects_accented_email_before_write() -> anyhow::Result<()> {
    let env = Env::start(Setup::default()).await?;
    let partner = partner_with_delivery(&env, "josé@example.test").await?;

    let error = create_in_magento(&env.ctx, &by_partner(partner, true))
        .await
        .expect_err("invalid email");

    let SyncError::Invalid(errors) = &error else {
        panic!("expected a validation error: {error:?}");
    };
    assert_eq!(errors.0.len(), 1);
    assert_eq!(errors.0[0].field, "email");
    assert!(
        errors.0[0].message.contains("non-ASCII character 'é'"),
        "{}",
        errors.0[0].message
    );
    assert_eq!(route_count(&env, "POST /V1/customers").await?, 0);
    Ok(())
}

#[tokio::test]
async fn create_from_form_links_odoo_partner() -> anyhow::Result<()> {
    let env = Env::start(Setup::default()).await?;
    let input = CustomerInput {
        prefix: Some("Dr.".into()),
        firstname: "Zoë".into(),
        lastname: "O'Neil".into(),
        email: "zoe.oneil@example.test".into(),
        phone: Some("555 0101".into()),
        street: vec!["1 Main St".into(), "Floor 2".into(), "Unit B".into()],
        city: Some("Austin".into()),
        postcode: Some("78701".into()),
        country_code: Some("US".into()),
        region: Some("TX".into()),
        ..CustomerInput::default()
    };
    let request = CreateRequest {
        source: CreateSource::Form(Box::new(input)),
        send_welcome_email: true,
    };

    let outcome = create_in_magento(&env.ctx, &request).await?;

    let Outcome::Created {
        magento_customer_id,
        odoo_partner_id,
        ..
    } = &outcome
    else {
        panic!("expected a created customer: {outcome:?}");
    };
    let customer = env
        .ctx
        .magento
        .customers()
        .get(*magento_customer_id as u64)
        .await?;
    assert_eq!(customer.prefix.as_deref(), Some("Dr."));
    assert_eq!(customer.addresses.len(), 1);
    assert_eq!(
        customer.addresses[0].street,
        ["1 Main St", "Floor 2, Unit B"]
    );
    assert_eq!(customer.addresses[0].region_id, Some(57));
    let partner = env.odoo_read(&[*odoo_partner_id]).await?.remove(0);
    assert_eq!(partner.name.as_deref(), Some("Zoë O'Neil"));
    assert_eq!(partner.street2.as_deref(), Some("Floor 2, Unit B"));
    let link = env
        .ctx
        .store
        .get_link(INSTANCE, *magento_customer_id as u64)
        .await?
        .expect("link");
    assert!(link.customer.send_welcome_email);
    Ok(())
}

#[tokio::test]
async fn create_form_rejects_bad_fields() -> anyhow::Result<()> {
    let env = Env::start(Setup::default()).await?;
    let input = CustomerInput {
        firstname: "Ana$".into(),
        lastname: String::new(),
        email: "ana@example.test".into(),
        street: vec!["1 Main St".into()],
        country_code: Some("US".into()),
        ..CustomerInput::default()
    };
    let request = CreateRequest {
        source: CreateSource::Form(Box::new(input)),
        send_welcome_email: true,
    };

    let error = create_in_magento(&env.ctx, &request)
        .await
        .expect_err("invalid fields");

    let SyncError::Invalid(errors) = &error else {
        panic!("expected a validation error: {error:?}");
    };
    let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
    assert!(fields.contains(&"firstname"), "{fields:?}");
    assert!(fields.contains(&"lastname"), "{fields:?}");
    assert!(fields.contains(&"addresses[0].city"), "{fields:?}");
    assert!(fields.contains(&"addresses[0].telephone"), "{fields:?}");
    assert!(fields.contains(&"addresses[0].region_id"), "{fields:?}");
    assert_eq!(route_count(&env, "POST /V1/customers").await?, 0);
    Ok(())
}

/// Creates a customer with three addresses and pulls it into Odoo, so that it is linked.
async fn linked_customer(env: &Env) -> anyhow::Result<(Customer, i64)> {
    let address = |street: &str, city: &str, billing: bool, shipping: bool| Address {
        firstname: Some("Ana".into()),
        lastname: Some("Lima".into()),
        street: vec![street.into()],
        city: Some(city.into()),
        postcode: Some("78701".into()),
        country_id: Some("US".into()),
        region_id: Some(57),
        region: Some(Region {
            region_code: Some("TX".into()),
            region: Some("Texas".into()),
            region_id: Some(57),
        }),
        telephone: Some("512 555 0100".into()),
        default_billing: billing,
        default_shipping: shipping,
        ..Address::default()
    };
    let created = env
        .ctx
        .magento
        .customers()
        .create(
            &Customer {
                email: "three.addresses@example.test".into(),
                firstname: "Ana".into(),
                lastname: "Lima".into(),
                website_id: Some(1),
                addresses: vec![
                    address("1 Main St", "Austin", true, false),
                    address("2 Ship Rd", "Dallas", false, true),
                    address("3 Other Ln", "Houston", false, false),
                ],
                ..Customer::default()
            },
            None,
        )
        .await?;
    let pulled = pull_customer(&env.ctx, created.id.expect("id")).await?;
    let partner = pulled.outcome.odoo_partner_id().expect("partner");
    Ok((created, partner))
}

#[tokio::test]
async fn update_phone_keeps_three_addresses() -> anyhow::Result<()> {
    let env = Env::start(Setup::default()).await?;
    let (before, partner) = linked_customer(&env).await?;
    env.odoo_write(partner, json!({"phone": "512 555 9999"}))
        .await?;

    let outcome = update_in_magento(&env.ctx, partner).await?;

    assert!(matches!(outcome, Outcome::Updated { .. }), "{outcome:?}");
    let after = env
        .ctx
        .magento
        .customers()
        .get(magento_id(&outcome))
        .await?;
    let ids = |customer: &Customer| customer.addresses.iter().map(|a| a.id).collect::<Vec<_>>();
    assert_eq!(ids(&after), ids(&before));
    assert_eq!(after.default_billing, before.default_billing);
    assert_eq!(after.default_shipping, before.default_shipping);
    let billing = after
        .addresses
        .iter()
        .find(|a| a.default_billing)
        .expect("billing");
    assert_eq!(billing.telephone.as_deref(), Some("512 555 9999"));
    let others: Vec<&Address> = after
        .addresses
        .iter()
        .filter(|a| !a.default_billing)
        .collect();
    assert!(
        others
            .iter()
            .all(|a| a.telephone.as_deref() == Some("512 555 0100"))
    );
    let link = env
        .ctx
        .store
        .get_link(INSTANCE, magento_id(&outcome))
        .await?
        .expect("link");
    assert_eq!(link.customer.phone.as_deref(), Some("512 555 9999"));
    Ok(())
}

#[tokio::test]
async fn update_first_name_keeps_defaults() -> anyhow::Result<()> {
    let env = Env::start(Setup::default()).await?;
    let (before, partner) = linked_customer(&env).await?;
    env.odoo_write(partner, json!({"name": "Anna Lima"}))
        .await?;

    let outcome = update_in_magento(&env.ctx, partner).await?;

    let after = env
        .ctx
        .magento
        .customers()
        .get(magento_id(&outcome))
        .await?;
    assert_eq!(after.firstname, "Anna");
    assert_eq!(after.lastname, "Lima");
    assert_eq!(after.default_billing, before.default_billing);
    assert_eq!(after.default_shipping, before.default_shipping);
    assert_eq!(after.addresses.len(), 3);
    Ok(())
}

#[tokio::test]
async fn update_without_changes_sends_nothing() -> anyhow::Result<()> {
    let env = Env::start(Setup::default()).await?;
    let (_, partner) = linked_customer(&env).await?;

    let outcome = update_in_magento(&env.ctx, partner).await?;

    assert!(matches!(outcome, Outcome::Unchanged { .. }), "{outcome:?}");
    assert_eq!(route_count(&env, "PUT /V1/customers/:id").await?, 0);
    Ok(())
}

#[tokio::test]
async fn update_unlinked_partner_fails() -> anyhow::Result<()> {
    let env = Env::start(Setup::default()).await?;
    let partner = partner_with_delivery(&env, "unlinked@example.test").await?;

    let error = update_in_magento(&env.ctx, partner)
        .await
        .expect_err("not linked");

    assert!(
        matches!(error, SyncError::NotLinked { odoo_partner_id, .. } if odoo_partner_id == partner)
    );
    Ok(())
}
