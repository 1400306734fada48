//! "Pull from Magento": one customer, linking by email, addresses, VAT, updates.

use serde_json::json;
use shared::magento::{Address, Customer, Region};
use shared::sync::{Outcome, pull_customer};

use crate::harness::{Env, INSTANCE, Setup};

fn address(street: &[&str], city: &str, country: &str, region: Option<(&str, u64)>) -> Address {
    Address {
        firstname: Some("Ana".into()),
        lastname: Some("Lima".into()),
        street: street.iter().map(|line| (*line).to_owned()).collect(),
        city: Some(city.into()),
        postcode: Some("10001".into()),
        country_id: Some(country.into()),
        telephone: Some("555 0100".into()),
        region_id: region.map(|(_, id)| id),
        region: region.map(|(code, id)| Region {
            region_code: Some(code.into()),
            region: None,
            region_id: Some(id),
        }),
        ..Address::default()
    }
}

fn customer(email: &str, addresses: Vec<Address>) -> Customer {
    Customer {
        email: email.into(),
        firstname: "Ana".into(),
        lastname: "Lima".into(),
        website_id: Some(1),
        addresses,
        ..Customer::default()
    }
}

async fn create(env: &Env, customer: Customer) -> anyhow::Result<Customer> {
    Ok(env.ctx.magento.customers().create(&customer, None).await?)
}

fn partner_id(outcome: &Outcome) -> i64 {
    outcome
        .odoo_partner_id()
        .unwrap_or_else(|| panic!("outcome names no partner: {outcome:?}"))
}

#[tokio::test]
async fn pull_creates_partner_with_children() -> anyhow::Result<()> {
    let env = Env::start(Setup::default()).await?;
    let mut billing = address(&["1 Main St"], "New York", "US", Some(("NY", 43)));
    billing.default_billing = true;
    billing.company = Some("Acme".into());
    let mut shipping = address(&["9 Ocean Ave"], "Praha", "CZ", None);
    shipping.default_shipping = true;
    let other = address(&["5 Side Rd"], "Brno", "CZ", None);
    let created = create(
        &env,
        customer("ana.lima@example.test", vec![billing, shipping, other]),
    )
    .await?;
    let id = created.id.expect("created id");

    let result = pull_customer(&env.ctx, id).await?;

    assert!(
        matches!(result.outcome, Outcome::Created { .. }),
        "{result:?}"
    );
    let partner = env
        .odoo_read(&[partner_id(&result.outcome)])
        .await?
        .remove(0);
    assert_eq!(partner.name.as_deref(), Some("Ana Lima"));
    assert_eq!(partner.email.as_deref(), Some("ana.lima@example.test"));
    assert_eq!(partner.phone.as_deref(), Some("555 0100"));
    assert_eq!(partner.company_name.as_deref(), Some("Acme"));
    assert_eq!(partner.city.as_deref(), Some("New York"));
    assert_eq!(partner.child_ids.len(), 2);
    let children = env.odoo_read(&partner.child_ids).await?;
    let mut kinds: Vec<String> = children
        .iter()
        .map(|child| {
            format!(
                "{:?} {}",
                child.address_type,
                child.city.clone().unwrap_or_default()
            )
        })
        .collect();
    kinds.sort();
    assert_eq!(kinds, ["Some(Delivery) Praha", "Some(Other) Brno"]);

    let link = env
        .ctx
        .store
        .get_link(INSTANCE, id)
        .await?
        .expect("link stored");
    assert_eq!(link.odoo_partner_id, partner.id);
    assert_eq!(link.customer.city.as_deref(), Some("New York"));
    let address_links = &link.addresses;
    assert_eq!(address_links.len(), 3);
    let mut targets: Vec<i64> = address_links.iter().map(|a| a.odoo_partner_id).collect();
    targets.sort();
    let mut expected = vec![partner.id];
    expected.extend(&partner.child_ids);
    expected.sort();
    assert_eq!(targets, expected);
    Ok(())
}

#[tokio::test]
async fn pull_again_reads_without_writing() -> anyhow::Result<()> {
    let env = Env::start(Setup::default()).await?;
    let mut billing = address(&["1 Main St"], "Lyon", "FR", None);
    billing.default_billing = true;
    billing.default_shipping = true;
    let id = create(&env, customer("repeat@example.test", vec![billing]))
        .await?
        .id
        .expect("id");
    let first = pull_customer(&env.ctx, id).await?;
    let writes_before = odoo_writes(&env).await?;

    let second = pull_customer(&env.ctx, id).await?;

    assert!(
        matches!(first.outcome, Outcome::Created { .. }),
        "{first:?}"
    );
    assert_eq!(
        second.outcome,
        Outcome::Unchanged {
            magento_customer_id: id as i64,
            odoo_partner_id: partner_id(&first.outcome),
        }
    );
    assert_eq!(odoo_writes(&env).await?, writes_before);
    Ok(())
}

