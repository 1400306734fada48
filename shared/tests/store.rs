//! DynamoDB store and Secrets Manager store against moto.
//!
//! Each test starts its own moto server, so tests share no state and can run
//! in parallel. Run with `MOTO_SERVER=<venv>/bin/moto_server` when the
//! workspace has no `.venv`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{TimeZone, Utc};
use secrecy::ExposeSecret;
use shared::config::{ConflictPolicy, InstanceConfig, MagentoAuthKind, OdooProtocol};
use shared::secrets::{
    MagentoCredentials, OdooCredentials, SecretKind, SecretsError, SecretsStore, secret_name,
};
use shared::store::keys;
use shared::store::{
    AddressLink, CustomerLink, CustomerSnapshot, IdempotencyStart, JobCounts, JobKind, JobStatus,
    LinkFilter, LinkState, MAX_RECENT_ERRORS, MatchMode, SearchField, Store, StoreError,
    StoredResponse, hash_request,
};

const REGION: &str = "us-east-1";
const TABLE: &str = "magento-odoo-test";

/// A moto server and clients aimed at it with test-only credentials.
struct Moto {
    server: sandbox::moto::MotoServer,
}

impl Moto {
    fn start() -> anyhow::Result<Self> {
        Ok(Self {
            server: sandbox::moto::spawn()?,
        })
    }

    fn credentials() -> aws_sdk_dynamodb::config::Credentials {
        aws_sdk_dynamodb::config::Credentials::new("test", "test", None, None, "moto-test")
    }

    /// Builds the client from a service config alone, so no environment
    /// variable or profile can redirect the requests away from moto.
    fn dynamodb(&self) -> aws_sdk_dynamodb::Client {
        let config = aws_sdk_dynamodb::Config::builder()
            .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
            .region(aws_sdk_dynamodb::config::Region::new(REGION))
            .credentials_provider(Self::credentials())
            .endpoint_url(self.server.endpoint_url())
            .build();
        aws_sdk_dynamodb::Client::from_conf(config)
    }

    fn secretsmanager(&self) -> aws_sdk_secretsmanager::Client {
        let config = aws_sdk_secretsmanager::Config::builder()
            .behavior_version(aws_sdk_secretsmanager::config::BehaviorVersion::latest())
            .region(aws_sdk_secretsmanager::config::Region::new(REGION))
            .credentials_provider(Self::credentials())
            .endpoint_url(self.server.endpoint_url())
            .build();
        aws_sdk_secretsmanager::Client::from_conf(config)
    }

    async fn store(&self) -> anyhow::Result<Store> {
        let store = Store::new(self.dynamodb(), TABLE);
        store
            .create_table()
            .await
            .context("create_table against moto")?;
        Ok(store)
    }
}

fn instance(id: &str) -> InstanceConfig {
    let now = Utc::now();
    InstanceConfig {
        id: id.into(),
        name: format!("Store {id}"),
        magento_base_url: "https://shop.example.com".into(),
        magento_store_code: "default".into(),
        magento_website_id: 1,
        magento_auth: MagentoAuthKind::OauthHmacSha256,
        odoo_url: "https://erp.example.com".into(),
        odoo_database: "prod".into(),
        odoo_login: "connector".into(),
        odoo_protocol: OdooProtocol::Json2,
        pull_interval_minutes: 10,
        conflict_policy: ConflictPolicy::NewestWins,
        street_lines: 3,
        magento_page_size: 200,
        magento_secret_ref: format!("magento-odoo/{id}/magento"),
        odoo_secret_ref: format!("magento-odoo/{id}/odoo"),
        created_at: now,
        updated_at: now,
    }
}

fn link(instance_id: &str, magento_customer_id: u64, odoo_partner_id: i64) -> CustomerLink {
    CustomerLink {
        instance_id: instance_id.into(),
        magento_customer_id,
        odoo_partner_id,
        customer: CustomerSnapshot {
            prefix: Some("Dr".into()),
            firstname: format!("Ann{magento_customer_id}"),
            middlename: None,
            lastname: "Smith".into(),
            suffix: None,
            email: format!("Ann{magento_customer_id}@Example.com"),
            phone: Some("+33 1 23 45 67 89".into()),
            vat: Some("FR12345678901".into()),
            send_welcome_email: false,
            default_billing: Some(10),
            default_shipping: Some(11),
            company: Some("Acme".into()),
            street: vec!["1 Main St".into(), "Floor 2".into()],
            city: Some("Paris".into()),
            region: Some("Ile-de-France".into()),
            website_id: 1,
        },
        magento_fingerprint: format!("m-{magento_customer_id}"),
        odoo_fingerprint: format!("o-{odoo_partner_id}"),
        last_synced_at: Utc
            .with_ymd_and_hms(2024, 5, 1, 12, 0, 0)
            .single()
            .unwrap_or_default(),
        state: LinkState::Synced,
        last_error: None,
        addresses: Vec::new(),
    }
}

