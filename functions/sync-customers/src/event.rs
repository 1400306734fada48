//! The three kinds of events this function receives, distinguished by their shape.

use lambda_http::request::LambdaRequest;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The payload of the asynchronous self-invocation that continues a bulk pull.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Continuation {
    pub action: String,
    pub instance_id: String,
    pub job_id: String,
    /// The position of the next slice; `None` for the first slice.
    pub cursor: Option<String>,
}

/// `action` of a [`Continuation`].
pub const CONTINUE_ACTION: &str = "continue_bulk_pull";

/// `action` of the EventBridge Scheduler input in template.yaml.
pub const SCHEDULED_ACTION: &str = "scheduled_pull";

impl Continuation {
    pub fn new(instance_id: &str, job_id: &str, cursor: Option<String>) -> Self {
        Self {
            action: CONTINUE_ACTION.to_owned(),
            instance_id: instance_id.to_owned(),
            job_id: job_id.to_owned(),
            cursor,
        }
    }
}

/// An incoming event.
#[derive(Debug)]
pub enum Incoming {
    /// An API Gateway HTTP API request.
    Http(Box<LambdaRequest>),
    /// The next slice of a bulk pull.
    Continue(Continuation),
    /// The scheduled incremental pull of every due instance.
    Scheduled,
    /// Anything else, with a description of what was received.
    Unknown(String),
}

/// Classifies an event: HTTP requests carry `requestContext` and `routeKey`, the
/// other events carry `action`. The scheduled-event shape of an EventBridge rule
/// (`"detail-type": "Scheduled Event"`) also counts as a scheduled pull, so
/// `sam local generate-event cloudwatch scheduled-event` can drive it.
pub fn classify(event: Value) -> Incoming {
    if event.get("requestContext").is_some() && event.get("routeKey").is_some() {
        return match serde_json::from_value::<LambdaRequest>(event) {
            Ok(request) => Incoming::Http(Box::new(request)),
            Err(error) => Incoming::Unknown(format!("unreadable HTTP API event: {error}")),
        };
    }

    let action = event.get("action").and_then(Value::as_str);
    let scheduled_rule =
        event.get("detail-type").and_then(Value::as_str) == Some("Scheduled Event");
    match action {
        Some(CONTINUE_ACTION) => match serde_json::from_value::<Continuation>(event) {
            Ok(continuation) => Incoming::Continue(continuation),
            Err(error) => Incoming::Unknown(format!("invalid {CONTINUE_ACTION} event: {error}")),
        },
        Some(SCHEDULED_ACTION) => Incoming::Scheduled,
        None if scheduled_rule => Incoming::Scheduled,
        Some(other) => Incoming::Unknown(format!("unknown action {other:?}")),
        None => Incoming::Unknown("event has neither requestContext nor action".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn classify_continuation() {
        let event = json!({"action": "continue_bulk_pull", "instance_id": "shop", "job_id": "j1", "cursor": "c"});

        let Incoming::Continue(continuation) = classify(event) else {
            panic!("not a continuation");
        };

        assert_eq!(
            continuation,
            Continuation::new("shop", "j1", Some("c".to_owned()))
        );
    }

    #[test]
    fn classify_scheduler_input() {
        assert!(matches!(
            classify(json!({"action": "scheduled_pull"})),
            Incoming::Scheduled
        ));
    }

    #[test]
    fn classify_eventbridge_rule() {
        let event = json!({"detail-type": "Scheduled Event", "source": "aws.events", "detail": {}});

        assert!(matches!(classify(event), Incoming::Scheduled));
    }

    #[test]
    fn classify_unknown_action() {
        let Incoming::Unknown(reason) = classify(json!({"action": "explode"})) else {
            panic!("accepted an unknown action");
        };

        assert_eq!(reason, "unknown action \"explode\"");
    }
}