/// Counts the Odoo calls that change partners.
async fn odoo_writes(env: &Env) -> anyhow::Result<u64> {
    let stats = env.odoo_stats().await?;

    Ok(["create", "write", "load"]
        .iter()
        .filter_map(|method| stats["routes"][format!("res.partner.{method}")].as_u64())
        .sum())
}

#[tokio::test]
async fn pull_restores_odoo_edit() -> anyhow::Result<()> {
    let env = Env::start(Setup::default()).await?;
    let mut billing = address(&["1 Main St"], "Lyon", "FR", None);
    billing.default_billing = true;
    billing.default_shipping = true;
    let id = create(&env, customer("restore@example.test", vec![billing]))
        .await?
        .id
        .expect("id");
    let first = pull_customer(&env.ctx, id).await?;
    let partner_id = partner_id(&first.outcome);
    env.odoo_write(partner_id, json!({"city": "Paris"})).await?;

    let second = pull_customer(&env.ctx, id).await?;

    assert!(
        matches!(second.outcome, Outcome::Updated { .. }),
        "{second:?}"
    );
    assert_eq!(second.conflict, None, "only Odoo changed");
    let partner = env.odoo_read(&[partner_id]).await?.remove(0);
    assert_eq!(partner.city.as_deref(), Some("Lyon"));
    Ok(())
}

#[tokio::test]
async fn pull_reports_deleted_partner() -> anyhow::Result<()> {
    let env = Env::start(Setup::default()).await?;
    let id = create(&env, customer("deleted@example.test", Vec::new()))
        .await?
        .id
        .expect("id");
    let first = pull_customer(&env.ctx, id).await?;
    let partner_id = partner_id(&first.outcome);
    env.odoo_call("res.partner", "unlink", json!([[partner_id]]), json!({}))
        .await?;

    let second = pull_customer(&env.ctx, id).await?;

    let Outcome::Failed { reason } = &second.outcome else {
        panic!("expected a failure, got {second:?}");
    };
    assert!(
        reason.contains(&format!("partner {partner_id} no longer exists")),
        "{reason}"
    );
    Ok(())
}

#[tokio::test]
async fn pull_links_email_in_other_case() -> anyhow::Result<()> {
    let env = Env::start(Setup {
        customers: 4,
        partners: 6,
        ..Setup::default()
    })
    .await?;
    let before = env.odoo_partners_with_email().await?.len();

    let result = pull_customer(&env.ctx, 4).await?;

    let Outcome::LinkedToExisting { reason, .. } = &result.outcome else {
        panic!("expected a link: {result:?}");
    };
    assert!(reason.contains("has the same email"), "{reason}");
    assert_eq!(env.odoo_partners_with_email().await?.len(), before);
    let partner = env
        .odoo_read(&[partner_id(&result.outcome)])
        .await?
        .remove(0);
    let magento = env.ctx.magento.customers().get(4).await?;
    assert_eq!(
        partner.email.map(|email| email.to_lowercase()),
        Some(magento.email.to_lowercase())
    );
    Ok(())
}

#[tokio::test]
async fn pull_reports_choice_among_duplicates() -> anyhow::Result<()> {
    let env = Env::start(Setup {
        customers: 1,
        partners: 3,
        ..Setup::default()
    })
    .await?;
    let magento = env.ctx.magento.customers().get(1).await?;
    let same_email: Vec<i64> = env
        .odoo_partners_with_email()
        .await?
        .into_iter()
        .filter(|p| p.email_normalized.as_deref() == Some(magento.email.to_lowercase().as_str()))
        .map(|p| p.id)
        .collect();

    let result = pull_customer(&env.ctx, 1).await?;

    assert_eq!(
        same_email.len(),
        2,
        "the sandbox seeds two partners for customer 1"
    );
    let Outcome::LinkedToExisting {
        reason,
        odoo_partner_id,
        ..
    } = &result.outcome
    else {
        panic!("expected a link: {result:?}");
    };
    assert_eq!(*odoo_partner_id, same_email[0]);
    assert!(
        reason.starts_with("2 Odoo partners have the same email"),
        "{reason}"
    );
    Ok(())
}