fn address(magento_address_id: u64, odoo_partner_id: i64) -> AddressLink {
    AddressLink {
        magento_address_id,
        odoo_partner_id,
        fingerprint: format!("a-{magento_address_id}"),
        updated_at: Utc
            .with_ymd_and_hms(2024, 5, 1, 12, 0, 0)
            .single()
            .unwrap_or_default(),
    }
}

#[tokio::test]
async fn instances_crud() -> anyhow::Result<()> {
    let moto = Moto::start()?;
    let store = moto.store().await?;

    store.create_instance(&instance("b-store")).await?;
    store.create_instance(&instance("a-store")).await?;
    let duplicate = store.create_instance(&instance("a-store")).await;
    let listed: Vec<String> = store
        .list_instances()
        .await?
        .into_iter()
        .map(|config| config.id)
        .collect();

    assert!(
        matches!(duplicate, Err(StoreError::InstanceExists { ref instance_id }) if instance_id == "a-store")
    );
    assert_eq!(listed, ["a-store", "b-store"]);
    assert_eq!(
        store.get_instance("a-store").await?,
        instance_like(&store, "a-store").await?
    );

    let mut changed = store.get_instance("a-store").await?;
    changed.name = "Renamed".into();
    store.update_instance(&changed).await?;
    assert_eq!(store.get_instance("a-store").await?.name, "Renamed");

    store.delete_instance("a-store").await?;
    let missing = store.get_instance("a-store").await;
    assert_eq!(
        missing.err().map(|e| e.to_string()).as_deref(),
        Some("instance a-store not found")
    );
    assert!(matches!(
        store.update_instance(&changed).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        store.delete_instance("a-store").await,
        Err(StoreError::NotFound { .. })
    ));
    Ok(())
}

/// Reads an instance back and checks the fields that the mapping must keep.
async fn instance_like(store: &Store, id: &str) -> anyhow::Result<InstanceConfig> {
    let stored = store.get_instance(id).await?;
    let expected = instance(id);
    assert_eq!(stored.odoo_protocol, expected.odoo_protocol);
    assert_eq!(stored.conflict_policy, expected.conflict_policy);
    assert_eq!(stored.street_lines, 3);
    assert_eq!(stored.magento_page_size, 200);
    assert_eq!(stored.magento_secret_ref, expected.magento_secret_ref);
    Ok(stored)
}

#[tokio::test]
async fn instance_invalid_rejected() -> anyhow::Result<()> {
    let moto = Moto::start()?;
    let store = moto.store().await?;
    let config = InstanceConfig {
        magento_base_url: "https://shop.example.com/rest".into(),
        ..instance("x")
    };

    let result = store.create_instance(&config).await;

    assert_eq!(
        result.err().map(|e| e.to_string()).as_deref(),
        Some(
            "invalid instance configuration: magento_base_url must be an absolute http(s) URL without /rest, e.g. https://shop.example.com"
        )
    );
    assert!(store.list_instances().await?.is_empty());
    Ok(())
}

#[tokio::test]
async fn link_lookup_both_ways() -> anyhow::Result<()> {
    let moto = Moto::start()?;
    let store = moto.store().await?;
    let created = link("main", 42, 7);

    store.create_link(&created).await?;
    let by_customer = store.get_link("main", 42).await?;
    let by_partner = store.get_link_by_partner("main", 7).await?;
    let other_instance = store.get_link_by_partner("other", 7).await?;

    assert_eq!(by_customer.as_ref(), Some(&created));
    assert_eq!(by_partner.as_ref(), Some(&created));
    assert_eq!(other_instance, None);
    assert_eq!(store.get_link("main", 43).await?, None);
    Ok(())
}

#[tokio::test]
async fn link_duplicate_names_existing() -> anyhow::Result<()> {
    let moto = Moto::start()?;
    let store = moto.store().await?;
    store.create_link(&link("main", 42, 7)).await?;

    let same_customer = store.create_link(&link("main", 42, 8)).await;
    let same_partner = store.create_link(&link("main", 43, 7)).await;
    let other_instance = store.create_link(&link("second", 42, 7)).await;

    assert_eq!(
        same_customer.err().map(|e| e.to_string()).as_deref(),
        Some(
            "Magento customer 42 of instance main is already linked to Odoo partner 7; delete that link first"
        )
    );
    assert!(matches!(
        same_partner,
        Err(StoreError::LinkExists {
            magento_customer_id: 42,
            odoo_partner_id: 7,
            ..
        })
    ));
    assert!(other_instance.is_ok(), "{other_instance:?}");
    assert_eq!(store.get_link("main", 43).await?, None);
    Ok(())
}

