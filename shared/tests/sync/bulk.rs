//! Bulk pull: pipeline, checkpoints, lease, deadline, resume, faults.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use serde_json::{Value, json};
use shared::odoo::normalize_email;
use shared::store::{JobKind, JobStatus};
use shared::sync::{BulkOptions, Outcome, SyncError, pull_customer, resume_job, start_bulk_pull};
use tokio::time::Instant;

use crate::harness::{Env, INSTANCE, Setup};

fn options(env: &Env, page_size: u32) -> BulkOptions {
    BulkOptions {
        page_size,
        ..BulkOptions::for_instance(&env.ctx.instance)
    }
}

/// Checks that every website-1 Magento customer is linked to a partner that has its
/// email, that no two customers share a partner, and that no partner email appears
/// more often than the seed data explains. Returns the number of linked customers.
async fn assert_each_customer_once(
    env: &Env,
    count: u64,
    seeded_duplicates: &[u64],
) -> anyhow::Result<usize> {
    let mut customers = Vec::new();
    let mut pages = std::pin::pin!(env.ctx.magento.customers().iterate_all(300));
    while let Some(page) = pages.try_next().await? {
        customers.extend(page.customers);
    }
    assert_eq!(customers.len() as u64, count);
    let ids: Vec<u64> = customers.iter().filter_map(|c| c.id).collect();
    let links = env
        .ctx
        .store
        .get_links_for_magento_ids(INSTANCE, &ids)
        .await?;

    let mut expected: BTreeMap<String, u64> = BTreeMap::new();
    let mut linked_partners = BTreeSet::new();
    for customer in &customers {
        let id = customer.id.expect("id");
        let link = links.get(&id);
        if customer.website_id != Some(1) {
            assert!(
                link.is_none(),
                "customer {id} of website 2 must not be linked"
            );
            continue;
        }
        let link = link.unwrap_or_else(|| panic!("customer {id} not linked"));
        assert!(
            linked_partners.insert(link.odoo_partner_id),
            "partner {} linked twice",
            link.odoo_partner_id
        );
        let copies = if seeded_duplicates.contains(&id) {
            2
        } else {
            1
        };
        let email = normalize_email(&customer.email).expect("valid email");
        expected.insert(email, copies);
    }

    // A pull that lost a link race archives the partner it created, so only active
    // partners count as copies.
    let mut found: BTreeMap<String, u64> = BTreeMap::new();
    for partner in env.odoo_partners_with_email().await? {
        let Some(email) = partner.email_normalized.filter(|_| partner.active) else {
            continue;
        };
        if expected.contains_key(&email) {
            *found.entry(email).or_default() += 1;
        }
    }
    assert_eq!(
        found, expected,
        "Odoo partner emails against Magento customer emails"
    );
    Ok(linked_partners.len())
}

async fn magento_search_requests(env: &Env) -> anyhow::Result<u64> {
    let url = format!("{}/_sandbox/stats", env.magento.base_url);
    let stats: Value = env.http.get(url).send().await?.json().await?;
    Ok(stats["routes"]["GET /V1/customers/search"]
        .as_u64()
        .unwrap_or_default())
}

#[tokio::test]
async fn bulk_pulls_every_page_once() -> anyhow::Result<()> {
    let env = Env::start(Setup {
        customers: 45,
        partners: 12,
        ..Setup::default()
    })
    .await?;

    let report = start_bulk_pull(&env.ctx, &options(&env, 20)).await?;

    assert!(report.finished);
    assert_eq!(report.pages, 3);
    assert_eq!(magento_search_requests(&env).await?, 3);
    assert_eq!(report.counts.processed, 45);
    assert_eq!(report.counts.total, 45);
    assert_eq!(
        report.counts.skipped, 9,
        "every fifth customer belongs to website 2"
    );
    assert_eq!(report.counts.created + report.counts.linked, 36);
    assert_eq!(
        report.counts.linked, 3,
        "customers 1, 4 and 7 have seeded partners; 10 is on website 2"
    );
    assert_eq!(report.counts.failed, 0);
    assert_eq!(report.cursor.as_ref().map(|c| c.after_id), Some(45));
    assert_eq!(report.calls.magento, 3);
    let odoo = env.odoo_stats().await?;
    assert_eq!(
        odoo["routes"]["res.partner.search_read"], 6,
        "one email lookup and one read-back with children per page: {odoo}"
    );
    assert_eq!(
        odoo["routes"]["res.partner.create"], 3,
        "one create per page"
    );
    assert_eq!(
        odoo["routes"]["res.partner.write"],
        Value::Null,
        "the linked partners are written through load: {odoo}"
    );
    assert_eq!(
        odoo["routes"]["res.partner.load"], 2,
        "one load for the 3 linked partners of page 1, one for their new address children: {odoo}"
    );
    assert!(
        odoo["routes"]["res.partner.read"].as_u64() <= Some(3),
        "at most one read of the found partners' children per page: {odoo}"
    );
    let job = env.ctx.store.get_job(&report.job_id).await?;
    assert_eq!(job.status, JobStatus::Succeeded);
    assert_eq!(job.kind, JobKind::Bulk);
    assert_eq!(
        job.skip_reasons,
        BTreeMap::from([(
            "Magento customer N belongs to website N, not to this instance's website N".to_owned(),
            9
        )])
    );
    assert_eq!(assert_each_customer_once(&env, 45, &[1]).await?, 36);
    Ok(())
}

