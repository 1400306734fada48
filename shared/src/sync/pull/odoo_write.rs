//! Odoo writes of a pull: one `create` call for all new partners of a batch, `load`
//! calls for the changed partners, and the fallbacks that keep one bad record from
//! blocking the others.
//!
//! Odoo runs each call in one transaction, so a rejected `create` creates nothing and
//! can be sent again. A VAT number that base_vat rejects is retried without VAT
//! validation and reported as a warning, because a bad VAT must not block the partner.

use tracing::warn;

use crate::odoo::{Client, Error, PartnerValues, WriteMany, WriteOptions};

use super::bounded;

/// Rounds of removing the VAT number named in base_vat's message before every record
/// left with a VAT number is created without validation.
const MAX_VAT_ROUNDS: usize = 3;

/// The result of creating one partner.
#[derive(Debug)]
pub(super) struct Created {
    /// The new partner id, or why Odoo rejected this record.
    pub id: Result<i64, String>,
    pub warnings: Vec<String>,
}

/// Creates every partner of `values` (with its children), in one call when nothing is
/// rejected. Returns one result per input, in input order.
///
/// Errors that may pass on a later attempt (Odoo unavailable after the client's
/// retries) and configuration errors are returned as `Err`, because no record can be
/// written then.
pub(super) async fn create_partners(
    odoo: &Client,
    values: &[PartnerValues],
) -> Result<Vec<Created>, Error> {
    let mut results: Vec<Created> = values
        .iter()
        .map(|_| Created {
            id: Err(String::new()),
            warnings: Vec::new(),
        })
        .collect();
    let mut validated: Vec<usize> = (0..values.len()).collect();
    let mut unvalidated: Vec<usize> = Vec::new();

    for _ in 0..MAX_VAT_ROUNDS {
        if validated.is_empty() {
            break;
        }
        let batch: Vec<PartnerValues> = validated.iter().map(|&i| values[i].clone()).collect();

        match odoo.create_many(batch, WriteOptions::default()).await {
            Ok(ids) => {
                assign(&mut results, &validated, ids);
                validated.clear();
            }
            Err(error) if is_vat_error(&error) => {
                let rejected = rejected_vat(&error);
                let (bad, good): (Vec<usize>, Vec<usize>) = validated
                    .iter()
                    .partition(|&&i| vat_matches(&values[i], rejected.as_deref()));
                for &i in &bad {
                    results[i].warnings.push(vat_warning(&error));
                }
                unvalidated.extend(bad);
                validated = good;
            }
            Err(error) if stops_batch(&error) => return Err(error),
            Err(error) => {
                warn!(%error, count = validated.len(), "Odoo rejected a batch create; creating its partners one by one");
                create_one_by_one(
                    odoo,
                    values,
                    &validated,
                    WriteOptions::default(),
                    &mut results,
                )
                .await?;
                validated.clear();
            }
        }
    }

    // After the last round, base_vat may still object to records whose VAT the
    // message did not name, so those are created without validation too.
    let (suspects, clean): (Vec<usize>, Vec<usize>) = validated
        .into_iter()
        .partition(|&i| vat_matches(&values[i], None));
    for &i in &suspects {
        results[i].warnings.push(
            "VAT number not validated: Odoo rejected several VAT numbers in one batch".to_owned(),
        );
    }
    unvalidated.extend(suspects);

    create_batch(odoo, values, &clean, WriteOptions::default(), &mut results).await?;
    create_batch(odoo, values, &unvalidated, skip_vat(), &mut results).await?;

    Ok(results)
}

/// Writes the changed partners of a batch, each given with its entry index. Several
/// partners go out in a few `load` calls ([`Client::write_many`]). One partner, a
/// command `load` cannot express, or a row Odoo rejects falls back to one `write` per
/// partner with at most `concurrency` in flight, which isolates the bad record. Returns
/// each index with its warnings or the reason Odoo rejected its write.
pub(super) async fn write_partners(
    odoo: &Client,
    writes: Vec<(usize, i64, PartnerValues)>,
    concurrency: usize,
) -> Result<Vec<(usize, Result<Vec<String>, String>)>, Error> {
    if writes.len() > 1 {
        let batch: Vec<(i64, PartnerValues)> = writes
            .iter()
            .map(|(_, partner_id, values)| (*partner_id, values.clone()))
            .collect();

        match odoo.write_many(&batch, WriteOptions::default()).await {
            Ok(WriteMany::Written) => {
                return Ok(writes
                    .into_iter()
                    .map(|(i, _, _)| (i, Ok(Vec::new())))
                    .collect());
            }
            Ok(WriteMany::Rejected(reason)) => {
                warn!(%reason, count = batch.len(), "Odoo rejected a batch write; writing its partners one by one");
            }
            Ok(WriteMany::Unsupported) => {}
            Err(error) if stops_batch(&error) => return Err(error),
            Err(error) => {
                warn!(%error, count = batch.len(), "Odoo failed the batch write (load); writing the partners one by one");
            }
        }
    }

    bounded(writes, concurrency, |(i, partner_id, values)| async move {
        let result = write_partner(odoo, partner_id, &values).await?;
        Ok::<_, Error>((i, result))
    })
    .await
}

