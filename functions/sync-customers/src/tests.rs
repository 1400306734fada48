//! Handler tests against moto and a local stand-in for the Lambda Invoke API.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode as AxumStatus;
use axum::routing::post;
use functions_common::Metrics;
use functions_common::clients::{ClientCache, ClientLimits};
use functions_common::testing::{
    AwsSandbox, Systems, aws_sandbox, event_files, load_json, sample_instance,
};
use lambda_http::lambda_runtime::{Context, LambdaEvent};
use serde_json::{Value, json};
use shared::secrets::SecretsStore;
use shared::store::{JobCounts, JobKind, JobStatus, Store};

use crate::{App, SelfInvoker};

/// Invocations received by the stand-in: function name and payload.
type Invocations = Arc<Mutex<Vec<(String, Value)>>>;

async fn record_invocation(
    State(invocations): State<Invocations>,
    Path(function): Path<String>,
    body: axum::body::Bytes,
) -> AxumStatus {
    let payload = serde_json::from_slice(&body).unwrap_or(Value::Null);
    if let Ok(mut invocations) = invocations.lock() {
        invocations.push((function, payload));
    }
    AxumStatus::ACCEPTED
}

/// Starts the stand-in on 127.0.0.1 and returns its endpoint and what it records.
async fn lambda_stand_in() -> (String, Invocations) {
    let invocations = Invocations::default();
    let router = Router::new()
        .route(
            "/2015-03-31/functions/{function}/invocations",
            post(record_invocation),
        )
        .with_state(Arc::clone(&invocations));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, router).await });
    (format!("http://{address}"), invocations)
}

async fn app(sandbox: &AwsSandbox, lambda_endpoint: &str) -> App {
    let lambda_config = aws_sdk_lambda::config::Builder::from(&sandbox.config)
        .endpoint_url(lambda_endpoint)
        .build();
    App {
        store: Store::new(
            aws_sdk_dynamodb::Client::new(&sandbox.config),
            sandbox.store.table_name(),
        ),
        secrets: SecretsStore::new(aws_sdk_secretsmanager::Client::new(&sandbox.config)),
        clients: ClientCache::new(ClientLimits::background()),
        invoker: SelfInvoker {
            client: aws_sdk_lambda::Client::from_conf(lambda_config),
            function_name: "connector-sync-customers".to_owned(),
        },
        metrics: Metrics::in_memory("sync-customers").0,
    }
}

async fn dispatch(app: &App, payload: Value) -> Value {
    app.dispatch(LambdaEvent::new(payload, Context::default()))
        .await
        .expect("HTTP events always produce a response")
}

fn event(name: &str) -> Value {
    let path = event_files("sync-customers")
        .into_iter()
        .find(|path| path.file_stem().is_some_and(|stem| stem == name))
        .unwrap_or_else(|| panic!("events/sync-customers/{name}.json is missing"));
    load_json(&path)
}

fn body_of(response: &Value) -> Value {
    let text = response["body"].as_str().unwrap_or("null");
    serde_json::from_str(text).expect("response body is JSON")
}

async fn seed_instance(sandbox: &AwsSandbox) {
    let instance = sample_instance(
        "main-store",
        "https://shop.example.com",
        "https://erp.example.com",
    );
    sandbox
        .store
        .create_instance(&instance)
        .await
        .expect("instance stored");
}

/// Returns an invocation context whose deadline is `remaining` from now.
fn context_with(remaining: Duration) -> Context {
    let deadline = SystemTime::now() + remaining;
    let mut context = Context::default();
    context.deadline = deadline
        .duration_since(UNIX_EPOCH)
        .map(|since| since.as_millis() as u64)
        .unwrap_or_default();
    context
}

fn systems_app(systems: &Systems, endpoint: &str) -> (App, Arc<Mutex<Vec<Value>>>) {
    let lambda_config = aws_sdk_lambda::config::Builder::from(&systems.aws.config)
        .endpoint_url(endpoint)
        .build();
    let (metrics, documents) = Metrics::in_memory("sync-customers");
    let app = App {
        store: systems.store(),
        secrets: systems.secrets(),
        clients: ClientCache::new(ClientLimits::background()),
        invoker: SelfInvoker {
            client: aws_sdk_lambda::Client::from_conf(lambda_config),
            function_name: "connector-sync-customers".to_owned(),
        },
        metrics,
    };
    (app, documents)
}

