//! The response of a use case that syncs one customer, and its outcome metric.

use http::StatusCode;
use lambda_http::{Body, Response};
use serde::Serialize;
use serde_json::json;
use shared::store::JobCounts;
use shared::sync::{CustomerResult, Outcome};

use crate::emf::{Metrics, OutcomeKind};
use crate::error::{ApiError, ErrorCode};
use crate::response::json_response;

/// Returns the counted kind of an outcome. `AlreadyExists` counts as skipped, as in the job
/// counters, because nothing was written.
pub fn outcome_kind(outcome: &Outcome) -> OutcomeKind {
    match outcome {
        Outcome::Created { .. } => OutcomeKind::Created,
        Outcome::LinkedToExisting { .. } => OutcomeKind::Linked,
        Outcome::Updated { .. } => OutcomeKind::Updated,
        Outcome::Unchanged { .. } => OutcomeKind::Unchanged,
        Outcome::AlreadyExists { .. } | Outcome::Skipped { .. } => OutcomeKind::Skipped,
        Outcome::Failed { .. } => OutcomeKind::Failed,
    }
}

/// Returns the outcome counters of a job, for one metric line per outcome.
pub fn outcome_counts(counts: &JobCounts) -> [(OutcomeKind, u64); 6] {
    [
        (OutcomeKind::Created, counts.created),
        (OutcomeKind::Linked, counts.linked),
        (OutcomeKind::Updated, counts.updated),
        (OutcomeKind::Unchanged, counts.unchanged),
        (OutcomeKind::Skipped, counts.skipped),
        (OutcomeKind::Failed, counts.failed),
    ]
}

/// The body of a successful single-customer sync.
#[derive(Debug, Serialize)]
pub struct ResultBody<'a> {
    pub instance_id: &'a str,
    pub magento_id: Option<u64>,
    pub odoo_partner_id: Option<i64>,
    pub outcome: OutcomeKind,
    pub reason: Option<&'a str>,
    pub warnings: &'a [String],
    /// The settlement of a conflict, when both sides changed since the last sync.
    pub conflict: Option<&'a str>,
}

/// Logs and counts the outcome, then builds the response: `success` for outcomes
/// that wrote or confirmed a link, 409 for `AlreadyExists`, 422 for `Failed`.
pub fn result_response(
    metrics: &Metrics,
    instance_id: &str,
    result: &CustomerResult,
    success: StatusCode,
) -> Result<Response<Body>, ApiError> {
    let outcome = &result.outcome;
    let kind = outcome_kind(outcome);
    metrics.outcome(kind, 1);
    tracing::info!(
        instance_id,
        magento_customer_id = result.magento_customer_id,
        odoo_partner_id = outcome.odoo_partner_id(),
        outcome = outcome.status(),
        conflict = result.conflict.as_deref(),
        "customer synced"
    );

    let (reason, warnings, magento_id) = match outcome {
        Outcome::Created {
            warnings,
            magento_customer_id,
            ..
        }
        | Outcome::Updated {
            warnings,
            magento_customer_id,
            ..
        } => (
            None,
            warnings.as_slice(),
            u64::try_from(*magento_customer_id).ok(),
        ),
        Outcome::LinkedToExisting {
            reason,
            warnings,
            magento_customer_id,
            ..
        } => (
            Some(reason.as_str()),
            warnings.as_slice(),
            u64::try_from(*magento_customer_id).ok(),
        ),
        Outcome::Unchanged {
            magento_customer_id,
            ..
        } => (None, &[][..], u64::try_from(*magento_customer_id).ok()),
        Outcome::Skipped { reason } => (Some(reason.as_str()), &[][..], result.magento_customer_id),
        Outcome::AlreadyExists {
            magento_customer_id,
            website_id,
            reason,
        } => {
            return Err(ApiError::conflict(reason.clone()).with_details(json!({
                "magento_id": magento_customer_id,
                "website_id": website_id,
            })));
        }
        Outcome::Failed { reason } => {
            return Err(ApiError::new(ErrorCode::Rejected, reason.clone())
                .with_details(json!({ "magento_id": result.magento_customer_id })));
        }
    };

    let body = ResultBody {
        instance_id,
        magento_id,
        odoo_partner_id: outcome.odoo_partner_id(),
        outcome: kind,
        reason,
        warnings,
        conflict: result.conflict.as_deref(),
    };
    Ok(json_response(success, &body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(outcome: Outcome) -> CustomerResult {
        CustomerResult {
            magento_customer_id: Some(5),
            outcome,
            conflict: None,
        }
    }

    #[test]
    fn linked_outcome_body() {
        let (metrics, documents) = Metrics::in_memory("pull-customer");
        let linked = result(Outcome::LinkedToExisting {
            magento_customer_id: 5,
            odoo_partner_id: 42,
            reason: "the only partner with this email".to_owned(),
            warnings: vec![],
        });

        let response =
            result_response(&metrics, "shop-1", &linked, StatusCode::OK).expect("success");

        let body: serde_json::Value =
            serde_json::from_slice(response.body().as_ref()).expect("JSON");
        assert_eq!(body["outcome"], "linked");
        assert_eq!(body["odoo_partner_id"], 42);
        assert_eq!(body["magento_id"], 5);
        assert_eq!(body["reason"], "the only partner with this email");
        assert_eq!(documents.lock().expect("lock")[0]["Outcome"], "linked");
    }

    #[test]
    fn failed_outcome_is_422() {
        let (metrics, documents) = Metrics::in_memory("pull-customer");
        let failed = result(Outcome::Failed {
            reason: "Odoo rejected the partner: invalid country".to_owned(),
        });

        let error =
            result_response(&metrics, "shop-1", &failed, StatusCode::OK).expect_err("failed");

        assert_eq!(error.status().as_u16(), 422);
        assert_eq!(error.message, "Odoo rejected the partner: invalid country");
        assert_eq!(documents.lock().expect("lock")[0]["Outcome"], "failed");
    }

    #[test]
    fn already_exists_is_409() {
        let (metrics, _) = Metrics::in_memory("create-customer");
        let exists = result(Outcome::AlreadyExists {
            magento_customer_id: 9,
            website_id: 1,
            reason: "a customer with this email exists in website 1".to_owned(),
        });

        let error =
            result_response(&metrics, "shop-1", &exists, StatusCode::CREATED).expect_err("exists");

        assert_eq!(error.status().as_u16(), 409);
        assert_eq!(
            error.details,
            Some(json!({"magento_id": 9, "website_id": 1}))
        );
    }
}