#[tokio::test]
async fn link_concurrent_same_customer() -> anyhow::Result<()> {
    let moto = Moto::start()?;
    let store = Arc::new(moto.store().await?);

    let tasks: Vec<_> = (1..=20)
        .map(|partner| {
            let store = Arc::clone(&store);
            tokio::spawn(
                async move { (partner, store.create_link(&link("main", 42, partner)).await) },
            )
        })
        .collect();
    let mut winners = Vec::new();
    let mut losers = Vec::new();
    for task in tasks {
        match task.await? {
            (partner, Ok(())) => winners.push(partner),
            (
                _,
                Err(StoreError::LinkExists {
                    odoo_partner_id, ..
                }),
            ) => losers.push(odoo_partner_id),
            (partner, Err(other)) => bail!("partner {partner}: unexpected error {other:?}"),
        }
    }

    assert_eq!(winners.len(), 1, "winners: {winners:?}");
    assert_eq!(losers.len(), 19);
    assert!(
        losers.iter().all(|partner| *partner == winners[0]),
        "{losers:?}"
    );
    assert_eq!(
        store.get_link("main", 42).await?.map(|l| l.odoo_partner_id),
        Some(winners[0])
    );
    Ok(())
}

#[tokio::test]
async fn link_concurrent_same_partner() -> anyhow::Result<()> {
    let moto = Moto::start()?;
    let store = Arc::new(moto.store().await?);

    let tasks: Vec<_> = (1..=20u64)
        .map(|customer| {
            let store = Arc::clone(&store);
            tokio::spawn(async move { store.create_link(&link("main", customer, 7)).await })
        })
        .collect();
    let mut created = 0;
    for task in tasks {
        match task.await? {
            Ok(()) => created += 1,
            Err(StoreError::LinkExists {
                odoo_partner_id: 7, ..
            }) => {}
            Err(other) => bail!("unexpected error {other:?}"),
        }
    }

    assert_eq!(created, 1);
    let page = store.list_links("main", None, 50, None).await?;
    assert_eq!(page.links.len(), 1);
    Ok(())
}

#[tokio::test]
async fn link_save_and_delete() -> anyhow::Result<()> {
    let moto = Moto::start()?;
    let store = moto.store().await?;
    store.create_link(&link("main", 42, 7)).await?;

    let mut synced = link("main", 42, 7);
    synced.magento_fingerprint = "m-new".into();
    synced.state = LinkState::Error;
    synced.last_error = Some("Odoo rejected the VAT number".into());
    store.save_link(&synced).await?;
    let moved = store.save_link(&link("main", 42, 8)).await;
    let missing = store.save_link(&link("main", 99, 9)).await;

    assert_eq!(store.get_link("main", 42).await?, Some(synced));
    assert!(matches!(
        moved,
        Err(StoreError::LinkExists {
            odoo_partner_id: 7,
            ..
        })
    ));
    assert_eq!(
        missing.err().map(|e| e.to_string()).as_deref(),
        Some("customer link main/99 not found")
    );

    store.delete_link("main", 42).await?;
    assert_eq!(store.get_link("main", 42).await?, None);
    assert!(matches!(
        store.delete_link("main", 42).await,
        Err(StoreError::NotFound { .. })
    ));
    store
        .create_link(&link("main", 43, 7))
        .await
        .context("partner 7 must be free after the delete")?;
    Ok(())
}

#[tokio::test]
async fn address_links_travel_with_link() -> anyhow::Result<()> {
    let moto = Moto::start()?;
    let store = moto.store().await?;
    let mut first = link("main", 1, 100);
    first.addresses = vec![address(11, 111), address(12, 112)];
    let mut second = link("main", 2, 200);
    second.addresses = vec![address(21, 121)];
    store.create_link(&first).await?;
    store.create_link(&second).await?;

    let created = store.get_link("main", 1).await?.context("link 1")?;
    first.addresses.remove(0);
    store.save_link(&first).await?;
    let saved = store.get_link("main", 1).await?.context("link 1")?;
    store.delete_link("main", 1).await?;

    let ids = |link: &CustomerLink| -> Vec<(u64, i64)> {
        link.addresses
            .iter()
            .map(|a| (a.magento_address_id, a.odoo_partner_id))
            .collect()
    };
    assert_eq!(ids(&created), [(11, 111), (12, 112)]);
    assert_eq!(
        ids(&saved),
        [(12, 112)],
        "a save replaces the address links"
    );
    assert_eq!(store.get_link("main", 1).await?, None);
    assert_eq!(store.get_link("main", 2).await?, Some(second));
    Ok(())
}