#[tokio::test]
async fn pull_underscore_is_not_wildcard() -> anyhow::Result<()> {
    let env = Env::start(Setup::default()).await?;
    let decoy = env
        .odoo_create(json!({"name": "Decoy", "email": "johnxdoe@example.test"}))
        .await?;
    let id = create(&env, customer("john_doe@example.test", vec![]))
        .await?
        .id
        .expect("id");

    let result = pull_customer(&env.ctx, id).await?;

    assert!(
        matches!(result.outcome, Outcome::Created { .. }),
        "{result:?}"
    );
    assert_ne!(partner_id(&result.outcome), decoy);
    Ok(())
}

#[tokio::test]
async fn pull_without_addresses() -> anyhow::Result<()> {
    let env = Env::start(Setup::default()).await?;
    let id = create(&env, customer("no.address@example.test", vec![]))
        .await?
        .id
        .expect("id");

    let result = pull_customer(&env.ctx, id).await?;

    let partner = env
        .odoo_read(&[partner_id(&result.outcome)])
        .await?
        .remove(0);
    assert!(
        matches!(result.outcome, Outcome::Created { .. }),
        "{result:?}"
    );
    assert!(partner.child_ids.is_empty());
    assert_eq!(partner.street, None);
    let link = env.ctx.store.get_link(INSTANCE, id).await?.expect("link");
    assert!(link.addresses.is_empty());
    Ok(())
}

#[tokio::test]
async fn pull_billing_and_shipping_same_address() -> anyhow::Result<()> {
    let env = Env::start(Setup::default()).await?;
    let mut both = address(&["1 Main St"], "Los Angeles", "US", Some(("CA", 12)));
    both.default_billing = true;
    both.default_shipping = true;
    let created = create(&env, customer("both.roles@example.test", vec![both])).await?;
    let id = created.id.expect("id");

    let result = pull_customer(&env.ctx, id).await?;

    let partner = env
        .odoo_read(&[partner_id(&result.outcome)])
        .await?
        .remove(0);
    assert!(
        partner.child_ids.is_empty(),
        "one address with both roles is the partner itself"
    );
    assert_eq!(partner.city.as_deref(), Some("Los Angeles"));
    let state = partner.state_id.expect("state set by country and code");
    assert!(state.name.starts_with("California"), "{}", state.name);
    let links = env
        .ctx
        .store
        .get_link(INSTANCE, id)
        .await?
        .expect("link")
        .addresses;
    assert_eq!(links.len(), 1);
    assert_eq!(links[0].odoo_partner_id, partner.id);
    assert_eq!(Some(links[0].magento_address_id), created.addresses[0].id);
    Ok(())
}

#[tokio::test]
async fn pull_keeps_four_street_lines() -> anyhow::Result<()> {
    let env = Env::start(Setup::default()).await?;
    env.magento_config(json!({"street_lines": 4})).await?;
    let mut billing = address(
        &["1 Main St", "Floor 2", "Unit B", "Back door"],
        "Brno",
        "CZ",
        None,
    );
    billing.default_billing = true;
    let id = create(&env, customer("four.lines@example.test", vec![billing]))
        .await?
        .id
        .expect("id");

    let result = pull_customer(&env.ctx, id).await?;

    let partner = env
        .odoo_read(&[partner_id(&result.outcome)])
        .await?
        .remove(0);
    assert_eq!(partner.street.as_deref(), Some("1 Main St"));
    assert_eq!(
        partner.street2.as_deref(),
        Some("Floor 2, Unit B, Back door")
    );
    assert_eq!(partner.state_id, None);
    Ok(())
}

#[tokio::test]
async fn pull_bad_vat_still_creates() -> anyhow::Result<()> {
    let env = Env::start(Setup {
        base_vat: true,
        ..Setup::default()
    })
    .await?;
    let mut billing = address(&["1 Rue de Rivoli"], "Paris", "FR", None);
    billing.default_billing = true;
    let mut vat_customer = customer("bad.vat@example.test", vec![billing]);
    vat_customer.taxvat = Some("12345678".into());
    let id = create(&env, vat_customer).await?.id.expect("id");

    let result = pull_customer(&env.ctx, id).await?;

    let Outcome::Created {
        warnings,
        odoo_partner_id,
        ..
    } = &result.outcome
    else {
        panic!("expected a created partner: {result:?}");
    };
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].starts_with("VAT number not validated: The VAT number [12345678]"),
        "{warnings:?}"
    );
    let partner = env.odoo_read(&[*odoo_partner_id]).await?.remove(0);
    assert_eq!(partner.vat.as_deref(), Some("12345678"));
    Ok(())
}

