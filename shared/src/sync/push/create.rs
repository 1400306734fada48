//! "Create in Magento": a new Magento customer from an Odoo partner or from typed
//! fields, linked to its partner.

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use crate::config::ConflictPolicy;
use crate::magento::{Customer, ErrorKind};
use crate::mapping::magento_model::{new_customer, validate_customer};
use crate::mapping::{CustomerForm, NameParts};
use crate::store::CustomerLink;

use super::super::context::SyncContext;
use super::super::error::SyncError;
use super::super::magento_write::{features, partner_version, region_directory, write_settings};
use super::super::outcome::Outcome;
use super::super::password::generate_password;
use super::super::pull::{PullOptions, pull_customers};
use super::super::snapshot::{customer_snapshot, new_link};
use super::form_customer::form_customer;
use super::input::CustomerInput;
use super::{push_address_links, push_fingerprints};

/// The source of the new customer's data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum CreateSource {
    /// An existing Odoo partner, which gets linked to the new customer.
    Partner { odoo_partner_id: i64 },
    /// Typed fields; the new customer is then pulled into Odoo, which links it to the
    /// partner with the same email or creates one.
    Form(Box<CustomerInput>),
}

/// A "Create in Magento" request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateRequest {
    #[serde(flatten)]
    pub source: CreateSource,
    /// True: Magento gets no password and mails the customer a link to set one. False:
    /// the customer gets a random password that is sent once and never stored.
    pub send_welcome_email: bool,
}

/// Creates a Magento customer in the instance's website and links it.
///
/// Every field is checked with Magento's rules before any write, and a record Magento
/// would reject fails with [`SyncError::Invalid`] listing each field and its fix. When
/// Magento rejects the email as already used in the website, the create is not
/// retried: the outcome is [`Outcome::AlreadyExists`] with the existing customer, which
/// the caller may link instead. A partner that is already linked is `Skipped`.
#[tracing::instrument(skip_all, fields(instance_id = %ctx.instance_id()))]
pub async fn create_in_magento(
    ctx: &SyncContext,
    request: &CreateRequest,
) -> Result<Outcome, SyncError> {
    let outcome = match &request.source {
        CreateSource::Partner { odoo_partner_id } => {
            create_from_partner(ctx, *odoo_partner_id, request.send_welcome_email).await?
        }
        CreateSource::Form(input) => {
            create_from_form(ctx, input, request.send_welcome_email).await?
        }
    };

    tracing::info!(
        instance_id = %ctx.instance_id(),
        magento_customer_id = outcome.magento_customer_id(),
        odoo_partner_id = outcome.odoo_partner_id(),
        status = outcome.status(),
        "Create in Magento finished"
    );
    Ok(outcome)
}

async fn create_from_partner(
    ctx: &SyncContext,
    odoo_partner_id: i64,
    send_welcome_email: bool,
) -> Result<Outcome, SyncError> {
    if let Some(link) = ctx
        .store
        .get_link_by_partner(ctx.instance_id(), odoo_partner_id)
        .await?
    {
        return Ok(Outcome::Skipped {
            reason: format!(
                "Odoo partner {odoo_partner_id} is already linked to Magento customer {}; use Update in Magento",
                link.magento_customer_id
            ),
        });
    }

    let record = ctx
        .odoo
        .read_with_children(&[odoo_partner_id])
        .await?
        .into_iter()
        .next()
        .ok_or(SyncError::PartnerNotFound { odoo_partner_id })?;
    let version = partner_version(ctx, &record, None).await?;

    let customer = build_customer(ctx, &version.form, &version.names).await?;
    let saved = match send(ctx, &customer, send_welcome_email).await? {
        Sent::Created(saved) => *saved,
        Sent::Exists(outcome) => return Ok(outcome),
    };
    let Some(magento_customer_id) = saved.id else {
        return Err(missing_id(ctx));
    };

    // Addresses are sent in the order of the partner's children, so an address whose
    // text Magento changed (packed street lines) still finds its child.
    let in_order: Vec<i64> = version
        .form
        .children
        .iter()
        .filter_map(|form| {
            version
                .children
                .iter()
                .find(|child| child.child == *form)
                .map(|child| child.odoo_id)
        })
        .collect();
    let addresses = push_address_links(
        ctx,
        &saved,
        odoo_partner_id,
        &version.children,
        &Default::default(),
        &in_order,
    )
    .await?;
    let fingerprints = push_fingerprints(ctx, &saved, &version).await?;
    let link = CustomerLink {
        addresses,
        ..new_link(
            ctx.instance_id(),
            customer_snapshot(&saved, send_welcome_email),
            magento_customer_id,
            odoo_partner_id,
            fingerprints,
        )
    };
    ctx.store.create_link(&link).await?;

    Ok(Outcome::Created {
        magento_customer_id: magento_customer_id as i64,
        odoo_partner_id,
        warnings: Vec::new(),
    })
}