#[tokio::test]
async fn start_event_queues_and_invokes() {
    let sandbox = aws_sandbox().await.expect("moto starts");
    seed_instance(&sandbox).await;
    let (endpoint, invocations) = lambda_stand_in().await;
    let app = app(&sandbox, &endpoint).await;

    let response = dispatch(&app, event("start-sync")).await;

    let body = body_of(&response);
    let job_id = body["job_id"].as_str().expect("job id").to_owned();
    assert_eq!(response["statusCode"], 202, "{response}");
    assert_eq!(body["status"], "queued");
    assert_eq!(body["instance_id"], "main-store");
    assert_eq!(
        response["headers"]["location"],
        format!("/instances/main-store/sync/{job_id}")
    );
    let invocations = invocations.lock().expect("lock").clone();
    assert_eq!(
        invocations,
        vec![(
            "connector-sync-customers".to_owned(),
            json!({"action": "continue_bulk_pull", "instance_id": "main-store", "job_id": job_id, "cursor": null})
        )]
    );
}

#[tokio::test]
async fn second_start_while_queued_conflicts() {
    let sandbox = aws_sandbox().await.expect("moto starts");
    seed_instance(&sandbox).await;
    let (endpoint, invocations) = lambda_stand_in().await;
    let app = app(&sandbox, &endpoint).await;
    dispatch(&app, event("start-sync")).await;

    let second = dispatch(&app, event("start-sync")).await;

    assert_eq!(second["statusCode"], 409, "{second}");
    assert_eq!(body_of(&second)["error"]["code"], "conflict");
    assert_eq!(invocations.lock().expect("lock").len(), 1);
}

#[tokio::test]
async fn start_while_lease_held_conflicts() {
    let sandbox = aws_sandbox().await.expect("moto starts");
    seed_instance(&sandbox).await;
    sandbox
        .store
        .acquire_lease(
            "main-store",
            "another-run",
            std::time::Duration::from_secs(600),
        )
        .await
        .expect("lease taken");
    let (endpoint, _) = lambda_stand_in().await;
    let app = app(&sandbox, &endpoint).await;

    let response = dispatch(&app, event("start-sync")).await;

    assert_eq!(response["statusCode"], 409, "{response}");
    assert_eq!(
        body_of(&response)["error"]["details"]["instance_id"],
        "main-store"
    );
}

#[tokio::test]
async fn failed_invoke_marks_job_failed() {
    let sandbox = aws_sandbox().await.expect("moto starts");
    seed_instance(&sandbox).await;
    // Nothing listens on the reserved port once the listener is dropped.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let endpoint = format!("http://{}", closed.local_addr().expect("address"));
    drop(closed);
    let app = app(&sandbox, &endpoint).await;

    let response = dispatch(&app, event("start-sync")).await;
    let jobs = sandbox
        .store
        .list_jobs("main-store", 10)
        .await
        .expect("jobs");

    assert_eq!(response["statusCode"], 503, "{response}");
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].status, JobStatus::Failed);
}

#[tokio::test]
async fn get_job_event_reports_progress() {
    let sandbox = aws_sandbox().await.expect("moto starts");
    seed_instance(&sandbox).await;
    let job = sandbox
        .store
        .create_job("main-store", JobKind::Bulk)
        .await
        .expect("job");
    sandbox
        .store
        .set_job_status(&job.job_id, JobStatus::Running)
        .await
        .expect("running");
    let delta = JobCounts {
        processed: 40,
        created: 10,
        linked: 20,
        updated: 5,
        unchanged: 3,
        skipped: 1,
        failed: 1,
        ..JobCounts::default()
    };
    sandbox
        .store
        .add_job_counts(&job.job_id, &delta)
        .await
        .expect("counts");
    sandbox
        .store
        .set_job_total(&job.job_id, 100)
        .await
        .expect("total");
    let (endpoint, _) = lambda_stand_in().await;
    let app = app(&sandbox, &endpoint).await;
    // The sample event carries a fixed job id; the stored job's id is generated.
    let mut request = event("get-sync-job");
    request["pathParameters"]["job_id"] = json!(job.job_id);

    let response = dispatch(&app, request).await;

    let body = body_of(&response);
    assert_eq!(response["statusCode"], 200, "{response}");
    assert_eq!(body["status"], "running");
    assert_eq!(body["processed"], 40);
    assert_eq!(body["total"], 100);
    assert_eq!(body["created"], 10);
    assert_eq!(body["linked"], 20);
    assert_eq!(body["updated"], 5);
    assert_eq!(body["unchanged"], 3);
    assert_eq!(body["skipped"], 1);
    assert_eq!(body["failed"], 1);
}

