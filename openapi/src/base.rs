//! The base OpenAPI document: title, description, tags and the bearer key scheme. The server adds its paths.

use serde::{Deserialize, Serialize};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

/// Name of the security scheme every protected route refers to.
pub const BEARER_SCHEME: &str = "api_key";

/// Answer of `GET /health` and `GET /ready`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"status": "ready", "change_feed": "single_instance"}))]
pub struct Health {
    /// `ok` (alive) or `ready` (database reachable).
    pub status: String,
    /// On `/ready`: `listening` (PostgreSQL change feed live, checks served from memory), `down` (checks go to
    /// the database) or `single_instance` (SQLite).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_feed: Option<String>,
}

struct BearerKey;

impl Modify for BearerKey {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            BEARER_SCHEME,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("API key")
                    .description(Some(
                        "An API key: the master key, or one made through /keys. Scopes, each including the one before: \
                         check < read < write < admin.",
                    ))
                    .build(),
            ),
        );
    }
}

/// The document's fixed part.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Company Access",
        description = "The source of truth for which users may act in which companies of the HR system. \
                       Every route but /health, /ready, /openapi.json and /swagger-ui needs `Authorization: Bearer <key>`. \
                       Errors are RFC 9457 problem details with a stable `code`.",
        license(name = "MIT", url = "https://opensource.org/licenses/MIT"),
        contact(name = "The Company Access maintainers"),
    ),
    servers((url = "http://127.0.0.1:8080", description = "The default local address")),
    modifiers(&BearerKey),
    tags(
        (name = "health", description = "Liveness and readiness"),
        (name = "users", description = "Users and their employee profile"),
        (name = "companies", description = "Companies"),
        (name = "access", description = "Which companies a user may act in"),
        (name = "check", description = "May user U act in company C?"),
        (name = "stats", description = "Summary statistics"),
        (name = "audit", description = "The audit trail"),
        (name = "keys", description = "API keys and scopes")
    )
)]
pub struct BaseDoc;
