//! Fault injection and request counters through a live sandbox server.

mod common;

use std::time::{Duration, Instant};

use common::Sandbox;
use sandbox::magento::Options;
use serde_json::json;

const COUNTRIES: &str = "/rest/V1/directory/countries/US";

#[tokio::test]
async fn forced_outcomes_in_order() -> anyhow::Result<()> {
    let sandbox = Sandbox::start(Options::default()).await?;
    let faults = json!({ "next": [{ "status": 503 }, { "status": 429, "retry_after_secs": 2 }, { "drop": true }] });
    let set = sandbox.put("/_sandbox/faults", faults).await?;

    let unavailable = sandbox.http.get(sandbox.url(COUNTRIES)).send().await?;
    let limited = sandbox.http.get(sandbox.url(COUNTRIES)).send().await?;
    let dropped = sandbox.http.get(sandbox.url(COUNTRIES)).send().await;
    let normal = sandbox.http.get(sandbox.url(COUNTRIES)).send().await?;

    assert_eq!(set.status, 200);
    assert_eq!(unavailable.status().as_u16(), 503);
    assert_eq!(limited.status().as_u16(), 429);
    assert_eq!(
        limited
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("2")
    );
    assert!(
        dropped.is_err(),
        "a dropped connection must not yield a response"
    );
    assert_eq!(normal.status().as_u16(), 200);
    Ok(())
}

#[tokio::test]
async fn control_routes_never_faulted() -> anyhow::Result<()> {
    let sandbox = Sandbox::start(Options::default()).await?;
    sandbox
        .put("/_sandbox/faults", json!({ "rate_503": 1.0 }))
        .await?;

    let settings = sandbox.get("/_sandbox/faults").await?;
    let api = sandbox.get(COUNTRIES).await?;

    assert_eq!(settings.status, 200);
    assert_eq!(settings.body["rate_503"], 1.0);
    assert_eq!(settings.body["retry_after_secs"], 1);
    assert_eq!(api.status, 503);
    Ok(())
}

#[tokio::test]
async fn invalid_fault_settings() -> anyhow::Result<()> {
    let sandbox = Sandbox::start(Options::default()).await?;

    let reply = sandbox
        .put("/_sandbox/faults", json!({ "rate_429": 2.0 }))
        .await?;
    let typo = sandbox
        .put("/_sandbox/faults", json!({ "rate_5003": 0.5 }))
        .await?;

    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.body["message"],
        "invalid fault settings: rate_429 is 2, but a rate must be between 0 and 1"
    );
    assert_eq!(typo.status, 400);
    Ok(())
}

#[tokio::test]
async fn latency_and_slow_body() -> anyhow::Result<()> {
    let sandbox = Sandbox::with_customers(40).await?;
    sandbox
        .put("/_sandbox/faults", json!({ "latency_ms": 150 }))
        .await?;

    let started = Instant::now();
    let reply = sandbox.get(COUNTRIES).await?;
    let latency = started.elapsed();

    sandbox
        .put("/_sandbox/faults", json!({ "slow_body_ms": 40 }))
        .await?;
    let started = Instant::now();
    let page = sandbox
        .get("/rest/V1/customers/search?searchCriteria[pageSize]=40")
        .await?;
    let slow = started.elapsed();

    assert_eq!(reply.status, 200);
    assert!(latency >= Duration::from_millis(150), "{latency:?}");
    assert_eq!(page.body["total_count"], 40);
    // 40 customers make well over 8 KiB, so at least two 40 ms gaps between chunks.
    assert!(slow >= Duration::from_millis(80), "{slow:?}");
    Ok(())
}

#[tokio::test]
async fn stats_count_route_patterns() -> anyhow::Result<()> {
    let sandbox = Sandbox::with_customers(3).await?;
    sandbox
        .admin(reqwest::Method::DELETE, "/_sandbox/stats", None)
        .await?;

    sandbox.get("/rest/V1/customers/1").await?;
    sandbox.get("/rest/eu/V1/customers/2").await?;
    sandbox
        .get("/rest/V1/customers/search?searchCriteria=")
        .await?;
    let stats = sandbox.get("/_sandbox/stats").await?;
    sandbox
        .admin(reqwest::Method::DELETE, "/_sandbox/stats", None)
        .await?;
    let reset = sandbox.get("/_sandbox/stats").await?;

    assert_eq!(stats.body["total"], 3);
    assert_eq!(stats.body["routes"]["GET /V1/customers/:customerId"], 2);
    assert_eq!(stats.body["routes"]["GET /V1/customers/search"], 1);
    assert_eq!(reset.body["total"], 0);
    Ok(())
}
