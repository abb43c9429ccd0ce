//! Responses shared by several resources.

use poem_openapi::ApiResponse;

#[derive(ApiResponse)]
pub enum NoContent {
    /// Done.
    #[oai(status = 204)]
    Done,
}
