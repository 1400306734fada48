//! Scheduled pull: watermark with overlap, due instances, conflict policies.

use std::time::Duration;

use chrono::Utc;
use serde_json::json;
use shared::config::ConflictPolicy;
use shared::magento::{Address, Customer};
use shared::store::{JobKind, JobStatus};
use shared::sync::{BulkOptions, pull_customer, pull_due_instances, scheduled_pull};

use crate::harness::{Env, INSTANCE, Setup};

const OVERLAP: Duration = Duration::from_secs(60);

fn options(env: &Env) -> BulkOptions {
    BulkOptions {
        page_size: 10,
        ..BulkOptions::for_instance(&env.ctx.instance)
    }
}

/// Creates a customer with one address and pulls it, so it is linked. Returns the
/// Magento and Odoo ids.
async fn linked(env: &Env, email: &str) -> anyhow::Result<(u64, i64)> {
    let customer = Customer {
        email: email.into(),
        firstname: "Ana".into(),
        lastname: "Lima".into(),
        website_id: Some(1),
        addresses: vec![Address {
            firstname: Some("Ana".into()),
            lastname: Some("Lima".into()),
            street: vec!["1 Rue de Rivoli".into()],
            city: Some("Paris".into()),
            postcode: Some("75001".into()),
            country_id: Some("FR".into()),
            telephone: Some("555 0100".into()),
            default_billing: true,
            default_shipping: true,
            ..Address::default()
        }],
        ..Customer::default()
    };
    let created = env.ctx.magento.customers().create(&customer, None).await?;
    let id = created.id.expect("id");
    let pulled = pull_customer(&env.ctx, id).await?;
    Ok((id, pulled.outcome.odoo_partner_id().expect("partner")))
}

/// Changes the Magento last name and then the Odoo phone, one second apart so that
/// the Odoo change is the newer one.
async fn change_both_sides(env: &Env, magento_id: u64, partner: i64) -> anyhow::Result<()> {
    env.ctx
        .magento
        .customers()
        .update(magento_id, |customer| customer.lastname = "Magento".into())
        .await?;
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    env.odoo_write(partner, json!({"phone": "555 9999"})).await
}

async fn magento_billing_phone(env: &Env, id: u64) -> anyhow::Result<Option<String>> {
    let customer = env.ctx.magento.customers().get(id).await?;
    Ok(customer
        .addresses
        .iter()
        .find(|a| a.default_billing)
        .and_then(|a| a.telephone.clone()))
}

#[tokio::test]
async fn scheduled_reads_only_changes_after_first_run() -> anyhow::Result<()> {
    let env = Env::start(Setup {
        customers: 20,
        ..Setup::default()
    })
    .await?;
    let first = scheduled_pull(&env.ctx, Utc::now(), OVERLAP, &options(&env)).await?;
    env.ctx
        .magento
        .customers()
        .update(3, |customer| customer.lastname = "Changed".into())
        .await?;

    let second = scheduled_pull(&env.ctx, Utc::now(), OVERLAP, &options(&env)).await?;

    assert!(first.finished);
    assert_eq!(first.counts.processed, 20, "the first run has no watermark");
    assert!(second.finished);
    assert_eq!(second.counts.processed, 1);
    assert_eq!(second.counts.updated, 1);
    let job = env.ctx.store.get_job(&second.job_id).await?;
    assert_eq!(job.kind, JobKind::Scheduled);
    assert_eq!(job.status, JobStatus::Succeeded);
    let state = env.ctx.store.get_sync_state(INSTANCE).await?;
    let watermark = state.updated_at_watermark.expect("watermark");
    assert!(watermark <= Utc::now());
    assert!(watermark > Utc::now() - chrono::Duration::minutes(1));
    assert!(state.next_due_at.expect("next due") > Utc::now() + chrono::Duration::minutes(14));
    let partner = env
        .ctx
        .store
        .get_link(INSTANCE, 3)
        .await?
        .expect("link")
        .odoo_partner_id;
    let stored = env.odoo_read(&[partner]).await?.remove(0);
    assert!(
        stored
            .name
            .as_deref()
            .is_some_and(|name| name.ends_with("Changed")),
        "{:?}",
        stored.name
    );
    Ok(())
}

