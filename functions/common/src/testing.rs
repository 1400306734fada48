//! Test helpers shared by the function crates: AWS clients against moto, and the
//! sample events of `events/` turned into requests.

use std::path::{Path, PathBuf};
use std::time::Duration;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use lambda_http::{Body, Request, Response};
use sandbox::moto::MotoServer;
use serde_json::Value;
use shared::retry::RetryPolicy;
use shared::secrets::SecretsStore;
use shared::store::Store;

use crate::clients::ClientLimits;

/// Returns client limits of one attempt per call and a 500 ms timeout, so fault tests
/// fail fast.
pub fn fail_fast_limits() -> ClientLimits {
    ClientLimits {
        request_timeout: Duration::from_millis(500),
        retry: RetryPolicy::new(
            1,
            Duration::from_millis(1),
            Duration::from_millis(1),
            Duration::from_millis(1),
        ),
    }
}

/// A moto server with a fresh table, and the clients of the function under test.
pub struct AwsSandbox {
    pub moto: MotoServer,
    pub config: SdkConfig,
    pub store: Store,
    pub secrets: SecretsStore,
}

/// Starts moto and creates the table. Credentials and region are test values set on
/// this SDK configuration only, never in the process environment.
pub async fn aws_sandbox() -> anyhow::Result<AwsSandbox> {
    let moto = sandbox::moto::spawn()?;
    let config = aws_config::defaults(BehaviorVersion::latest())
        .endpoint_url(moto.endpoint_url())
        .region(Region::new("us-east-1"))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            "testing", "testing", None, None, "moto",
        ))
        .load()
        .await;

    let store = Store::new(aws_sdk_dynamodb::Client::new(&config), "connector-test");
    store.create_table().await?;
    let secrets = SecretsStore::new(aws_sdk_secretsmanager::Client::new(&config));

    Ok(AwsSandbox {
        moto,
        config,
        store,
        secrets,
    })
}

/// Returns the sample event files of one function, `events/<function>/*.json`, sorted.
pub fn event_files(function: &str) -> Vec<PathBuf> {
    let directory = workspace_root().join("events").join(function);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&directory)
        .unwrap_or_else(|error| panic!("failed to read {}: {error}", directory.display()))
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "json")
        })
        .collect();
    files.sort();
    files
}

/// Parses an API Gateway HTTP API event file into the request `lambda_http` would build.
pub fn load_http_event(path: &Path) -> Request {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("failed to read {}: {error}", path.display()));
    lambda_http::request::from_str(&text)
        .unwrap_or_else(|error| panic!("{} is not an HTTP API event: {error}", path.display()))
}

/// Reads an event file as JSON, for events that are not HTTP requests.
pub fn load_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("failed to read {}: {error}", path.display()));
    serde_json::from_str(&text)
        .unwrap_or_else(|error| panic!("{} is not JSON: {error}", path.display()))
}

/// Parses a response body as JSON; an empty body becomes `null`.
pub fn body_json(response: &Response<Body>) -> Value {
    let bytes = response.body().as_ref();
    if bytes.is_empty() {
        return Value::Null;
    }
    serde_json::from_slice(bytes).unwrap_or_else(|error| {
        panic!(
            "response body is not JSON ({error}): {}",
            String::from_utf8_lossy(bytes)
        )
    })
}

/// Builds a request with a JSON body, path parameters and optional headers.
pub fn request(method: &str, path_parameters: &[(&str, &str)], body: Option<&str>) -> Request {
    use lambda_http::RequestExt;

    let body = body.map_or(Body::Empty, |text| Body::Text(text.to_owned()));
    let mut request = Request::new(body);
    *request.method_mut() = method.parse().unwrap_or(http::Method::GET);

    let parameters: std::collections::HashMap<String, String> = path_parameters
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect();
    request.with_path_parameters(parameters)
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap_or_else(|error| panic!("failed to find the workspace root: {error}"))
}

/// Builds a valid instance configuration pointing at the given Magento and Odoo URLs.
pub fn sample_instance(
    id: &str,
    magento_url: &str,
    odoo_url: &str,
) -> shared::config::InstanceConfig {
    use shared::config::{ConflictPolicy, InstanceConfig, MagentoAuthKind, OdooProtocol};
    use shared::secrets::{SecretKind, secret_name};

    let now = chrono::Utc::now();
    InstanceConfig {
        id: id.to_owned(),
        name: format!("Test instance {id}"),
        magento_base_url: magento_url.to_owned(),
        magento_store_code: "default".to_owned(),
        magento_website_id: 1,
        magento_auth: MagentoAuthKind::Bearer,
        odoo_url: odoo_url.to_owned(),
        odoo_database: "test".to_owned(),
        odoo_login: "admin".to_owned(),
        odoo_protocol: OdooProtocol::Auto,
        pull_interval_minutes: 15,
        conflict_policy: ConflictPolicy::MagentoWins,
        street_lines: 2,
        magento_page_size: 100,
        magento_secret_ref: secret_name(id, SecretKind::Magento),
        odoo_secret_ref: secret_name(id, SecretKind::Odoo),
        created_at: now,
        updated_at: now,
    }
}

