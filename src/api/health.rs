//! `/healthz` and `/readyz`.

use std::time::Duration;

use poem::web::Data;
use poem_openapi::{ApiResponse, Object, OpenApi, payload::Json};

use super::tags::ApiTags;
use crate::{error::AppError, faults::Fault, state::AppState};

/// How long readiness waits for the database before calling it unreachable.
const DB_PING_TIMEOUT: Duration = Duration::from_secs(2);

pub struct HealthApi;

/// Probe result.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct HealthStatus {
    /// `ok`, or for readiness failures the component that is not ready.
    pub status: String,
}

#[derive(ApiResponse)]
pub enum ReadyResponse {
    /// The database answers.
    #[oai(status = 200)]
    Ready(Json<HealthStatus>),
}

#[OpenApi(tag = "ApiTags::Health")]
impl HealthApi {
    /// Liveness: the process is up and serving HTTP.
    #[oai(path = "/healthz", method = "get", operation_id = "health_live")]
    async fn healthz(&self) -> Json<HealthStatus> {
        Json(HealthStatus {
            status: "ok".to_owned(),
        })
    }

    /// Readiness: the database answers within 2 seconds. 503 with a problem body otherwise.
    #[oai(path = "/readyz", method = "get", operation_id = "health_ready")]
    async fn readyz(&self, state: Data<&AppState>) -> Result<ReadyResponse, AppError> {
        match tokio::time::timeout(DB_PING_TIMEOUT, state.db.ping()).await {
            Ok(Ok(())) => Ok(ReadyResponse::Ready(Json(HealthStatus {
                status: "ok".to_owned(),
            }))),
            Ok(Err(err)) => Err(AppError::fault(
                Fault::DatabaseUnavailable,
                format!("database: {err}"),
            )),
            Err(_) => Err(AppError::fault(
                Fault::DatabaseUnavailable,
                "database: ping timed out",
            )),
        }
    }
}