#[tokio::test]
async fn http_error_statuses() {
    let sandbox = aws_sandbox().await.expect("moto starts");
    seed_instance(&sandbox).await;
    let (endpoint, _) = lambda_stand_in().await;
    let app = app(&sandbox, &endpoint).await;

    let mut unknown_job = event("get-sync-job");
    unknown_job["pathParameters"]["job_id"] = json!("no-such-job");
    let mut unknown_instance = event("start-sync");
    unknown_instance["pathParameters"]["instance_id"] = json!("nope");

    let missing_job = dispatch(&app, unknown_job).await;
    let missing_instance = dispatch(&app, unknown_instance).await;

    assert_eq!(missing_job["statusCode"], 404, "{missing_job}");
    assert_eq!(missing_instance["statusCode"], 404, "{missing_instance}");
    assert_eq!(
        body_of(&missing_instance)["error"]["message"],
        "instance nope not found"
    );
}

#[tokio::test]
async fn unknown_event_is_ignored() {
    let sandbox = aws_sandbox().await.expect("moto starts");
    let (endpoint, invocations) = lambda_stand_in().await;
    let app = app(&sandbox, &endpoint).await;

    let result = dispatch(&app, json!({"action": "explode"})).await;

    assert_eq!(result, json!({"error": "unknown action \"explode\""}));
    assert!(invocations.lock().expect("lock").is_empty());
}

mod bulk {
    use functions_common::testing::INSTANCE_ID;

    use super::*;

    #[tokio::test]
    async fn start_then_continuation_finishes_job() {
        let systems = Systems::start(25, 0).await.expect("systems start");
        let (endpoint, invocations) = lambda_stand_in().await;
        let (app, documents) = systems_app(&systems, &endpoint);

        let started = app
            .dispatch(LambdaEvent::new(
                event("start-sync"),
                context_with(Duration::from_secs(60)),
            ))
            .await
            .expect("response");
        let continuation = invocations.lock().expect("lock")[0].1.clone();
        // The sample continuation names a fixed job; the queued job's id is generated.
        let mut sample = event("continue-bulk-pull");
        sample["job_id"] = continuation["job_id"].clone();
        assert_eq!(sample, continuation);
        let slice = app
            .dispatch(LambdaEvent::new(
                continuation.clone(),
                context_with(Duration::from_secs(600)),
            ))
            .await;

        let job_id = continuation["job_id"].as_str().expect("job id");
        let job = systems.store().get_job(job_id).await.expect("job");
        assert_eq!(started["statusCode"], 202);
        assert!(slice.is_ok(), "{slice:?}");
        assert_eq!(job.status, JobStatus::Succeeded);
        assert_eq!(job.counts.processed, 25);
        let counts = job.counts;
        let outcomes = counts.created
            + counts.linked
            + counts.updated
            + counts.unchanged
            + counts.skipped
            + counts.failed;
        assert_eq!(outcomes, 25, "{counts:?}");
        assert!(counts.created > 0, "{counts:?}");
        assert_eq!(
            invocations.lock().expect("lock").len(),
            1,
            "a finished job invokes nothing"
        );
        let created: u64 = documents
            .lock()
            .expect("lock")
            .iter()
            .filter(|document| document["Outcome"] == "created")
            .filter_map(|document| document["CustomerOutcomes"].as_u64())
            .sum();
        assert_eq!(created, job.counts.created);
    }