#[tokio::test]
async fn pull_changed_phone_updates_partner() -> anyhow::Result<()> {
    let env = Env::start(Setup::default()).await?;
    let mut billing = address(&["1 Main St"], "Lyon", "FR", None);
    billing.default_billing = true;
    let mut shipping = address(&["2 Quai"], "Nice", "FR", None);
    shipping.default_shipping = true;
    let id = create(
        &env,
        customer("phone.change@example.test", vec![billing, shipping]),
    )
    .await?
    .id
    .expect("id");
    let first = pull_customer(&env.ctx, id).await?;
    let partner_before = env
        .odoo_read(&[partner_id(&first.outcome)])
        .await?
        .remove(0);
    env.ctx
        .magento
        .customers()
        .update(id, |customer| {
            for address in &mut customer.addresses {
                if address.default_billing {
                    address.telephone = Some("555 9999".into());
                }
            }
        })
        .await?;

    let second = pull_customer(&env.ctx, id).await?;

    assert!(
        matches!(second.outcome, Outcome::Updated { .. }),
        "{second:?}"
    );
    let partner = env.odoo_read(&[partner_before.id]).await?.remove(0);
    assert_eq!(partner.phone.as_deref(), Some("555 9999"));
    assert_eq!(partner.child_ids, partner_before.child_ids);
    let link = env.ctx.store.get_link(INSTANCE, id).await?.expect("link");
    assert_eq!(link.customer.phone.as_deref(), Some("555 9999"));
    Ok(())
}

#[tokio::test]
async fn pull_removed_address_archives_its_child() -> anyhow::Result<()> {
    let env = Env::start(Setup::default()).await?;
    let mut billing = address(&["1 Main St"], "Lyon", "FR", None);
    billing.default_billing = true;
    let mut shipping = address(&["2 Quai"], "Nice", "FR", None);
    shipping.default_shipping = true;
    let other = address(&["3 Rue Haute"], "Arles", "FR", None);
    let id = create(
        &env,
        customer("moved.out@example.test", vec![billing, shipping, other]),
    )
    .await?
    .id
    .expect("id");
    let first = pull_customer(&env.ctx, id).await?;
    let partner_before = env
        .odoo_read(&[partner_id(&first.outcome)])
        .await?
        .remove(0);
    let children_before = env.odoo_read(&partner_before.child_ids).await?;
    let arles_child = children_before
        .iter()
        .find(|child| child.city.as_deref() == Some("Arles"))
        .expect("a child for the Arles address")
        .id;
    env.ctx
        .magento
        .customers()
        .update(id, |customer| {
            customer
                .addresses
                .retain(|address| address.city.as_deref() != Some("Arles"));
        })
        .await?;

    let second = pull_customer(&env.ctx, id).await?;

    assert!(
        matches!(second.outcome, Outcome::Updated { .. }),
        "{second:?}"
    );
    let partner = env.odoo_read(&[partner_before.id]).await?.remove(0);
    assert_eq!(partner_before.child_ids.len(), 2);
    assert_eq!(
        partner.child_ids.len(),
        1,
        "only the Nice child stays active"
    );
    assert!(!env.odoo_read(&[arles_child]).await?.remove(0).active);
    let link = env.ctx.store.get_link(INSTANCE, id).await?.expect("link");
    assert_eq!(link.addresses.len(), 2, "billing and shipping stay linked");
    assert!(
        link.addresses
            .iter()
            .all(|a| a.odoo_partner_id != arles_child)
    );
    Ok(())
}

#[tokio::test]
async fn pull_customer_over_item_limit_fails_alone() -> anyhow::Result<()> {
    let env = Env::start(Setup::default()).await?;
    let mut addresses: Vec<Address> = (0..4_000)
        .map(|n| address(&[&format!("{n} Rue Longue")], "Lille", "FR", None))
        .collect();
    addresses[0].default_billing = true;
    let id = create(&env, customer("many.addresses@example.test", addresses))
        .await?
        .id
        .expect("id");

    let result = pull_customer(&env.ctx, id).await?;

    let Outcome::Failed { reason } = &result.outcome else {
        panic!("a link over DynamoDB's item limit must fail: {result:?}");
    };
    assert!(
        reason.contains("4000 address links") && reason.contains("item limit"),
        "{reason}"
    );
    assert_eq!(env.ctx.store.get_link(INSTANCE, id).await?, None);
    Ok(())
}
