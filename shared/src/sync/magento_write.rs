//! Writing an Odoo partner's version of a customer onto Magento: the pieces shared by
//! "Update in Magento", "Create in Magento" and a conflict that Odoo wins.

use std::collections::BTreeSet;

use crate::magento::{self, Customer, ErrorKind};
use crate::mapping::magento_model::{merge_into_customer, validate_customer};
use crate::mapping::{
    CustomerForm, MagentoWriteSettings, NameParts, OdooChild, OdooFeatures, OdooGeo,
    RegionDirectory, form_from_partner, split_full_name,
};
use crate::odoo::PartnerWithChildren;

use super::context::SyncContext;
use super::error::SyncError;
use super::geo::add_partners;

/// A partner mapped to what Magento stores.
#[derive(Debug, Clone)]
pub struct PartnerVersion {
    pub form: CustomerForm,
    /// The five Magento name parts, split from the partner's name.
    pub names: NameParts,
    pub children: Vec<OdooChild>,
}

/// The result of writing a merged customer to Magento.
#[derive(Debug, Clone)]
pub enum MagentoWrite {
    /// The merged customer equals the current one, so nothing was sent.
    Unchanged(Customer),
    /// Magento stored the merged customer, as returned.
    Updated(Customer),
}

/// Maps a partner to the Magento side. `stored` are the name parts kept in the link at
/// the last sync, reused where the partner's name still matches them.
pub async fn partner_version(
    ctx: &SyncContext,
    record: &PartnerWithChildren,
    stored: Option<&NameParts>,
) -> Result<PartnerVersion, SyncError> {
    let features = features(ctx).await?;
    let mut geo = OdooGeo::default();
    add_partners(&ctx.odoo, &mut geo, &[record]).await?;

    let (form, children) = form_from_partner(record, &geo, features);

    // With titles (Odoo 17, 18) the prefix travels as the title and is not in the name.
    let mut names = split_full_name(&form.name, stored, !features.titles);
    if features.titles {
        let stored_prefix = stored.and_then(|parts| parts.prefix.clone());
        names.prefix = prefix_for_title(ctx, record, stored_prefix).await?;
    }

    Ok(PartnerVersion {
        form,
        names,
        children,
    })
}

/// Returns the Magento prefix of a partner's title: the stored prefix when it names the
/// same title ("Dr." for "Doctor"), else the title's name. A partner without a title
/// keeps the stored prefix, because the sync writes no title when Odoo has none
/// matching the prefix and refuses to create one.
async fn prefix_for_title(
    ctx: &SyncContext,
    record: &PartnerWithChildren,
    stored_prefix: Option<String>,
) -> Result<Option<String>, SyncError> {
    let Some(title) = &record.partner.title else {
        return Ok(stored_prefix);
    };

    if let Some(prefix) = stored_prefix {
        let same = match ctx.odoo.title_id(&prefix).await {
            Ok(id) => id == Some(title.id),
            Err(crate::odoo::Error::AccessError(_)) => false,
            Err(error) => return Err(error.into()),
        };
        if same {
            return Ok(Some(prefix));
        }
    }
    Ok(Some(title.name.clone()))
}

/// Returns the Odoo features that shape the mapping (one cached `fields_get`).
pub async fn features(ctx: &SyncContext) -> Result<OdooFeatures, SyncError> {
    Ok(OdooFeatures {
        titles: ctx.odoo.partner_fields().await?.title,
    })
}

/// Returns the instance's settings for Magento writes.
pub async fn write_settings(ctx: &SyncContext) -> Result<MagentoWriteSettings, SyncError> {
    Ok(MagentoWriteSettings {
        street_lines: usize::from(ctx.instance.street_lines),
        titles: features(ctx).await?.titles,
    })
}

/// Loads Magento's region lists of every country that `forms` mention (one call per
/// country, cached by the client). A country Magento does not know gets no list, and
/// Magento then rejects the address with its own message.
pub async fn region_directory(
    magento: &magento::Client,
    forms: &[&CustomerForm],
) -> Result<RegionDirectory, SyncError> {
    let mut codes = BTreeSet::new();
    for form in forms {
        let addresses =
            std::iter::once(&form.address).chain(form.children.iter().map(|c| &c.address));
        codes.extend(addresses.filter_map(|address| address.country_code.clone()));
    }

    let mut directory = RegionDirectory::default();
    for code in codes {
        let country = match magento.country(&code).await {
            Ok(country) => country,
            Err(error) if matches!(error.kind(), ErrorKind::NotFound | ErrorKind::Validation) => {
                continue;
            }
            Err(error) => return Err(error.into()),
        };

        for region in &country.available_regions {
            if let Ok(id) = region.id.trim().parse::<u64>() {
                directory.add(&code, &region.code, id, &region.name);
            }
        }
    }

    Ok(directory)
}

/// Merges `version` into `current`, checks the result with Magento's rules, and sends
/// the complete customer when it differs (1 call). Odoo is the source of the names,
/// email, VAT, phone, company and billing address, and everything else survives.
///
/// A record Magento would reject fails with [`SyncError::Invalid`] before any write.
pub async fn merge_and_save(
    ctx: &SyncContext,
    magento_customer_id: u64,
    current: &Customer,
    version: &PartnerVersion,
) -> Result<MagentoWrite, SyncError> {
    let settings = write_settings(ctx).await?;
    let regions = region_directory(&ctx.magento, &[&version.form]).await?;

    let merged = merge_into_customer(current, &version.form, &version.names, &regions, settings);
    validate_customer(&merged, &regions)?;

    if merged == *current {
        return Ok(MagentoWrite::Unchanged(current.clone()));
    }

    let saved = ctx
        .magento
        .customers()
        .put(magento_customer_id, &merged)
        .await?;
    Ok(MagentoWrite::Updated(saved))
}