/// Writes `values` on one existing partner and retries a VAT rejection without VAT
/// validation. Returns the warnings, or the reason Odoo rejected the write.
async fn write_partner(
    odoo: &Client,
    partner_id: i64,
    values: &PartnerValues,
) -> Result<Result<Vec<String>, String>, Error> {
    let mut warnings = Vec::new();

    let written = match odoo
        .write(&[partner_id], values, WriteOptions::default())
        .await
    {
        Err(error) if is_vat_error(&error) => {
            warnings.push(vat_warning(&error));
            odoo.write(&[partner_id], values, skip_vat()).await
        }
        other => other,
    };

    match written {
        Ok(()) => Ok(Ok(warnings)),
        Err(error) if stops_batch(&error) => Err(error),
        Err(error) => Ok(Err(format!(
            "Odoo rejected the update of partner {partner_id}: {error}"
        ))),
    }
}

/// Creates the partners at `indices` in one call, or one by one when Odoo rejects the
/// batch.
async fn create_batch(
    odoo: &Client,
    values: &[PartnerValues],
    indices: &[usize],
    options: WriteOptions,
    results: &mut [Created],
) -> Result<(), Error> {
    if indices.is_empty() {
        return Ok(());
    }
    let batch: Vec<PartnerValues> = indices.iter().map(|&i| values[i].clone()).collect();

    match odoo.create_many(batch, options).await {
        Ok(ids) => {
            assign(results, indices, ids);
            Ok(())
        }
        Err(error) if stops_batch(&error) => Err(error),
        Err(_) => create_one_by_one(odoo, values, indices, options, results).await,
    }
}

/// Creates the partners at `indices` one call each, so one rejected record does not
/// block the rest. With VAT validation on, a VAT rejection is retried without it.
async fn create_one_by_one(
    odoo: &Client,
    values: &[PartnerValues],
    indices: &[usize],
    options: WriteOptions,
    results: &mut [Created],
) -> Result<(), Error> {
    for &i in indices {
        let single = vec![values[i].clone()];

        let created = match odoo.create_many(single.clone(), options).await {
            Err(error) if is_vat_error(&error) && !options.skip_vat_validation => {
                results[i].warnings.push(vat_warning(&error));
                odoo.create_many(single, skip_vat()).await
            }
            other => other,
        };

        results[i].id = match created {
            Ok(ids) => ids.first().copied().ok_or_else(|| {
                "Odoo returned no id for the created partner; pull the customer again".to_owned()
            }),
            Err(error) if stops_batch(&error) => return Err(error),
            Err(error) => Err(format!("Odoo rejected the new partner: {error}")),
        };
    }
    Ok(())
}

fn assign(results: &mut [Created], indices: &[usize], ids: Vec<i64>) {
    for (&i, id) in indices.iter().zip(ids) {
        results[i].id = Ok(id);
    }
}

fn skip_vat() -> WriteOptions {
    WriteOptions {
        skip_vat_validation: true,
        ..WriteOptions::default()
    }
}

/// Tells whether the error means no record of the batch can be written now.
fn stops_batch(error: &Error) -> bool {
    error.is_retryable() || error.is_configuration_error()
}

/// Tells whether Odoo rejected the call because of base_vat's VAT check.
pub(super) fn is_vat_error(error: &Error) -> bool {
    matches!(error, Error::ValidationError(fault) if fault.message.contains("VAT"))
}

fn vat_warning(error: &Error) -> String {
    let message = error
        .fault()
        .map(|fault| fault.message.trim().to_owned())
        .unwrap_or_default();
    warn!(%message, "Odoo rejected a VAT number; writing the partner without VAT validation");
    format!("VAT number not validated: {message}")
}

/// Reads the rejected number from base_vat's message, "The VAT number [X] for partner
/// [Name] does not seem to be valid. ...".
fn rejected_vat(error: &Error) -> Option<String> {
    let message = &error.fault()?.message;
    let after = &message[message.find("VAT")?..];
    let start = after.find('[')? + 1;
    let end = start + after[start..].find(']')?;
    Some(compact_vat(&after[start..end]))
}

/// Tells whether the record's VAT is the rejected one. With no number to compare,
/// every record with a VAT number is a suspect.
fn vat_matches(values: &PartnerValues, rejected: Option<&str>) -> bool {
    let Some(Some(vat)) = &values.vat else {
        return false;
    };
    match rejected {
        Some(rejected) => compact_vat(vat) == rejected,
        None => true,
    }
}

fn compact_vat(vat: &str) -> String {
    vat.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::odoo::Fault;

    fn vat_error(message: &str) -> Error {
        Error::ValidationError(Fault {
            name: "odoo.exceptions.ValidationError".into(),
            message: message.into(),
            model: "res.partner".into(),
            method: "create".into(),
            status: 200,
        })
    }

    fn with_vat(vat: &str) -> PartnerValues {
        PartnerValues {
            vat: Some(Some(vat.into())),
            ..PartnerValues::default()
        }
    }

    #[test]
    fn rejected_vat_from_message() {
        let error = vat_error(
            "The VAT number [fr 123.456] for partner [Ana] does not seem to be valid. \nNote: the expected format is FR12345678901",
        );

        assert!(is_vat_error(&error));
        assert_eq!(rejected_vat(&error).as_deref(), Some("FR123456"));
    }

    #[test]
    fn vat_match_ignores_format() {
        assert!(vat_matches(&with_vat("FR 123.456"), Some("FR123456")));
        assert!(!vat_matches(&with_vat("DE1"), Some("FR123456")));
        assert!(vat_matches(&with_vat("DE1"), None));
        assert!(!vat_matches(&PartnerValues::default(), None));
    }

    #[test]
    fn other_validation_is_not_vat() {
        let error = vat_error("The operation cannot be completed: Contacts require a name");

        assert!(!is_vat_error(&error));
        assert_eq!(rejected_vat(&error), None);
    }
}
