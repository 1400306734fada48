//! The one place that maps library errors to HTTP statuses.
//!
//! Each `From` conversion decides the status and the caller-facing message for one
//! library error type. Client mistakes keep their message; internal failures are
//! logged with their whole source chain and returned with a generic message.