#[tokio::test]
async fn bulk_races_single_pulls() -> anyhow::Result<()> {
    let env = Env::start(Setup {
        customers: 120,
        ..Setup::default()
    })
    .await?;
    env.odoo_faults(json!({"latency_ms": 10, "latency_jitter_ms": 40}))
        .await?;
    let other = env.second_context()?;

    // Single pulls walk the customers from the other end, so they cross the bulk run.
    let singles = futures::stream::iter((1..=120u64).rev())
        .map(|id| pull_customer(&other, id))
        .buffer_unordered(4)
        .collect::<Vec<_>>();
    let bulk_options = options(&env, 20);
    let (bulk, singles) = tokio::join!(start_bulk_pull(&env.ctx, &bulk_options), singles);

    let report = bulk?;
    assert!(report.finished);
    assert_eq!(report.counts.failed, 0, "{report:?}");
    for result in singles {
        let result = result?;
        assert!(
            !matches!(result.outcome, Outcome::Failed { .. }),
            "{result:?}"
        );
    }
    assert_each_customer_once(&env, 120, &[]).await?;
    Ok(())
}

#[tokio::test]
async fn bulk_second_run_is_unchanged() -> anyhow::Result<()> {
    let env = Env::start(Setup {
        customers: 30,
        partners: 6,
        ..Setup::default()
    })
    .await?;
    start_bulk_pull(&env.ctx, &options(&env, 10)).await?;
    let odoo_before = env.ctx.odoo.calls();

    let again = start_bulk_pull(&env.ctx, &options(&env, 10)).await?;

    assert_eq!(again.counts.unchanged, 24);
    assert_eq!(
        again.counts.created + again.counts.linked + again.counts.updated,
        0
    );
    assert_eq!(
        env.ctx.odoo.calls(),
        odoo_before,
        "unchanged customers need no Odoo call"
    );
    Ok(())
}

#[tokio::test]
async fn bulk_two_runs_one_refused() -> anyhow::Result<()> {
    let env = Env::start(Setup {
        customers: 40,
        partners: 9,
        ..Setup::default()
    })
    .await?;
    env.magento_faults(json!({"latency_ms": 50})).await?;
    let other = env.second_context()?;
    let first_options = options(&env, 10);
    let second_options = options(&env, 10);

    let (first, second) = tokio::join!(
        start_bulk_pull(&env.ctx, &first_options),
        start_bulk_pull(&other, &second_options)
    );

    let refused = [&first, &second]
        .iter()
        .filter(|result| matches!(result, Err(SyncError::Busy { .. })))
        .count();
    assert_eq!(refused, 1, "first: {first:?}, second: {second:?}");
    let done = first.or(second)?;
    assert!(done.finished);
    assert_each_customer_once(&env, 40, &[1]).await?;
    Ok(())
}

#[tokio::test]
async fn bulk_deadline_then_resume() -> anyhow::Result<()> {
    let env = Env::start(Setup {
        customers: 60,
        partners: 15,
        ..Setup::default()
    })
    .await?;
    env.magento_faults(json!({"latency_ms": 150})).await?;
    let mut first_options = options(&env, 10);
    first_options.pages_in_flight = 1;
    first_options.deadline = Some(Instant::now() + Duration::from_millis(400));

    let first = start_bulk_pull(&env.ctx, &first_options).await?;

    assert!(!first.finished);
    assert!(
        first.pages >= 1 && first.pages < 6,
        "pages: {}",
        first.pages
    );
    let cursor = first.cursor.clone().expect("cursor");
    assert_eq!(cursor.after_id, first.pages * 10);
    let job = env.ctx.store.get_job(&first.job_id).await?;
    assert_eq!(job.status, JobStatus::Running);
    assert_eq!(job.counts.processed, first.pages * 10);
    assert!(
        env.ctx
            .store
            .get_link(INSTANCE, cursor.after_id + 1)
            .await?
            .is_none()
    );

    env.magento_faults(json!({})).await?;
    let second = resume_job(&env.ctx, &first.job_id, &options(&env, 10)).await?;

    assert!(second.finished);
    assert_eq!(second.counts.processed, 60);
    assert_eq!(first.pages + second.pages, 6);
    assert_eq!(second.counts.created + second.counts.linked, 48);
    assert_eq!(
        env.ctx.store.get_job(&first.job_id).await?.status,
        JobStatus::Succeeded
    );
    assert_each_customer_once(&env, 60, &[1]).await?;
    Ok(())
}