/// Builds a link of a Magento customer to an Odoo partner with a minimal snapshot.
pub fn sample_link(
    instance_id: &str,
    magento_id: u64,
    odoo_partner_id: i64,
    firstname: &str,
    lastname: &str,
    email: &str,
) -> shared::store::CustomerLink {
    use shared::store::{CustomerLink, CustomerSnapshot, LinkState};

    CustomerLink {
        instance_id: instance_id.to_owned(),
        magento_customer_id: magento_id,
        odoo_partner_id,
        customer: CustomerSnapshot {
            firstname: firstname.to_owned(),
            lastname: lastname.to_owned(),
            email: email.to_owned(),
            city: Some("Lyon".to_owned()),
            street: vec!["1 Rue de la Paix".to_owned()],
            website_id: 1,
            ..CustomerSnapshot::default()
        },
        magento_fingerprint: "magento-fingerprint".to_owned(),
        odoo_fingerprint: "odoo-fingerprint".to_owned(),
        last_synced_at: chrono::Utc::now(),
        state: LinkState::Synced,
        last_error: None,
        addresses: Vec::new(),
    }
}

/// Moto, the Magento sandbox and the Odoo sandbox, with instance `main-store` stored
/// in the table and its credentials in Secrets Manager. Dropping it stops everything.
pub struct Systems {
    pub aws: AwsSandbox,
    pub magento: sandbox::magento::Running,
    pub odoo: sandbox::odoo::Running,
    pub instance: shared::config::InstanceConfig,
    http: reqwest::Client,
}

/// The instance id that [`Systems::start`] stores and the sample events use.
pub const INSTANCE_ID: &str = "main-store";

impl Systems {
    /// Starts the systems with `customers` seeded Magento customers (ids 1 to
    /// `customers`) and `partners` seeded Odoo partner slots.
    pub async fn start(customers: u64, partners: u64) -> anyhow::Result<Self> {
        use secrecy::SecretString;
        use shared::config::MagentoAuthKind;
        use shared::secrets::{MagentoCredentials, OdooCredentials};

        let aws = aws_sandbox().await?;
        let magento = sandbox::magento::spawn(sandbox::magento::Options {
            customers,
            seed: 7,
            ..sandbox::magento::Options::default()
        })
        .await?;
        let odoo = sandbox::odoo::spawn(sandbox::odoo::Options {
            partners,
            seed: 7,
            ..sandbox::odoo::Options::default()
        })
        .await?;

        let mut instance = sample_instance(INSTANCE_ID, &magento.base_url, &odoo.base_url);
        instance.magento_auth = MagentoAuthKind::OauthHmacSha256;
        instance.odoo_database = odoo.database.clone();
        instance.odoo_login = odoo.login.clone();

        let integration = &magento.integration;
        let magento_credentials = MagentoCredentials::OAuth {
            consumer_key: SecretString::from(integration.consumer_key.clone()),
            consumer_secret: SecretString::from(integration.consumer_secret.clone()),
            access_token: SecretString::from(integration.access_token.clone()),
            access_token_secret: SecretString::from(integration.access_token_secret.clone()),
        };
        let odoo_credentials = OdooCredentials {
            login: SecretString::from(odoo.login.clone()),
            api_key: SecretString::from(odoo.api_key.clone()),
        };
        instance.magento_secret_ref = aws
            .secrets
            .put_magento(INSTANCE_ID, &magento_credentials)
            .await?;
        instance.odoo_secret_ref = aws.secrets.put_odoo(INSTANCE_ID, &odoo_credentials).await?;
        aws.store.create_instance(&instance).await?;

        Ok(Self {
            aws,
            magento,
            odoo,
            instance,
            http: reqwest::Client::new(),
        })
    }

    /// Replaces the fault settings of the Magento sandbox, e.g.
    /// `{"next": [{"status": 503}]}`.
    pub async fn magento_faults(&self, faults: Value) -> anyhow::Result<()> {
        self.put(
            &format!("{}/_sandbox/faults", self.magento.base_url),
            faults,
        )
        .await
    }

    /// Replaces the fault settings of the Odoo sandbox.
    pub async fn odoo_faults(&self, faults: Value) -> anyhow::Result<()> {
        self.put(&format!("{}/_sandbox/faults", self.odoo.base_url), faults)
            .await
    }

    /// Returns how many requests the Magento sandbox served on one route, e.g.
    /// `POST /V1/customers`. Requests that got an injected fault are not counted.
    pub async fn magento_route_count(&self, route: &str) -> anyhow::Result<u64> {
        let url = format!("{}/_sandbox/stats", self.magento.base_url);
        let stats: Value = self
            .http
            .get(url)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;

        Ok(stats["routes"][route].as_u64().unwrap_or_default())
    }

    async fn put(&self, url: &str, body: Value) -> anyhow::Result<()> {
        self.http
            .put(url)
            .json(&body)
            .send()
            .await?
            .error_for_status()?;
        Ok(())
    }

    /// Returns a new store client on the same table, as a function's cold start builds.
    pub fn store(&self) -> Store {
        Store::new(
            aws_sdk_dynamodb::Client::new(&self.aws.config),
            self.aws.store.table_name(),
        )
    }

    /// Returns a new secrets client, as a function's cold start builds.
    pub fn secrets(&self) -> SecretsStore {
        SecretsStore::new(aws_sdk_secretsmanager::Client::new(&self.aws.config))
    }
}