    #[tokio::test]
    async fn slice_at_deadline_invokes_next() {
        let systems = Systems::start(10, 0).await.expect("systems start");
        let (endpoint, invocations) = lambda_stand_in().await;
        let (app, _) = systems_app(&systems, &endpoint);
        let job = systems
            .store()
            .create_job(INSTANCE_ID, JobKind::Bulk)
            .await
            .expect("job");
        let continuation = json!({"action": "continue_bulk_pull", "instance_id": INSTANCE_ID, "job_id": job.job_id, "cursor": null});

        // No time left: the slice takes no page and hands over to the next invocation.
        let first = app
            .dispatch(LambdaEvent::new(
                continuation.clone(),
                context_with(Duration::ZERO),
            ))
            .await;
        let handed_over = invocations.lock().expect("lock").clone();
        let second = app
            .dispatch(LambdaEvent::new(
                handed_over[0].1.clone(),
                context_with(Duration::from_secs(600)),
            ))
            .await;

        let job = systems.store().get_job(&job.job_id).await.expect("job");
        assert!(first.is_ok(), "{first:?}");
        assert!(second.is_ok(), "{second:?}");
        assert_eq!(handed_over.len(), 1);
        assert_eq!(handed_over[0].1["job_id"], job.job_id);
        assert_eq!(job.status, JobStatus::Succeeded);
        assert_eq!(job.counts.processed, 10);
    }

    #[tokio::test]
    async fn continuation_of_deleted_instance_fails_job() {
        let systems = Systems::start(1, 0).await.expect("systems start");
        let (endpoint, invocations) = lambda_stand_in().await;
        let (app, _) = systems_app(&systems, &endpoint);
        let job = systems
            .store()
            .create_job(INSTANCE_ID, JobKind::Bulk)
            .await
            .expect("job");
        systems
            .store()
            .delete_instance(INSTANCE_ID)
            .await
            .expect("deleted");
        let continuation = json!({"action": "continue_bulk_pull", "instance_id": INSTANCE_ID, "job_id": job.job_id, "cursor": null});

        let result = app
            .dispatch(LambdaEvent::new(
                continuation,
                context_with(Duration::from_secs(600)),
            ))
            .await;

        let job = systems.store().get_job(&job.job_id).await.expect("job");
        assert!(result.is_ok(), "{result:?}");
        assert_eq!(job.status, JobStatus::Failed);
        assert_eq!(
            job.recent_errors[0].reason,
            "the run could not start: instance main-store not found"
        );
        assert!(invocations.lock().expect("lock").is_empty());
    }
}

#[tokio::test]
async fn every_event_file_is_tested() {
    let tested = [
        "continue-bulk-pull",
        "get-sync-job",
        "scheduled-pull",
        "start-sync",
    ];

    let names: Vec<String> = event_files("sync-customers")
        .iter()
        .filter_map(|path| path.file_stem())
        .map(|stem| stem.to_string_lossy().into_owned())
        .collect();

    assert_eq!(names, tested);
}

mod scheduled {
    use functions_common::testing::INSTANCE_ID;
    use shared::store::JobKind;

    use super::*;

    async fn run(app: &App, remaining: Duration) -> Value {
        app.dispatch(LambdaEvent::new(
            event("scheduled-pull"),
            context_with(remaining),
        ))
        .await
        .expect("scheduled run")
    }

