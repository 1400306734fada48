//! Lambda entry point of the customers API. Clients are built once per cold start.

use customers::App;
use functions_common::dynamodb::store_from_env;
use functions_common::{Metrics, init_tracing};
use lambda_http::{Error, Request, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    let metrics = Metrics::from_env("customers");
    init_tracing(metrics.clone());

    let config = aws_config::load_from_env().await;
    let app = App {
        store: store_from_env(&config)?,
        metrics,
    };

    lambda_http::run(service_fn(|request: Request| app.handle(request))).await
}
