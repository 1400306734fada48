//! The connector's bulk pull, from an empty link state.

use super::endpoints::Endpoints;
use super::scenario::ScenarioResult;

/// Runs the bulk pull over every customer.
///
/// TODO: call the bulk use case of `shared::sync` once it lands on the `sync`
/// branch; until then the scenario fails with this message and the report
/// shows it as not run.
pub async fn run(_endpoints: &Endpoints, _page_size: u32) -> anyhow::Result<ScenarioResult> {
    anyhow::bail!("shared::sync has no bulk pull yet, so the bulk scenario cannot run")
}