    #[tokio::test]
    async fn event_pulls_due_instance_once() {
        let systems = Systems::start(5, 0).await.expect("systems start");
        let (endpoint, invocations) = lambda_stand_in().await;
        let (app, documents) = systems_app(&systems, &endpoint);

        let first = run(&app, Duration::from_secs(600)).await;
        let second = run(&app, Duration::from_secs(600)).await;

        assert_eq!(first["due"], 1, "{first}");
        assert_eq!(first["finished"], 1, "{first}");
        let entry = &first["runs"][0];
        assert_eq!(entry["instance_id"], INSTANCE_ID);
        assert_eq!(entry["status"], "finished");
        assert_eq!(entry["processed"], 5);
        let job_id = entry["job_id"].as_str().expect("job id");
        let job = systems.store().get_job(job_id).await.expect("job");
        assert_eq!(job.kind, JobKind::Scheduled);
        assert_eq!(job.status, JobStatus::Succeeded);
        assert_eq!(job.counts.processed, 5);
        assert_eq!(entry["counts"]["created"], job.counts.created);
        let links = systems
            .store()
            .list_links(INSTANCE_ID, None, 10, None)
            .await
            .expect("links");
        assert_eq!(
            links.links.len() as u64,
            job.counts.created + job.counts.linked,
            "{:?} {:?}",
            job.counts,
            job.recent_errors
        );
        let created: u64 = documents
            .lock()
            .expect("lock")
            .iter()
            .filter(|document| document["Outcome"] == "created")
            .filter_map(|document| document["CustomerOutcomes"].as_u64())
            .sum();
        assert_eq!(created, job.counts.created);
        assert_eq!(
            second,
            json!({"due": 0, "finished": 0, "stopped": 0, "failed": 0, "runs": []}),
            "not due again before the pull interval"
        );
        assert!(invocations.lock().expect("lock").is_empty());
    }

    #[tokio::test]
    async fn failed_instance_does_not_stop_others() {
        let systems = Systems::start(2, 0).await.expect("systems start");
        let broken = sample_instance(
            "broken-store",
            "https://shop.example.com",
            "https://erp.example.com",
        );
        systems
            .store()
            .create_instance(&broken)
            .await
            .expect("instance stored");
        let (endpoint, _) = lambda_stand_in().await;
        let (app, _) = systems_app(&systems, &endpoint);

        let summary = run(&app, Duration::from_secs(600)).await;

        assert_eq!(summary["due"], 2, "{summary}");
        assert_eq!(summary["finished"], 1, "{summary}");
        assert_eq!(summary["failed"], 1, "{summary}");
        let runs = summary["runs"].as_array().expect("runs");
        let failed = runs
            .iter()
            .find(|entry| entry["instance_id"] == "broken-store")
            .expect("broken-store run");
        assert_eq!(failed["status"], "failed");
        assert_eq!(failed["job_id"], Value::Null);
        assert_eq!(
            failed["error"],
            "secret magento-odoo/broken-store/magento not found in Secrets Manager; store the credentials again through the instances API"
        );
        let finished = runs
            .iter()
            .find(|entry| entry["instance_id"] == INSTANCE_ID)
            .expect("main-store run");
        assert_eq!(finished["status"], "finished");
        assert_eq!(finished["processed"], 2);
        let broken_jobs = systems
            .store()
            .list_jobs("broken-store", 10)
            .await
            .expect("jobs");
        assert!(
            broken_jobs.is_empty(),
            "a run that cannot start records no job"
        );
    }

    #[tokio::test]
    async fn passed_deadline_leaves_instance_due() {
        let systems = Systems::start(3, 0).await.expect("systems start");
        let (endpoint, _) = lambda_stand_in().await;
        let (app, _) = systems_app(&systems, &endpoint);

        // The invocation's last minute is kept back, so this run has no time at all.
        let late = run(&app, crate::DEADLINE_MARGIN).await;
        let next = run(&app, Duration::from_secs(600)).await;

        assert_eq!(late["due"], 0, "{late}");
        let jobs = systems
            .store()
            .list_jobs(INSTANCE_ID, 10)
            .await
            .expect("jobs");
        assert_eq!(jobs.len(), 1, "only the second run created a job");
        assert_eq!(next["finished"], 1, "{next}");
        assert_eq!(next["runs"][0]["processed"], 3);
    }

    #[tokio::test]
    async fn list_failure_is_retried() {
        let systems = Systems::start(0, 0).await.expect("systems start");
        let (endpoint, _) = lambda_stand_in().await;
        let (mut app, _) = systems_app(&systems, &endpoint);
        app.store = Store::new(
            aws_sdk_dynamodb::Client::new(&systems.aws.config),
            "no-such-table",
        );

        let result = app
            .dispatch(LambdaEvent::new(
                event("scheduled-pull"),
                context_with(Duration::from_secs(600)),
            ))
            .await;

        assert!(result.is_err(), "{result:?}");
    }
}