async fn create_from_form(
    ctx: &SyncContext,
    input: &CustomerInput,
    send_welcome_email: bool,
) -> Result<Outcome, SyncError> {
    let titles = features(ctx).await?.titles;
    let customer = form_customer(ctx, input, titles).await?;

    let saved = match send(ctx, &customer, send_welcome_email).await? {
        Sent::Created(saved) => *saved,
        Sent::Exists(outcome) => return Ok(outcome),
    };
    let Some(magento_customer_id) = saved.id else {
        return Err(missing_id(ctx));
    };

    let options = PullOptions {
        policy: ConflictPolicy::MagentoWins,
        ..PullOptions::for_instance(&ctx.instance)
    };
    let report = pull_customers(ctx, vec![saved], &options).await?;
    let outcome = report
        .results
        .into_iter()
        .next()
        .map(|result| result.outcome)
        .ok_or_else(|| missing_id(ctx))?;

    if send_welcome_email
        && let Some(mut link) = ctx
            .store
            .get_link(ctx.instance_id(), magento_customer_id)
            .await?
    {
        link.customer.send_welcome_email = true;
        ctx.store.save_link(&link).await?;
    }

    // The Magento customer exists from here on, so an outcome without a link names it:
    // the caller must link or delete it rather than create it again.
    Ok(match outcome {
        Outcome::LinkedToExisting {
            odoo_partner_id,
            warnings,
            ..
        } => Outcome::Created {
            magento_customer_id: magento_customer_id as i64,
            odoo_partner_id,
            warnings,
        },
        Outcome::Skipped { reason } => Outcome::Skipped {
            reason: format!(
                "Magento customer {magento_customer_id} was created but not linked to Odoo: {reason}"
            ),
        },
        Outcome::Failed { reason } => Outcome::Failed {
            reason: format!(
                "Magento customer {magento_customer_id} was created but not linked to Odoo: {reason}"
            ),
        },
        other => other,
    })
}

/// Builds the new customer in the instance's website and checks it with Magento's
/// rules (reading Magento's region lists, but writing nothing).
async fn build_customer(
    ctx: &SyncContext,
    form: &CustomerForm,
    names: &NameParts,
) -> Result<Customer, SyncError> {
    let settings = write_settings(ctx).await?;
    let regions = region_directory(&ctx.magento, &[form]).await?;
    let website_id = Some(u64::from(ctx.instance.magento_website_id));

    let customer = new_customer(form, names, website_id, &regions, settings);
    validate_customer(&customer, &regions)?;
    Ok(customer)
}

enum Sent {
    Created(Box<Customer>),
    Exists(Outcome),
}

/// Creates the customer (1 call). On a duplicate email, returns the existing customer
/// of the website (1 more call) and never sends a second create.
async fn send(
    ctx: &SyncContext,
    customer: &Customer,
    send_welcome_email: bool,
) -> Result<Sent, SyncError> {
    let password: Option<SecretString> = if send_welcome_email {
        None
    } else {
        Some(generate_password()?)
    };

    let error = match ctx.magento.customers().create(customer, password).await {
        Ok(saved) => return Ok(Sent::Created(Box::new(saved))),
        Err(error) if error.kind() == ErrorKind::DuplicateEmail => error,
        Err(error) => return Err(error.into()),
    };

    let website_id = u64::from(ctx.instance.magento_website_id);
    let existing = ctx
        .magento
        .customers()
        .find_by_email(&customer.email, website_id)
        .await?;
    let outcome = match existing.and_then(|found| found.id) {
        Some(id) => Outcome::AlreadyExists {
            magento_customer_id: id as i64,
            website_id,
            reason: format!(
                "Magento customer {id} already has the email {} in website {website_id}; link it instead of creating another",
                customer.email
            ),
        },
        None => Outcome::Failed {
            reason: format!("Magento rejected the new customer: {error}"),
        },
    };
    Ok(Sent::Exists(outcome))
}

fn missing_id(ctx: &SyncContext) -> SyncError {
    SyncError::TaskFailed {
        instance_id: ctx.instance_id().to_owned(),
        detail: "Magento returned the created customer without an id; look it up by email before creating it again".to_owned(),
    }
}