#[tokio::test]
async fn list_links_pages_with_cursor() -> anyhow::Result<()> {
    let moto = Moto::start()?;
    let store = moto.store().await?;
    let links: Vec<CustomerLink> = (1..=25)
        .map(|id| link("main", id, 1000 + id as i64))
        .collect();
    for result in store.create_links(&links).await {
        result?;
    }
    store.create_link(&link("other", 1, 1)).await?;

    let first = store.list_links("main", None, 10, None).await?;
    let second = store
        .list_links("main", None, 10, first.next_cursor.as_deref())
        .await?;
    let third = store
        .list_links("main", None, 10, second.next_cursor.as_deref())
        .await?;

    let ids: Vec<u64> = [&first, &second, &third]
        .iter()
        .flat_map(|page| page.links.iter().map(|l| l.magento_customer_id))
        .collect();
    assert_eq!(first.links.len(), 10);
    assert_eq!(second.links.len(), 10);
    assert_eq!(third.links.len(), 5);
    assert_eq!(ids, (1..=25).collect::<Vec<u64>>());
    assert_eq!(third.next_cursor, None);
    Ok(())
}

#[tokio::test]
async fn list_links_rejects_bad_cursor() -> anyhow::Result<()> {
    let moto = Moto::start()?;
    let store = moto.store().await?;
    for id in 1..=3 {
        store.create_link(&link("other", id, id as i64)).await?;
    }
    let foreign = store
        .list_links("other", None, 1, None)
        .await?
        .next_cursor
        .context("page 1 of 3 must have a cursor")?;

    let garbage = store.list_links("main", None, 10, Some("%%%")).await;
    let from_other_instance = store.list_links("main", None, 10, Some(&foreign)).await;

    assert!(matches!(garbage, Err(StoreError::InvalidCursor)));
    assert!(matches!(
        from_other_instance,
        Err(StoreError::InvalidCursor)
    ));
    Ok(())
}

#[tokio::test]
async fn list_links_filters() -> anyhow::Result<()> {
    let moto = Moto::start()?;
    let store = moto.store().await?;
    let people = [
        (1, "Zoe", "zoe@shop.test"),
        (2, "Adam", "adam@corp.test"),
        (3, "Zack", "zack@corp.test"),
        (4, "Eve", "eve@shop.test"),
    ];
    for (id, first, email) in people {
        let mut customer = link("main", id, id as i64);
        customer.customer.prefix = None;
        customer.customer.firstname = first.into();
        customer.customer.email = email.into();
        store.create_link(&customer).await?;
    }
    let ids = |page: shared::store::LinkPage| {
        page.links
            .iter()
            .map(|l| l.magento_customer_id)
            .collect::<Vec<_>>()
    };
    let filter = |field, mode, text: &str| LinkFilter {
        field,
        mode,
        text: text.into(),
    };

    let email_prefix = store
        .list_links(
            "main",
            Some(&filter(SearchField::Email, MatchMode::Prefix, "Z")),
            10,
            None,
        )
        .await?;
    let email_domain = store
        .list_links(
            "main",
            Some(&filter(SearchField::Email, MatchMode::Substring, "@CORP")),
            10,
            None,
        )
        .await?;
    let name_part = store
        .list_links(
            "main",
            Some(&filter(SearchField::Name, MatchMode::Substring, "ve smi")),
            10,
            None,
        )
        .await?;
    let any_prefix = store
        .list_links(
            "main",
            Some(&filter(SearchField::Any, MatchMode::Prefix, "a")),
            10,
            None,
        )
        .await?;
    let shop_first = store
        .list_links(
            "main",
            Some(&filter(SearchField::Email, MatchMode::Substring, "shop")),
            1,
            None,
        )
        .await?;
    let shop_second = store
        .list_links(
            "main",
            Some(&filter(SearchField::Email, MatchMode::Substring, "shop")),
            1,
            shop_first.next_cursor.as_deref(),
        )
        .await?;

    assert_eq!(ids(email_prefix), [1, 3]);
    assert_eq!(ids(email_domain), [2, 3]);
    assert_eq!(ids(name_part), [4]);
    assert_eq!(ids(any_prefix), [2]);
    assert_eq!(ids(shop_first), [1]);
    assert_eq!(ids(shop_second), [4]);
    Ok(())
}

#[tokio::test]
async fn batch_create_and_get() -> anyhow::Result<()> {
    let moto = Moto::start()?;
    let store = moto.store().await?;
    store.create_link(&link("main", 5, 99_999)).await?;
    let links: Vec<CustomerLink> = (1..=120)
        .map(|id| link("main", id, 1000 + id as i64))
        .collect();

    let results = store.create_links(&links).await;
    let found = store
        .get_links_for_magento_ids("main", &(1..=130).collect::<Vec<u64>>())
        .await?;

    let failed: Vec<usize> = results
        .iter()
        .enumerate()
        .filter(|(_, r)| r.is_err())
        .map(|(i, _)| i)
        .collect();
    assert_eq!(results.len(), 120);
    assert_eq!(failed, [4], "only customer 5 was already linked");
    assert_eq!(found.len(), 120);
    assert_eq!(found.get(&5).map(|l| l.odoo_partner_id), Some(99_999));
    assert_eq!(found.get(&120).map(|l| l.odoo_partner_id), Some(1120));
    assert!(!found.contains_key(&121));
    Ok(())
}

