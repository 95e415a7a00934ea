//! Refusals as responses: small JSON problem bodies (`application/problem+json`) that name no
//! SQL and no other tenant.

use axum::Json;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use sea_orm::DbErr;

/// The status of each way the layer refuses a request before the handler runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Statuses {
    /// The request names no tenant (400).
    pub missing: StatusCode,
    /// The request names something that is not a tenant id (400).
    pub malformed: StatusCode,
    /// The directory has no such tenant, or it is deleted (404).
    pub unknown: StatusCode,
    /// The tenant is suspended (403).
    pub suspended: StatusCode,
    /// The tenant cannot be served yet, e.g. still being provisioned (503).
    pub unavailable: StatusCode,
}

impl Default for Statuses {
    fn default() -> Self {
        Self {
            missing: StatusCode::BAD_REQUEST,
            malformed: StatusCode::BAD_REQUEST,
            unknown: StatusCode::NOT_FOUND,
            suspended: StatusCode::FORBIDDEN,
            unavailable: StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

/// An error response: `{"status": 403, "code": "cross_tenant_write", "title": "…"}`.
///
/// `From<DbErr>` maps tenantry's refusals to their own status, a unique violation to 409, a
/// foreign-key violation to 422 and everything else to a 500; the full error is logged
/// (`tracing`, target `tenantry_axum`), never sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The response status.
    pub status: StatusCode,
    /// A stable machine-readable code (`unknown_tenant`, `cross_tenant_write`, …).
    pub code: &'static str,
    /// A sentence for people.
    pub title: String,
    /// Seconds after which a retry may succeed (`Retry-After`).
    pub retry_after: Option<u32>,
}

impl Problem {
    /// A problem with `status`, `code` and `title`.
    pub fn new(status: StatusCode, code: &'static str, title: impl Into<String>) -> Self {
        Self {
            status,
            code,
            title: title.into(),
            retry_after: None,
        }
    }

    fn retry(mut self, seconds: u32) -> Self {
        self.retry_after = Some(seconds);
        self
    }
}

impl From<DbErr> for Problem {
    fn from(err: DbErr) -> Self {
        use tenantry::Error as E;
        let problem = match tenantry::Error::from_db_err(&err) {
            Some(E::CrossTenantWrite { .. } | E::TenantTypeMismatch { .. }) => Problem::new(
                StatusCode::FORBIDDEN,
                "cross_tenant_write",
                "the request writes rows of another tenant",
            ),
            Some(
                E::TenantMoving { .. } | E::PlacementChanged { .. } | E::StalePlacement { .. },
            ) => Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "tenant_moving",
                "the tenant is being moved; retry",
            )
            .retry(1),
            Some(E::UnknownTenant { .. }) => {
                Problem::new(StatusCode::NOT_FOUND, "unknown_tenant", "unknown tenant")
            }
            Some(E::TenantUnavailable { .. }) => Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "tenant_unavailable",
                "the tenant cannot be served now",
            ),
            Some(E::NoTenantContext) => Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "no_tenant",
                "internal error",
            ),
            Some(
                E::Parse { .. } | E::Forbidden { .. } | E::Unprovable { .. } | E::ValueCount { .. },
            ) => Problem::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "statement_refused",
                "internal error",
            ),
            _ => match err.sql_err() {
                Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => Problem::new(
                    StatusCode::CONFLICT,
                    "conflict",
                    "a row with the same unique values exists",
                ),
                Some(sea_orm::SqlErr::ForeignKeyConstraintViolation(_)) => Problem::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "unknown_reference",
                    "the request refers to a row that does not exist",
                ),
                _ => Problem::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "database_error",
                    "internal error",
                ),
            },
        };
        tracing::error!(target: "tenantry_axum", code = problem.code, error = %err, "request failed");
        problem
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let body = serde_json::json!({
            "status": self.status.as_u16(),
            "code": self.code,
            "title": self.title,
        });
        let mut response = (self.status, Json(body)).into_response();
        response.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/problem+json"),
        );
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(http::header::RETRY_AFTER, http::HeaderValue::from(seconds));
        }
        response
    }
}
