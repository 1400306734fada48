//! The checkpoint of a running bulk job: its counters, skip reasons and resume
//! cursor, written in one conditional update.

use std::collections::{BTreeMap, HashMap};

use aws_sdk_dynamodb::config::http::HttpResponse;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};

use super::error::is_condition_failed;
use super::jobs::{JobCounts, JobStatus};
use super::keys::{self, JOB_SK};
use super::{Store, StoreError, from_item, number, string};

impl Store {
    /// Adds `delta` to the job's counters and `skip_reasons` to its counts per skip
    /// reason, and sets its cursor, in one atomic UpdateItem. Returns the counters
    /// after it.
    ///
    /// Both change together, so a run that stops between two checkpoints
    /// never counts a page it will process again on resume. Fails with
    /// [`StoreError::JobFinished`] when the job is no longer running (it was
    /// cancelled or finished), which tells the run to stop.
    #[tracing::instrument(skip(self, delta))]
    pub async fn checkpoint_job(
        &self,
        job_id: &str,
        delta: &JobCounts,
        skip_reasons: &BTreeMap<String, u64>,
        cursor: &str,
    ) -> Result<JobCounts, StoreError> {
        let JobCounts {
            processed,
            total,
            created,
            linked,
            updated,
            unchanged,
            skipped,
            failed,
            conflicts,
        } = *delta;
        let counters = [
            ("processed", processed),
            ("total", total),
            ("created", created),
            ("linked", linked),
            ("updated", updated),
            ("unchanged", unchanged),
            ("skipped", skipped),
            ("failed", failed),
            ("conflicts", conflicts),
        ];

        let mut names = HashMap::from([
            ("#cursor".to_string(), "cursor".to_string()),
            ("#status".to_string(), "status".to_string()),
        ]);
        let mut values = HashMap::from([
            (":cursor".to_string(), string(cursor)),
            (":running".to_string(), string(JobStatus::Running.as_str())),
        ]);
        let mut additions = Vec::new();
        for (name, value) in counters.into_iter().filter(|(_, value)| *value > 0) {
            names.insert(format!("#{name}"), name.to_string());
            values.insert(format!(":{name}"), number(value));
            additions.push(format!("#{name} :{name}"));
        }

        let mut sets = vec!["#cursor = :cursor".to_owned()];
        if !skip_reasons.is_empty() {
            names.insert("#reasons".to_owned(), "skip_reasons".to_owned());
            values.insert(":zero".to_owned(), number(0));
        }
        // Each reason is a nested path in the map the job was created with, because a
        // nested SET needs its parent map to exist.
        for (index, (reason, count)) in skip_reasons.iter().enumerate() {
            names.insert(format!("#reason{index}"), reason.clone());
            values.insert(format!(":reason{index}"), number(*count));
            sets.push(format!(
                "#reasons.#reason{index} = if_not_exists(#reasons.#reason{index}, :zero) + :reason{index}"
            ));
        }

        let mut update = format!("SET {}", sets.join(", "));
        if !additions.is_empty() {
            update.push_str(" ADD ");
            update.push_str(&additions.join(", "));
        }

        let send = || {
            self.client()
                .update_item()
                .table_name(self.table_name())
                .set_key(Some(keys::key(keys::job_pk(job_id), JOB_SK)))
                .update_expression(update.clone())
                .condition_expression("attribute_exists(PK) AND #status = :running")
                .set_expression_attribute_names(Some(names.clone()))
                .set_expression_attribute_values(Some(values.clone()))
                .return_values(ReturnValue::AllNew)
                .send()
        };

        let mut result = send().await;
        if !skip_reasons.is_empty() && is_validation_error(&result) {
            // A job created by an earlier version has no `skip_reasons` map, and a
            // nested path needs its parent.
            self.add_skip_reasons_map(job_id).await?;
            result = send().await;
        }

        match result {
            Ok(output) => {
                let attributes: HashMap<String, AttributeValue> =
                    output.attributes.unwrap_or_default();
                from_item::<JobCounts>("job", attributes)
            }
            Err(error) if is_condition_failed(&error) => {
                let job = self.get_job(job_id).await?;
                Err(StoreError::JobFinished {
                    job_id: job_id.to_string(),
                    status: job.status,
                })
            }
            Err(error) => Err(StoreError::dynamo("UpdateItem", error)),
        }
    }
}

impl Store {
    /// Adds an empty `skip_reasons` map to a job that has none.
    async fn add_skip_reasons_map(&self, job_id: &str) -> Result<(), StoreError> {
        self.client()
            .update_item()
            .table_name(self.table_name())
            .set_key(Some(keys::key(keys::job_pk(job_id), JOB_SK)))
            .update_expression("SET skip_reasons = if_not_exists(skip_reasons, :empty)")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":empty", AttributeValue::M(HashMap::new()))
            .send()
            .await
            .map_err(|e| StoreError::dynamo("UpdateItem", e))?;
        Ok(())
    }
}

fn is_validation_error<T>(result: &Result<T, SdkError<UpdateItemError, HttpResponse>>) -> bool {
    match result {
        Err(error) => {
            error
                .as_service_error()
                .and_then(ProvideErrorMetadata::code)
                == Some("ValidationException")
        }
        Ok(_) => false,
    }
}
