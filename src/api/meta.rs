//! `/api/v1/version`.

use poem::web::Data;
use poem_openapi::{Object, OpenApi, payload::Json};

use super::tags::ApiTags;
use crate::state::AppState;

pub struct MetaApi;

/// What is running.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct VersionInfo {
    /// Always `anjoman`.
    pub name: String,
    /// Semantic version of the server.
    pub version: String,
    /// Storage backend: `sqlite` or `postgres`.
    pub database: String,
    /// Languages the server speaks (BCP 47).
    pub locales: Vec<String>,
}

#[OpenApi(prefix_path = "/api/v1", tag = "ApiTags::Meta")]
impl MetaApi {
    /// Server name, version, storage backend and available languages.
    #[oai(path = "/version", method = "get", operation_id = "meta_version")]
    async fn version(&self, state: Data<&AppState>) -> Json<VersionInfo> {
        Json(VersionInfo {
            name: env!("CARGO_PKG_NAME").to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            database: if state.settings.is_sqlite() {
                "sqlite"
            } else {
                "postgres"
            }
            .to_owned(),
            locales: state
                .i18n
                .available()
                .iter()
                .map(ToString::to_string)
                .collect(),
        })
    }
}
