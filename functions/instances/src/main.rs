//! Lambda entry point of the instances API. Clients are built once per cold start.

use functions_common::dynamodb::store_from_env;
use functions_common::{Metrics, init_tracing};
use instances::App;
use lambda_http::{Error, Request, service_fn};
use shared::secrets::SecretsStore;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let metrics = Metrics::from_env("instances");
    init_tracing(metrics.clone());

    let config = aws_config::load_from_env().await;
    let app = App {
        store: store_from_env(&config)?,
        secrets: SecretsStore::new(aws_sdk_secretsmanager::Client::new(&config)),
        metrics,
    };

    lambda_http::run(service_fn(|request: Request| app.handle(request))).await
}
