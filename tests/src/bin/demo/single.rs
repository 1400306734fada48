//! The single-customer actions: create in Magento from an Odoo partner, update in
//! Magento after an Odoo change, and pull one customer changed in Magento.

use anyhow::Context;
use harness::api::{Api, Reply};
use harness::odoo_rpc::OdooRpc;
use serde_json::json;
use shared::magento;

/// The result of one single-customer action, as the API returned it.
#[derive(Debug, Clone)]
pub struct Action {
    pub name: &'static str,
    pub magento_id: Option<u64>,
    pub odoo_partner_id: Option<i64>,
    /// `created`, `linked`, `updated`, `unchanged`, `skipped` or `failed`.
    pub outcome: String,
    pub reason: Option<String>,
}

impl Action {
    /// Reads the API's reply: the outcome on `success`, else a failure whose reason
    /// is the error message and status.
    fn from_reply(name: &'static str, reply: &Reply, success: u16) -> Self {
        let body = &reply.body;
        if reply.status != success {
            return Self {
                name,
                magento_id: body["error"]["details"]["magento_id"].as_u64(),
                odoo_partner_id: None,
                outcome: "failed".to_owned(),
                reason: Some(format!(
                    "HTTP {} {}: {}",
                    reply.status,
                    reply.error_code(),
                    reply.error_message()
                )),
            };
        }

        Self {
            name,
            magento_id: body["magento_id"].as_u64(),
            odoo_partner_id: body["odoo_partner_id"].as_i64(),
            outcome: body["outcome"].as_str().unwrap_or("unknown").to_owned(),
            reason: body["reason"].as_str().map(str::to_owned),
        }
    }
}

/// Name that the update step writes on the Odoo partner. The Odoo-only partners have
/// no address, so the name is the field that reaches Magento.
const NEW_NAME: &str = "Olivia Marchetti";

/// Creates a Magento customer from the first active Odoo partner that exists only in
/// Odoo (the sandbox seeds them as `odoo.only<N>@partners.example`).
pub async fn create_from_partner(
    api: &Api,
    odoo: &OdooRpc,
    instance_id: &str,
) -> anyhow::Result<Action> {
    let partners = odoo
        .search_read(
            "res.partner",
            json!([["email", "=like", "odoo.only%"], ["active", "=", true]]),
            &["id", "name", "email"],
            1,
        )
        .await?;
    let partner = partners.first().context(
        "the Odoo sandbox has no active Odoo-only partner; seed it with --partners 3 or more",
    )?;
    let partner_id = partner["id"]
        .as_i64()
        .context("Odoo returned a partner without an id")?;
    println!(
        "  Odoo partner {partner_id} {} <{}>",
        partner["name"].as_str().unwrap_or_default(),
        partner["email"].as_str().unwrap_or_default()
    );

    let reply = api
        .post(
            &format!("/instances/{instance_id}/customers"),
            &json!({ "odoo_partner_id": partner_id }),
        )
        .await?;
    Ok(Action::from_reply("Create in Magento", &reply, 201))
}

/// Renames the created customer's partner in Odoo, then pushes the partner to
/// Magento with "Update in Magento".
pub async fn update_after_odoo_change(
    api: &Api,
    odoo: &OdooRpc,
    instance_id: &str,
    created: &Action,
) -> anyhow::Result<Action> {
    let (Some(magento_id), Some(partner_id)) = (created.magento_id, created.odoo_partner_id) else {
        return Ok(Action {
            name: "Update in Magento",
            magento_id: None,
            odoo_partner_id: None,
            outcome: "skipped".to_owned(),
            reason: Some("no customer was created to update".to_owned()),
        });
    };
    odoo.write("res.partner", &[partner_id], json!({ "name": NEW_NAME }))
        .await?;
    println!("  Odoo partner {partner_id}: renamed to {NEW_NAME}");

    let reply = api
        .put(
            &format!("/instances/{instance_id}/customers/{magento_id}"),
            &json!({}),
        )
        .await?;
    Ok(Action::from_reply("Update in Magento", &reply, 200))
}

/// Renames a synced customer in Magento as a store administrator would, then pulls
/// it into Odoo with "Pull from Magento".
pub async fn pull_after_magento_change(
    api: &Api,
    magento_admin: &magento::Client,
    instance_id: &str,
    magento_id: u64,
) -> anyhow::Result<Action> {
    let mut customer = magento_admin
        .customers()
        .get(magento_id)
        .await
        .with_context(|| format!("failed to read Magento customer {magento_id}"))?;
    customer.lastname = format!("{}-Lindqvist", customer.lastname);
    magento_admin
        .customers()
        .put(magento_id, &customer)
        .await
        .with_context(|| format!("failed to rename Magento customer {magento_id}"))?;
    println!(
        "  Magento customer {magento_id}: last name changed to {}",
        customer.lastname
    );

    let reply = api
        .post(
            &format!("/instances/{instance_id}/customers/{magento_id}/pull"),
            &json!({}),
        )
        .await?;
    Ok(Action::from_reply("Pull from Magento", &reply, 200))
}