#[tokio::test]
async fn batch_create_with_addresses() -> anyhow::Result<()> {
    let moto = Moto::start()?;
    let store = moto.store().await?;
    store.create_link(&link("main", 7, 99_999)).await?;
    let links: Vec<CustomerLink> = (1..=40)
        .map(|id| CustomerLink {
            addresses: vec![
                address(id * 10, 5000 + id as i64),
                address(id * 10 + 1, 6000 + id as i64),
            ],
            ..link("main", id, 1000 + id as i64)
        })
        .collect();

    let results = store.create_links(&links).await;
    let found = store.get_links_for_magento_ids("main", &[7, 8, 40]).await?;

    let failed: Vec<usize> = results
        .iter()
        .enumerate()
        .filter(|(_, r)| r.is_err())
        .map(|(i, _)| i)
        .collect();
    assert_eq!(failed, [6], "only customer 7 was already linked");
    let stored = |id: u64| -> Vec<u64> {
        found
            .get(&id)
            .map(|link| {
                link.addresses
                    .iter()
                    .map(|a| a.magento_address_id)
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(stored(40), [400, 401]);
    assert_eq!(stored(8), [80, 81]);
    assert!(
        stored(7).is_empty(),
        "the link that lost keeps the existing link, without the new address links"
    );
    Ok(())
}

#[tokio::test]
async fn batch_save_overwrites() -> anyhow::Result<()> {
    let moto = Moto::start()?;
    let store = moto.store().await?;
    let mut links: Vec<CustomerLink> = (1..=30).map(|id| link("main", id, id as i64)).collect();
    for result in store.create_links(&links).await {
        result?;
    }

    for link in &mut links {
        link.odoo_fingerprint = "o-updated".into();
    }
    store.save_links(&links).await?;
    let found = store.get_links_for_magento_ids("main", &[1, 30]).await?;

    assert_eq!(found.len(), 2);
    assert!(found.values().all(|l| l.odoo_fingerprint == "o-updated"));
    Ok(())
}

#[tokio::test]
async fn sync_state_watermark() -> anyhow::Result<()> {
    let moto = Moto::start()?;
    let store = moto.store().await?;
    let early = Utc
        .with_ymd_and_hms(2024, 1, 1, 0, 0, 0)
        .single()
        .context("valid date")?;
    let late = early + chrono::Duration::milliseconds(1500);

    let initial = store.get_sync_state("main").await?;
    let advanced = store.advance_watermark("main", late).await?;
    let moved_back = store.advance_watermark("main", early).await?;
    store
        .record_scheduled_run("main", late, late + chrono::Duration::minutes(15))
        .await?;
    let state = store.get_sync_state("main").await?;

    assert_eq!(initial.instance_id, "main");
    assert_eq!(initial.updated_at_watermark, None);
    assert!(advanced);
    assert!(!moved_back);
    assert_eq!(state.updated_at_watermark, Some(late));
    assert_eq!(state.last_scheduled_run, Some(late));
    assert_eq!(
        state.next_due_at,
        Some(late + chrono::Duration::minutes(15))
    );

    store
        .save_sync_state(&shared::store::SyncState {
            updated_at_watermark: Some(early),
            ..state
        })
        .await?;
    assert!(
        store.advance_watermark("main", late).await?,
        "save_sync_state must store the watermark for comparison too"
    );
    Ok(())
}

#[tokio::test]
async fn job_counters_concurrent() -> anyhow::Result<()> {
    let moto = Moto::start()?;
    let store = Arc::new(moto.store().await?);
    let job = store.create_job("main", JobKind::Bulk).await?;
    store.set_job_total(&job.job_id, 40).await?;

    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let store = Arc::clone(&store);
            let job_id = job.job_id.clone();
            let delta = JobCounts {
                processed: 2,
                created: 1,
                unchanged: 1,
                conflicts: u64::from(i % 2 == 0),
                ..JobCounts::default()
            };
            tokio::spawn(async move { store.add_job_counts(&job_id, &delta).await })
        })
        .collect();
    for task in tasks {
        task.await??;
    }
    let counts = store.get_job(&job.job_id).await?.counts;

    assert_eq!(job.status, JobStatus::Queued);
    assert_eq!(
        counts,
        JobCounts {
            processed: 40,
            total: 40,
            created: 20,
            unchanged: 20,
            conflicts: 10,
            ..JobCounts::default()
        }
    );
    assert!(matches!(
        store
            .add_job_counts(
                "nope",
                &JobCounts {
                    failed: 1,
                    ..JobCounts::default()
                }
            )
            .await,
        Err(StoreError::NotFound { .. })
    ));
    Ok(())
}

#[tokio::test]
async fn job_status_and_errors() -> anyhow::Result<()> {
    let moto = Moto::start()?;
    let store = moto.store().await?;
    let older = store.create_job("main", JobKind::Scheduled).await?;
    let job = store.create_job("main", JobKind::Bulk).await?;

    store
        .set_job_status(&job.job_id, JobStatus::Running)
        .await?;
    store.save_job_cursor(&job.job_id, Some("page=3")).await?;
    for i in 1..=25u64 {
        store
            .record_job_error(
                &job.job_id,
                Some(i),
                None,
                &format!("customer {i}: email missing"),
            )
            .await?;
    }
    let running = store.get_job(&job.job_id).await?;
    store.save_job_cursor(&job.job_id, None).await?;
    store
        .set_job_status(&job.job_id, JobStatus::Succeeded)
        .await?;
    let reopen = store.set_job_status(&job.job_id, JobStatus::Running).await;
    let finished = store.get_job(&job.job_id).await?;
    let listed: Vec<String> = store
        .list_jobs("main", 10)
        .await?
        .into_iter()
        .map(|j| j.job_id)
        .collect();

    let kept: Vec<u64> = running.recent_errors.iter().map(|e| e.seq).collect();
    assert_eq!(running.status, JobStatus::Running);
    assert_eq!(running.cursor.as_deref(), Some("page=3"));
    assert!(running.started_at.is_some());
    assert_eq!(running.error_count, 25);
    assert_eq!(kept, (26 - MAX_RECENT_ERRORS..=25).collect::<Vec<u64>>());
    assert_eq!(
        running.recent_errors.last().map(|e| e.reason.as_str()),
        Some("customer 25: email missing")
    );
    assert_eq!(
        reopen.err().map(|e| e.to_string()).as_deref(),
        Some(
            format!(
                "job {} is already succeeded; a finished job cannot change",
                job.job_id
            )
            .as_str()
        )
    );
    assert_eq!(finished.status, JobStatus::Succeeded);
    assert_eq!(finished.cursor, None);
    assert!(finished.finished_at.is_some());
    assert_eq!(finished.started_at, running.started_at);
    assert_eq!(listed, [job.job_id, older.job_id]);
    Ok(())
}

#[tokio::test]
async fn lease_excludes_other_owner() -> anyhow::Result<()> {
    let moto = Moto::start()?;
    let store = moto.store().await?;
    let minute = Duration::from_secs(60);

    let held = store.acquire_lease("main", "run-a", minute).await?;
    let blocked = store.acquire_lease("main", "run-b", minute).await;
    let reacquired = store.acquire_lease("main", "run-a", minute).await;
    let foreign_renew = store.renew_lease("main", "run-b", minute).await;
    let foreign_release = store.release_lease("main", "run-b").await;
    let other_instance = store.acquire_lease("second", "run-b", minute).await;

    match blocked {
        Err(StoreError::LeaseHeld {
            owner, expires_at, ..
        }) => {
            assert_eq!(owner, "run-a");
            assert_eq!(
                expires_at.timestamp_millis(),
                held.expires_at.timestamp_millis()
            );
        }
        other => bail!("expected LeaseHeld, got {other:?}"),
    }
    assert!(reacquired.is_ok(), "{reacquired:?}");
    assert!(matches!(
        foreign_renew,
        Err(StoreError::LeaseNotHeld { .. })
    ));
    assert!(matches!(
        foreign_release,
        Err(StoreError::LeaseNotHeld { .. })
    ));
    assert!(other_instance.is_ok(), "{other_instance:?}");

    store.release_lease("main", "run-a").await?;
    assert_eq!(store.get_lease("main").await?, None);
    store
        .acquire_lease("main", "run-b", minute)
        .await
        .context("a released lease must be free")?;
    Ok(())
}

#[tokio::test]
async fn lease_taken_over_after_expiry() -> anyhow::Result<()> {
    let moto = Moto::start()?;
    let store = Arc::new(moto.store().await?);
    store
        .acquire_lease("main", "dead-run", Duration::from_millis(200))
        .await?;
    tokio::time::sleep(Duration::from_millis(400)).await;

    let tasks: Vec<_> = (0..10)
        .map(|i| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                store
                    .acquire_lease("main", &format!("run-{i}"), Duration::from_secs(60))
                    .await
            })
        })
        .collect();
    let mut owners = Vec::new();
    for task in tasks {
        match task.await? {
            Ok(lease) => owners.push(lease.owner),
            Err(StoreError::LeaseHeld { .. }) => {}
            Err(other) => bail!("unexpected error {other:?}"),
        }
    }
    let late_renew = store
        .renew_lease("main", "dead-run", Duration::from_secs(60))
        .await;

    assert_eq!(owners.len(), 1, "{owners:?}");
    assert_eq!(
        store.get_lease("main").await?.map(|l| l.owner),
        owners.first().cloned()
    );
    assert_eq!(
        late_renew.err().map(|e| e.to_string()).as_deref(),
        Some(
            "the sync lease of instance main is not held by dead-run; it expired and another run took it, so stop this run"
        )
    );
    Ok(())
}