#[tokio::test]
async fn conflict_magento_wins_by_default() -> anyhow::Result<()> {
    let env = Env::start(Setup::default()).await?;
    let (magento_id, partner) = linked(&env, "conflict.magento@example.test").await?;
    scheduled_pull(&env.ctx, Utc::now(), OVERLAP, &options(&env)).await?;
    change_both_sides(&env, magento_id, partner).await?;

    let report = scheduled_pull(&env.ctx, Utc::now(), OVERLAP, &options(&env)).await?;

    assert_eq!(report.counts.conflicts, 1);
    assert_eq!(report.counts.updated, 1);
    let stored = env.odoo_read(&[partner]).await?.remove(0);
    assert_eq!(stored.name.as_deref(), Some("Ana Magento"));
    assert_eq!(
        stored.phone.as_deref(),
        Some("555 0100"),
        "Magento's phone wins"
    );
    let job = env.ctx.store.get_job(&report.job_id).await?;
    assert_eq!(job.recent_errors.len(), 1);
    assert_eq!(job.recent_errors[0].magento_customer_id, Some(magento_id));
    assert!(
        job.recent_errors[0]
            .reason
            .contains("policy magento_wins kept the Magento version"),
        "{}",
        job.recent_errors[0].reason
    );
    Ok(())
}

#[tokio::test]
async fn conflict_odoo_wins_updates_magento() -> anyhow::Result<()> {
    let env = Env::start(Setup {
        policy: ConflictPolicy::OdooWins,
        ..Setup::default()
    })
    .await?;
    let (magento_id, partner) = linked(&env, "conflict.odoo@example.test").await?;
    scheduled_pull(&env.ctx, Utc::now(), OVERLAP, &options(&env)).await?;
    change_both_sides(&env, magento_id, partner).await?;

    let report = scheduled_pull(&env.ctx, Utc::now(), OVERLAP, &options(&env)).await?;

    assert_eq!(report.counts.conflicts, 1);
    let customer = env.ctx.magento.customers().get(magento_id).await?;
    assert_eq!(customer.lastname, "Lima", "Odoo's name wins");
    assert_eq!(
        magento_billing_phone(&env, magento_id).await?.as_deref(),
        Some("555 9999")
    );
    let stored = env.odoo_read(&[partner]).await?.remove(0);
    assert_eq!(stored.name.as_deref(), Some("Ana Lima"));
    let again = scheduled_pull(&env.ctx, Utc::now(), OVERLAP, &options(&env)).await?;
    assert_eq!(
        again.counts.conflicts, 0,
        "settled conflicts do not come back"
    );
    assert_eq!(again.counts.updated, 0);
    Ok(())
}

#[tokio::test]
async fn conflict_newest_wins_picks_odoo() -> anyhow::Result<()> {
    let env = Env::start(Setup {
        policy: ConflictPolicy::NewestWins,
        ..Setup::default()
    })
    .await?;
    let (magento_id, partner) = linked(&env, "conflict.newest@example.test").await?;
    scheduled_pull(&env.ctx, Utc::now(), OVERLAP, &options(&env)).await?;
    change_both_sides(&env, magento_id, partner).await?;

    let report = scheduled_pull(&env.ctx, Utc::now(), OVERLAP, &options(&env)).await?;

    assert_eq!(report.counts.conflicts, 1);
    assert_eq!(
        magento_billing_phone(&env, magento_id).await?.as_deref(),
        Some("555 9999")
    );
    let job = env.ctx.store.get_job(&report.job_id).await?;
    assert!(
        job.recent_errors[0]
            .reason
            .contains("policy newest_wins kept the Odoo version"),
        "{}",
        job.recent_errors[0].reason
    );
    Ok(())
}

#[tokio::test]
async fn due_instances_run_once_per_interval() -> anyhow::Result<()> {
    let env = Env::start(Setup {
        customers: 5,
        ..Setup::default()
    })
    .await?;
    env.ctx.store.create_instance(&env.ctx.instance).await?;
    let now = Utc::now();
    let connect = |_| {
        let ctx = env.ctx.clone();
        async move { Ok(ctx) }
    };

    let first = pull_due_instances(&env.ctx.store, now, None, connect).await?;
    let second = pull_due_instances(&env.ctx.store, now, None, connect).await?;

    assert_eq!(first.len(), 1);
    assert_eq!(first[0].instance_id, INSTANCE);
    let report = first[0].result.as_ref().expect("run succeeded");
    assert_eq!(report.counts.processed, 5);
    assert!(second.is_empty(), "not due again before the interval");
    Ok(())
}
