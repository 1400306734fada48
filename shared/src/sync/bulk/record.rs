//! The job's record of problems: the first failures and conflicts of each page with
//! their reasons, and the count of skipped customers per reason.

use std::collections::BTreeMap;

use crate::store::{Store, StoreError};

use super::super::outcome::Outcome;
use super::super::pull::PullReport;

/// Problems recorded per page at most. The job keeps the latest 20 and counts all of
/// them, so a page full of failures costs a few writes, not one per customer.
pub const MAX_RECORDED_PER_PAGE: usize = 3;

/// Records the page's first failures and conflicts in the job.
pub(super) async fn record_problems(
    store: &Store,
    job_id: &str,
    report: &PullReport,
) -> Result<(), StoreError> {
    let problems = report.results.iter().filter_map(|result| {
        let reason = match (&result.outcome, &result.conflict) {
            (Outcome::Failed { reason }, _) => reason.clone(),
            (_, Some(conflict)) => conflict.clone(),
            _ => return None,
        };
        Some((
            result.magento_customer_id,
            result.outcome.odoo_partner_id(),
            reason,
        ))
    });

    for (magento_customer_id, odoo_partner_id, reason) in problems.take(MAX_RECORDED_PER_PAGE) {
        store
            .record_job_error(job_id, magento_customer_id, odoo_partner_id, &reason)
            .await?;
    }
    Ok(())
}

/// Distinct skip reasons a page adds to the job at most, so that unusual reasons cannot
/// grow the job item without bound. Skips beyond them are still counted in `skipped`.
const MAX_SKIP_REASONS_PER_PAGE: usize = 5;
/// Characters of a reason kept as its key.
const MAX_REASON_CHARS: usize = 200;

/// Counts the page's skipped customers per reason, each reduced by [`general_reason`].
pub(super) fn skip_reasons(report: &PullReport) -> BTreeMap<String, u64> {
    let mut reasons: BTreeMap<String, u64> = BTreeMap::new();

    for result in &report.results {
        let Outcome::Skipped { reason } = &result.outcome else {
            continue;
        };
        let key = general_reason(reason);
        if reasons.contains_key(&key) || reasons.len() < MAX_SKIP_REASONS_PER_PAGE {
            *reasons.entry(key).or_insert(0) += 1;
        }
    }
    reasons
}

/// Returns the reason with its numbers replaced by `N` and its email addresses by
/// `<email>`, cut to 200 characters, so that the same reason for different customers
/// reads the same.
pub fn general_reason(reason: &str) -> String {
    let words: Vec<String> = reason
        .split(' ')
        .map(|word| match word.contains('@') {
            true => "<email>".to_owned(),
            false => replace_numbers(word),
        })
        .collect();

    words.join(" ").chars().take(MAX_REASON_CHARS).collect()
}

fn replace_numbers(word: &str) -> String {
    let mut general = String::with_capacity(word.len());
    let mut in_number = false;

    for character in word.chars() {
        if character.is_ascii_digit() {
            if !in_number {
                general.push('N');
            }
            in_number = true;
        } else {
            general.push(character);
            in_number = false;
        }
    }
    general
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::CustomerResult;

    fn skipped(reason: &str) -> CustomerResult {
        CustomerResult {
            magento_customer_id: Some(1),
            outcome: Outcome::Skipped {
                reason: reason.to_owned(),
            },
            conflict: None,
        }
    }

    #[test]
    fn skip_reasons_group_by_general_text() {
        let report = PullReport {
            results: vec![
                skipped("Magento customer 5 belongs to website 2"),
                skipped("Magento customer 10 belongs to website 2"),
                skipped("another customer has the email ana@example.test,"),
            ],
        };

        let reasons = skip_reasons(&report);

        assert_eq!(reasons["Magento customer N belongs to website N"], 2);
        assert_eq!(reasons["another customer has the email <email>"], 1);
        assert_eq!(reasons.len(), 2);
    }

    #[test]
    fn skip_reasons_cap_distinct_reasons() {
        let results = (0..8)
            .map(|i| skipped(&format!("reason {}", "x".repeat(i))))
            .collect();

        let reasons = skip_reasons(&PullReport { results });

        assert_eq!(reasons.len(), MAX_SKIP_REASONS_PER_PAGE);
    }
}