#[tokio::test]
async fn idempotency_same_body_replays() -> anyhow::Result<()> {
    let moto = Moto::start()?;
    let store = moto.store().await?;
    let hash = hash_request(br#"{"email":"a@b.test"}"#);
    let (ttl, lock) = (Duration::from_secs(3600), Duration::from_secs(30));
    let response = StoredResponse {
        status_code: 201,
        body: r#"{"odoo_partner_id":7}"#.into(),
    };

    let first = store.begin_idempotent("key-1", &hash, ttl, lock).await?;
    let concurrent = store.begin_idempotent("key-1", &hash, ttl, lock).await;
    store.complete_idempotent("key-1", &hash, &response).await?;
    let repeat = store.begin_idempotent("key-1", &hash, ttl, lock).await?;

    assert_eq!(first, IdempotencyStart::Started);
    assert_eq!(
        concurrent.err().map(|e| e.to_string()).as_deref(),
        Some("a request with idempotency key key-1 is still in progress; retry after it completes")
    );
    assert_eq!(repeat, IdempotencyStart::Replay(response));
    Ok(())
}

#[tokio::test]
async fn idempotency_other_body_conflicts() -> anyhow::Result<()> {
    let moto = Moto::start()?;
    let store = moto.store().await?;
    let (ttl, lock) = (Duration::from_secs(3600), Duration::from_secs(30));
    store
        .begin_idempotent("key-1", &hash_request(b"one"), ttl, lock)
        .await?;
    store
        .complete_idempotent(
            "key-1",
            &hash_request(b"one"),
            &StoredResponse {
                status_code: 200,
                body: "{}".into(),
            },
        )
        .await?;

    let other = store
        .begin_idempotent("key-1", &hash_request(b"two"), ttl, lock)
        .await;
    let wrong_complete = store
        .complete_idempotent(
            "key-1",
            &hash_request(b"two"),
            &StoredResponse {
                status_code: 200,
                body: "{}".into(),
            },
        )
        .await;

    assert_eq!(
        other.err().map(|e| e.to_string()).as_deref(),
        Some(
            "idempotency key key-1 was already used with a different request body; use a new key for a new request"
        )
    );
    assert!(matches!(wrong_complete, Err(StoreError::NotFound { .. })));
    Ok(())
}

#[tokio::test]
async fn idempotency_stale_claim_retried() -> anyhow::Result<()> {
    let moto = Moto::start()?;
    let store = moto.store().await?;
    let hash = hash_request(b"body");
    let ttl = Duration::from_secs(3600);

    store
        .begin_idempotent("key-1", &hash, ttl, Duration::from_millis(100))
        .await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let after_lock = store
        .begin_idempotent("key-1", &hash, ttl, Duration::from_secs(30))
        .await?;
    store.abandon_idempotent("key-1", &hash).await?;
    let after_abandon = store
        .begin_idempotent("key-1", &hash, ttl, Duration::from_secs(30))
        .await?;

    assert_eq!(after_lock, IdempotencyStart::Started);
    assert_eq!(after_abandon, IdempotencyStart::Started);
    Ok(())
}

#[tokio::test]
async fn create_table_twice() -> anyhow::Result<()> {
    let moto = Moto::start()?;
    let store = moto.store().await?;

    store.create_table().await?;

    let ttl = moto
        .dynamodb()
        .describe_time_to_live()
        .table_name(TABLE)
        .send()
        .await?;
    let attribute = ttl.time_to_live_description.and_then(|d| d.attribute_name);
    assert_eq!(attribute.as_deref(), Some("expires_at"));
    Ok(())
}

fn oauth_credentials() -> MagentoCredentials {
    MagentoCredentials::OAuth {
        consumer_key: "ck-0001".into(),
        consumer_secret: "cs-0002".into(),
        access_token: "at-0003".into(),
        access_token_secret: "ats-0004".into(),
    }
}

#[tokio::test]
async fn secrets_put_get_delete() -> anyhow::Result<()> {
    let moto = Moto::start()?;
    let secrets = SecretsStore::with_ttl(moto.secretsmanager(), Duration::ZERO);

    let magento_arn = secrets.put_magento("main", &oauth_credentials()).await?;
    let odoo_arn = secrets
        .put_odoo(
            "main",
            &OdooCredentials {
                login: "bot".into(),
                api_key: "key-1".into(),
            },
        )
        .await?;
    secrets
        .put_odoo(
            "main",
            &OdooCredentials {
                login: "bot".into(),
                api_key: "key-2".into(),
            },
        )
        .await?;
    let magento = secrets.get_magento(&magento_arn).await?;
    let odoo = secrets
        .get_odoo(&secret_name("main", SecretKind::Odoo))
        .await?;

    assert!(
        magento_arn.starts_with("arn:aws:secretsmanager:"),
        "{magento_arn}"
    );
    assert!(odoo_arn.contains("magento-odoo/main/odoo"), "{odoo_arn}");
    match magento {
        MagentoCredentials::OAuth {
            consumer_key,
            access_token_secret,
            ..
        } => {
            assert_eq!(consumer_key.expose_secret(), "ck-0001");
            assert_eq!(access_token_secret.expose_secret(), "ats-0004");
        }
        other => bail!("expected OAuth credentials, got {}", other.kind()),
    }
    assert_eq!(odoo.api_key.expose_secret(), "key-2");

    secrets.delete_magento("main").await?;
    let deleted = secrets.get_magento(&magento_arn).await;
    assert!(
        matches!(deleted, Err(SecretsError::NotFound { .. })),
        "{deleted:?}"
    );
    assert!(
        secrets.delete_magento("main").await.is_ok(),
        "a second delete must succeed"
    );
    secrets.delete_odoo("main").await?;
    let odoo_deleted = secrets.get_odoo(&odoo_arn).await;
    assert!(
        matches!(odoo_deleted, Err(SecretsError::NotFound { .. })),
        "{odoo_deleted:?}"
    );
    Ok(())
}

#[tokio::test]
async fn secrets_cached_within_ttl() -> anyhow::Result<()> {
    let moto = Moto::start()?;
    let secrets = SecretsStore::new(moto.secretsmanager());
    let name = secret_name("main", SecretKind::Magento);
    secrets
        .put_magento(
            "main",
            &MagentoCredentials::Bearer {
                token: "tok-1".into(),
            },
        )
        .await?;
    secrets.get_magento(&name).await?;

    // Deleting behind the store's back proves that the second read makes no call.
    moto.secretsmanager()
        .delete_secret()
        .secret_id(&name)
        .force_delete_without_recovery(true)
        .send()
        .await?;
    let cached = secrets.get_magento(&name).await;
    let uncached = SecretsStore::new(moto.secretsmanager())
        .get_magento(&name)
        .await;

    assert!(
        matches!(cached, Ok(MagentoCredentials::Bearer { ref token }) if token.expose_secret() == "tok-1"),
        "{cached:?}"
    );
    assert!(
        matches!(uncached, Err(SecretsError::NotFound { .. })),
        "{uncached:?}"
    );
    Ok(())
}

#[test]
fn credentials_debug_redacted() {
    let magento = oauth_credentials();
    let admin = MagentoCredentials::Admin {
        username: "root-user".into(),
        password: "pw-0005".into(),
    };
    let odoo = OdooCredentials {
        login: "bot-login".into(),
        api_key: "key-0006".into(),
    };

    let printed = format!("{magento:?} {magento} {admin:?} {admin} {odoo:?} {odoo}");

    let secrets = [
        "ck-0001",
        "cs-0002",
        "at-0003",
        "ats-0004",
        "root-user",
        "pw-0005",
        "bot-login",
        "key-0006",
    ];
    for secret in secrets {
        assert!(!printed.contains(secret), "{secret} leaked in: {printed}");
    }
    assert!(printed.contains("[REDACTED]"), "{printed}");
}

#[tokio::test]
async fn checkpoint_adds_missing_reasons_map() -> anyhow::Result<()> {
    let moto = Moto::start()?;
    let store = moto.store().await?;
    let job = store.create_job("main", JobKind::Bulk).await?;
    store
        .set_job_status(&job.job_id, JobStatus::Running)
        .await?;
    // A job written by a version without skip reasons.
    moto.dynamodb()
        .update_item()
        .table_name(store.table_name())
        .key("PK", AttributeValue::S(keys::job_pk(&job.job_id)))
        .key("SK", AttributeValue::S(keys::JOB_SK.to_owned()))
        .update_expression("REMOVE skip_reasons")
        .send()
        .await?;
    let reasons = BTreeMap::from([("other website".to_owned(), 3)]);
    let delta = JobCounts {
        processed: 3,
        skipped: 3,
        ..JobCounts::default()
    };

    store
        .checkpoint_job(&job.job_id, &delta, &reasons, "{}")
        .await?;
    store
        .checkpoint_job(&job.job_id, &delta, &reasons, "{}")
        .await?;

    let stored = store.get_job(&job.job_id).await?;
    assert_eq!(
        stored.skip_reasons,
        BTreeMap::from([("other website".to_owned(), 6)])
    );
    assert_eq!(stored.counts.skipped, 6);
    Ok(())
}
