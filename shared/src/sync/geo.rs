//! Fills the mapping's [`OdooGeo`] through the Odoo client's cached lookups.

use crate::mapping::{CustomerForm, OdooGeo};
use crate::odoo::{Client, Error};

/// Resolves every country, state and title that `forms` mention, so the mapping can
/// translate codes to ids and back without remote calls. Codes Odoo does not know are
/// left out, and the mapping then sends those fields empty.
pub async fn resolve_geo<'a>(
    client: &Client,
    forms: impl IntoIterator<Item = &'a CustomerForm>,
) -> Result<OdooGeo, Error> {
    let mut geo = OdooGeo::default();

    for form in forms {
        let addresses =
            std::iter::once(&form.address).chain(form.children.iter().map(|c| &c.address));

        for address in addresses {
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
            && let Some(title_id) = client.title_id(title).await?
        {
            geo.add_title(title_id, title);
        }
    }

    Ok(geo)
}