#[tokio::test]
async fn bulk_crash_then_resume() -> anyhow::Result<()> {
    let env = Env::start(Setup {
        customers: 50,
        partners: 15,
        ..Setup::default()
    })
    .await?;
    env.odoo_faults(json!({"latency_ms": 40})).await?;
    let job = env.ctx.store.create_job(INSTANCE, JobKind::Bulk).await?;
    let mut crash_options = options(&env, 10);
    crash_options.lease_duration = Duration::from_millis(600);
    // Two pages at a time keep the 5 pages busy past the kill at 700 ms.
    crash_options.pages_in_flight = 2;

    let crashed = tokio::time::timeout(
        Duration::from_millis(700),
        resume_job(&env.ctx, &job.job_id, &crash_options),
    )
    .await;

    assert!(
        crashed.is_err(),
        "the run must still be busy when it is killed"
    );
    let stored = env.ctx.store.get_job(&job.job_id).await?;
    assert_eq!(stored.status, JobStatus::Running);
    assert!(
        stored.counts.processed < 50,
        "processed {}",
        stored.counts.processed
    );
    tokio::time::sleep(Duration::from_millis(700)).await;
    env.odoo_faults(json!({})).await?;
    let resumed = resume_job(&env.ctx, &job.job_id, &options(&env, 10)).await?;
    assert!(resumed.finished);
    assert_eq!(resumed.counts.processed, 50);
    assert_each_customer_once(&env, 50, &[1]).await?;
    Ok(())
}

#[tokio::test]
async fn bulk_survives_faults_on_both_sides() -> anyhow::Result<()> {
    let env = Env::start(Setup {
        customers: 5_000,
        partners: 300,
        attempts: 10,
        ..Setup::default()
    })
    .await?;
    let faults = json!({"rate_503": 0.1, "rate_429": 0.02, "retry_after_secs": 1});
    env.magento_faults(faults.clone()).await?;
    env.odoo_faults(faults).await?;

    let report = start_bulk_pull(&env.ctx, &options(&env, 100)).await?;

    env.magento_faults(json!({})).await?;
    env.odoo_faults(json!({})).await?;
    assert!(report.finished);
    assert_eq!(report.counts.processed, 5_000);
    assert_eq!(report.counts.failed, 0);
    assert_eq!(report.counts.skipped, 1_000);
    assert_eq!(assert_each_customer_once(&env, 5_000, &[1]).await?, 4_000);
    Ok(())
}

#[tokio::test]
async fn bulk_keeps_customer_created_mid_run() -> anyhow::Result<()> {
    let env = Env::start(Setup {
        customers: 40,
        ..Setup::default()
    })
    .await?;
    env.magento_faults(json!({"latency_ms": 100})).await?;
    let mut run_options = options(&env, 10);
    run_options.pages_in_flight = 1;
    let late = shared::magento::Customer {
        email: "late.arrival@example.test".into(),
        firstname: "Late".into(),
        lastname: "Arrival".into(),
        website_id: Some(1),
        ..shared::magento::Customer::default()
    };

    let (report, created) = tokio::join!(start_bulk_pull(&env.ctx, &run_options), async {
        tokio::time::sleep(Duration::from_millis(250)).await;
        env.ctx.magento.customers().create(&late, None).await
    });

    let report = report?;
    let created = created?;
    assert!(report.finished);
    assert_eq!(
        report.counts.processed, 41,
        "the new customer is read once, at the end"
    );
    assert_eq!(report.cursor.map(|cursor| cursor.after_id), created.id);
    assert_each_customer_once(&env, 41, &[]).await?;
    Ok(())
}

#[tokio::test]
async fn bulk_with_input_limits_on() -> anyhow::Result<()> {
    let env = Env::start(Setup {
        customers: 650,
        ..Setup::default()
    })
    .await?;
    env.magento_config(json!({"input_limits": true})).await?;

    let report = start_bulk_pull(&env.ctx, &options(&env, 500)).await?;

    assert!(report.finished);
    assert_eq!(report.pages, 3, "the store caps pages at 300 customers");
    assert_eq!(report.counts.processed, 650);
    assert_eq!(report.counts.created, 520);
    Ok(())
}

#[tokio::test]
async fn bulk_finished_job_not_resumed() -> anyhow::Result<()> {
    let env = Env::start(Setup {
        customers: 3,
        ..Setup::default()
    })
    .await?;
    let done = start_bulk_pull(&env.ctx, &options(&env, 10)).await?;

    let error = resume_job(&env.ctx, &done.job_id, &options(&env, 10))
        .await
        .expect_err("a finished job cannot run again");

    assert!(
        matches!(
            error,
            SyncError::Store(shared::store::StoreError::JobFinished {
                status: JobStatus::Succeeded,
                ..
            })
        ),
        "{error:?}"
    );
    assert!(env.ctx.store.get_lease(INSTANCE).await?.is_none());
    Ok(())
}
