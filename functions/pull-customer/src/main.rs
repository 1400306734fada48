//! Lambda entry point of the pull-customer API. Clients are built once per cold start.

use functions_common::clients::{ClientCache, ClientLimits};
use functions_common::dynamodb::store_from_env;
use functions_common::{Metrics, init_tracing};
use lambda_http::{Error, Request, service_fn};
use pull_customer::App;
use shared::secrets::SecretsStore;

#[tokio::main]
async fn main() -> Result<(), Error> {
    let metrics = Metrics::from_env("pull-customer");
    init_tracing(metrics.clone());

    let config = aws_config::load_from_env().await;
    let app = App {
        store: store_from_env(&config)?,
        secrets: SecretsStore::new(aws_sdk_secretsmanager::Client::new(&config)),
        clients: ClientCache::new(ClientLimits::http()),
        metrics,
    };

    lambda_http::run(service_fn(|request: Request| app.handle(request))).await
}
