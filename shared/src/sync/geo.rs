//! Fills the mapping's [`OdooGeo`] through the Odoo client's cached lookups, so the
//! mapping can translate codes to ids and back without remote calls.
//!
//! The client loads all countries once, and the states of the countries a page names
//! in one call, so resolving a page of customers costs no call after the first pages.

use crate::mapping::{AddressForm, CustomerForm, OdooGeo};
use crate::odoo::{Client, Error, Partner, PartnerWithChildren};

use super::context::SyncContext;

/// Adds the countries, states and titles that `forms` mention to `geo`.
pub async fn add_forms(
    ctx: &SyncContext,
    geo: &mut OdooGeo,
    forms: &[&CustomerForm],
) -> Result<(), Error> {
    let client = &ctx.odoo;

    // The states of every country the forms name, loaded in one call before the
    // per-address lookups below, which then hit the cache.
    let mut codes: Vec<&str> = forms
        .iter()
        .flat_map(|form| form_addresses(form))
        .filter_map(|address| address.country_code.as_deref())
        .collect();
    codes.sort_unstable();
    codes.dedup();
    let mut country_ids = Vec::with_capacity(codes.len());
    for code in codes {
        if let Some(country_id) = client.country_id(code).await? {
            country_ids.push(country_id);
        }
    }
    client.load_states(&country_ids).await?;

    for form in forms {
        for address in form_addresses(form) {
            let Some(country) = address.country_code.as_deref() else {
                continue;
            };
            let Some(country_id) = client.country_id(country).await? else {
                continue;
            };
            geo.add_country(country_id, country);

            if let Some(code) = address.state_code.as_deref()
                && let Some(state_id) = client.state_id(country_id, code).await?
            {
                geo.add_state(state_id, country, code);
            }
        }

        if let Some(title) = form.title.as_deref()
            && let Some(title_id) = title_id(ctx, title).await?
        {
            geo.add_title(title_id, title);
        }
    }

    Ok(())
}

/// Returns the addresses of a form: its own, then its children's. A Vec, not a lazy
/// iterator: a closure held across an await makes the future fail the `Send` bound
/// that Lambda runtimes require.
fn form_addresses(form: &CustomerForm) -> Vec<&AddressForm> {
    let mut addresses = vec![&form.address];
    addresses.extend(form.children.iter().map(|child| &child.address));
    addresses
}

/// Finds or creates the title named `title`. A user without the right to create titles
/// gets an AccessError, so the partner is written without a title and the prefix stays
/// in Magento and in the link's name parts. The context remembers the refusal, so later
/// pages do not request the title again.
async fn title_id(ctx: &SyncContext, title: &str) -> Result<Option<i64>, Error> {
    if ctx.is_title_refused(title) {
        return Ok(None);
    }

    match ctx.odoo.title_id(title).await {
        Err(Error::AccessError(fault)) => {
            tracing::warn!(title, message = %fault.message, "cannot create the Odoo partner title; writing partners without it");
            ctx.refuse_title(title);
            Ok(None)
        }
        other => other,
    }
}

/// Adds the codes of the countries, states and titles that partners read from Odoo
/// point at, so [`form_from_partner`](crate::mapping::form_from_partner) can name them.
/// A state that does not belong to the partner's country is left out, because Magento
/// could not store it.
pub async fn add_partners(
    client: &Client,
    geo: &mut OdooGeo,
    records: &[&PartnerWithChildren],
) -> Result<(), Error> {
    let country_ids: Vec<i64> = records
        .iter()
        .flat_map(|record| std::iter::once(&record.partner).chain(&record.children))
        .filter_map(|partner| partner.country_id.as_ref().map(|country| country.id))
        .collect();
    client.load_states(&country_ids).await?;

    for record in records {
        for partner in std::iter::once(&record.partner).chain(&record.children) {
            add_partner(client, geo, partner).await?;
        }
    }

    Ok(())
}

async fn add_partner(client: &Client, geo: &mut OdooGeo, partner: &Partner) -> Result<(), Error> {
    // Odoo's own title name replaces a Magento prefix that found the same title
    // ("Doctor" for "Dr."), so a partner's form, and so its fingerprint, depends on
    // the partner alone.
    if let Some(title) = &partner.title {
        geo.add_title(title.id, &title.name);
    }

    let Some(country) = &partner.country_id else {
        return Ok(());
    };
    let Some(country_code) = client.country_code(country.id).await? else {
        return Ok(());
    };
    geo.add_country(country.id, &country_code);

    if let Some(state) = &partner.state_id
        && let Some(state_code) = client.state_code(country.id, state.id).await?
    {
        geo.add_state(state.id, &country_code, &state_code);
    }

    Ok(())
}
