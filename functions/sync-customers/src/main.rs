//! Lambda entry point of the sync function. Clients are built once per cold start.
// The SDK futures nested under the runtime exceed the default depth of 128 when the
// compiler computes the layout of main's future.
#![recursion_limit = "256"]

use functions_common::clients::{ClientCache, ClientLimits};
use functions_common::dynamodb::store_from_env;
use functions_common::{Metrics, init_tracing};
use lambda_http::lambda_runtime::{self, Error, LambdaEvent};
use serde_json::Value;
use shared::secrets::SecretsStore;
use sync_customers::{App, SelfInvoker};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let metrics = Metrics::from_env("sync-customers");
    init_tracing(metrics.clone());

    let function_name = std::env::var("AWS_LAMBDA_FUNCTION_NAME").map_err(|_| {
        "environment variable AWS_LAMBDA_FUNCTION_NAME is not set; Lambda sets it, so set it by hand only outside Lambda"
    })?;
    let config = aws_config::load_from_env().await;
    let app = App {
        store: store_from_env(&config)?,
        secrets: SecretsStore::new(aws_sdk_secretsmanager::Client::new(&config)),
        clients: ClientCache::new(ClientLimits::background()),
        invoker: SelfInvoker {
            client: aws_sdk_lambda::Client::new(&config),
            function_name,
        },
        metrics,
    };

    lambda_runtime::run(lambda_runtime::service_fn(|event: LambdaEvent<Value>| {
        app.dispatch(event)
    }))
    .await
}
