//! The OpenAPI document: the contract crate's base document completed with every route this server
//! registers (gathered from the same registrations it routes by), and the answers every operation of a
//! kind can give, declared once here rather than on each operation.

use crate::routes;
use actix_web::{HttpResponse, web};
use openapi::ProblemCode;
use openapi::base::{BEARER_SCHEME, BaseDoc};
use utoipa::openapi::header::Header;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{Content, Ref, RefOr, Response, ResponseBuilder};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

/// The document served at /openapi.json and committed as `openapi/openapi.json`.
pub fn api_doc() -> utoipa::openapi::OpenApi {
    let (_, paths) = actix_web::App::new()
        .into_utoipa_app()
        .configure(routes::configure)
        .split_for_parts();
    let mut document = BaseDoc::openapi();
    document.info.version = env!("CARGO_PKG_VERSION").to_owned();
    document.merge(paths);
    CommonAnswers.modify(&mut document);
    document
}

/// The document as `/openapi.json` serves it: serialized once at start and shared by every worker. Held
/// as a document instead, it cost several MiB per copy, and the viewer's route kept a copy per worker.
#[derive(Clone)]
pub struct ServedDoc(web::Bytes);

impl ServedDoc {
    pub fn of(document: &utoipa::openapi::OpenApi) -> Result<Self, serde_json::Error> {
        serde_json::to_vec(document).map(|json| ServedDoc(json.into()))
    }
}

/// The OpenAPI document of this service (the one Swagger UI at /swagger-ui/ reads).
pub async fn get_api_doc(doc: web::Data<ServedDoc>) -> HttpResponse {
    routes::respond::json_bytes(doc.0.clone())
}

/// The document as committed: pretty JSON with a final newline.
pub fn api_doc_json() -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(&api_doc()).map(|mut text| {
        text.push('\n');
        text
    })
}

/// 500 everywhere, 400 wherever an input is read (saying which), 422 wherever a JSON body is, 401 and 403 wherever a key is needed (403 only above the
/// lowest scope, which every key has), 413 and 415 wherever a body is read, 503 wherever the database is
/// asked (every operation but liveness); every error answer as `application/problem+json`.
struct CommonAnswers;

impl CommonAnswers {
    /// The scope an operation's security requirement names, if it needs a key.
    fn scope(operation: &Operation) -> Option<String> {
        let requirement = operation.security.as_ref()?.first()?;
        let value = serde_json::to_value(requirement).ok()?;
        let scopes = value.get(BEARER_SCHEME)?.as_array()?;
        Some(
            scopes
                .first()
                .and_then(|scope| scope.as_str())
                .unwrap_or("check")
                .to_owned(),
        )
    }

    /// Whether the operation reads a parameter from `place`.
    fn reads(operation: &Operation, place: ParameterIn) -> bool {
        operation.parameters.iter().flatten().any(
            |parameter| matches!(parameter, RefOr::T(parameter) if parameter.parameter_in == place),
        )
    }

    /// What a 400 can be about: each input the operation reads (path values, the query, the body).
    /// Whether the operation's body is a CSV file rather than JSON.
    fn takes_csv(operation: &Operation) -> bool {
        operation.request_body.as_ref().is_some_and(
            |body| matches!(body, RefOr::T(body) if body.content.contains_key("text/csv")),
        )
    }

    fn malformed(operation: &Operation) -> Option<String> {
        let reads = |place: ParameterIn| Self::reads(operation, place);
        let inputs: Vec<&str> = [
            (reads(ParameterIn::Path), "a value in the path"),
            (reads(ParameterIn::Query), "a query value"),
            (
                reads(ParameterIn::Header),
                "the Company-Access-Consistency header",
            ),
            (
                operation.request_body.is_some() && !Self::takes_csv(operation),
                "the body's JSON",
            ),
            (Self::takes_csv(operation), "the body's text (not UTF-8)"),
        ]
        .into_iter()
        .filter_map(|(read, input)| read.then_some(input))
        .collect();
        let (last, first) = inputs.split_last()?;
        let listed = match first {
            [] => (*last).to_owned(),
            _ => format!("{} or {last}", first.join(", ")),
        };
        let mut description = format!("{listed} is malformed; `detail` names which");
        description[..1].make_ascii_uppercase();
        Some(description)
    }

    fn problem(description: &str) -> RefOr<Response> {
        RefOr::T(
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/problem+json",
                    Content::new(Some(Ref::from_schema_name("Problem"))),
                )
                .build(),
        )
    }

    /// Every error answer is sent as `application/problem+json`; handlers name only the body type.
    fn problems_as_problem_json(operation: &mut Operation) {
        for (status, response) in operation.responses.responses.iter_mut() {
            if let (true, RefOr::T(response)) = (status.as_str() >= "400", response)
                && let Some(content) = response.content.shift_remove("application/json")
            {
                response
                    .content
                    .insert("application/problem+json".to_owned(), content);
            }
        }
    }

    fn header(description: &str, example: &str) -> RefOr<Header> {
        let mut header = Header::new(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .examples([serde_json::Value::from(example)]),
        );
        header.description = Some(description.to_owned());
        RefOr::T(header)
    }

    /// Headers every answer carries, and those of answers of a kind: `Company-Access-Revision` on what a
    /// write, a check or a read with a consistency answers; `Retry-After` on a 503.
    fn headers(operation: &mut Operation, states_revision: bool) {
        for (status, response) in operation.responses.responses.iter_mut() {
            let RefOr::T(response) = response else {
                continue;
            };
            response.headers.insert(
                "X-Request-Id".to_owned(),
                Self::header(
                    "The request's id in the service's log: the caller's own when it sent a safe one \
                     (1 to 64 letters, digits, `-`, `_`, `.`), else a new UUID",
                    "3f2c9a4e-8d1b-4c6e-9f0a-2b7d5e1c8a90",
                ),
            );
            if status.starts_with('2') && states_revision {
                response.headers.insert(
                    "Company-Access-Revision".to_owned(),
                    Self::header(
                        "The revision this answer reflects (a write: the revision it committed). Send it \
                         back as `Company-Access-Consistency: at-least <revision>` to read your own \
                         write on any instance",
                        "42",
                    ),
                );
            }
            if status == "503" {
                response.headers.insert(
                    "Retry-After".to_owned(),
                    Self::header("Seconds to wait before trying again", "1"),
                );
            }
        }
    }

    /// The problem codes an error answer can carry. The generic statuses have one code each; a 404 or
    /// 409 names what was not found or is taken, in the words its operation's description uses.
    fn codes(status: &str, description: &str, reads_body: bool) -> Vec<ProblemCode> {
        let says = |word: &str| description.to_ascii_lowercase().contains(word);
        match status {
            "400" if reads_body => vec![ProblemCode::BadRequest, ProblemCode::InvalidJson],
            "400" => vec![ProblemCode::BadRequest],
            "401" => vec![ProblemCode::Unauthorized],
            "403" => [
                (says("scope"), ProblemCode::Forbidden),
                (says("bound to a user"), ProblemCode::OutOfReach),
            ]
            .into_iter()
            .filter_map(|(named, code)| named.then_some(code))
            .collect(),
            "408" => vec![ProblemCode::RequestTimeout],
            "413" => vec![ProblemCode::PayloadTooLarge],
            "415" => vec![ProblemCode::UnsupportedMediaType],
            "422" => vec![ProblemCode::ValidationFailed],
            "500" => vec![ProblemCode::Internal],
            "503" => vec![ProblemCode::Unavailable],
            "404" => [
                (says("user"), ProblemCode::UserNotFound),
                (says("compan"), ProblemCode::CompanyNotFound),
                (says("access"), ProblemCode::AccessNotFound),
                (says("key"), ProblemCode::KeyNotFound),
            ]
            .into_iter()
            .filter_map(|(named, code)| named.then_some(code))
            .collect(),
            "409" if says("access") => vec![ProblemCode::AlreadyHasAccess],
            "409" => [
                (says("username"), ProblemCode::UsernameTaken),
                (
                    says("company with this name"),
                    ProblemCode::CompanyNameTaken,
                ),
                (says("key"), ProblemCode::KeyNameTaken),
                (says("hierarchy_cycle"), ProblemCode::HierarchyCycle),
                (says("hierarchy_too_deep"), ProblemCode::HierarchyTooDeep),
            ]
            .into_iter()
            .filter_map(|(named, code)| named.then_some(code))
            .collect(),
            _ => Vec::new(),
        }
    }

    /// Each error answer's description ends with the codes it can carry, which clients branch on.
    fn name_codes(operation: &mut Operation) {
        let reads_body = operation.request_body.is_some() && !Self::takes_csv(operation);
        for (status, response) in operation.responses.responses.iter_mut() {
            let RefOr::T(response) = response else {
                continue;
            };
            let codes = Self::codes(status, &response.description, reads_body);
            if codes.is_empty() {
                continue;
            }
            let listed: Vec<String> = codes.iter().map(|code| format!("`{code}`")).collect();
            response.description =
                format!("{} (code {})", response.description, listed.join(" or "));
        }
    }

    fn add(operation: &mut Operation, status: u16, description: &str) {
        operation
            .responses
            .responses
            .entry(status.to_string())
            .or_insert_with(|| Self::problem(description));
    }
}

impl Modify for CommonAnswers {
    fn modify(&self, document: &mut utoipa::openapi::OpenApi) {
        for (path, item) in document.paths.paths.iter_mut() {
            let operations = [
                item.get.as_mut(),
                item.put.as_mut(),
                item.post.as_mut(),
                item.delete.as_mut(),
                item.patch.as_mut(),
            ];
            for (index, operation) in operations.into_iter().enumerate() {
                let Some(operation) = operation else { continue };
                let reads_with_consistency = Self::reads(operation, ParameterIn::Header);
                // Index 0 is GET; the others change something, except the batch check, which names
                // its consistency like every check.
                let states_revision = index != 0 || reads_with_consistency || path == "/changes";
                if let Some(scope) = Self::scope(operation) {
                    Self::add(operation, 401, "No valid key");
                    if scope != "check" {
                        Self::add(
                            operation,
                            403,
                            &format!(
                                "The key's scope is below `{scope}`, or the key is bound to a user \
                                 and the request reaches beyond the companies that user administers"
                            ),
                        );
                    }
                }
                if let Some(description) = Self::malformed(operation) {
                    Self::add(operation, 400, &description);
                }
                if operation.request_body.is_some() {
                    Self::add(
                        operation,
                        408,
                        "The body did not arrive within the body timeout (default 10 s)",
                    );
                    if Self::takes_csv(operation) {
                        Self::add(operation, 413, "The body is over 32 MiB");
                        Self::add(operation, 415, "The body is not sent as `text/csv`");
                    } else {
                        Self::add(operation, 413, "The body is over 1 MiB");
                        Self::add(operation, 415, "The body is not sent as `application/json`");
                    }
                    Self::add(
                        operation,
                        422,
                        "A field of the body is not valid; `errors` names it and says why",
                    );
                }
                if path != "/health" {
                    Self::add(operation, 503, "The database cannot be reached");
                }
                Self::add(
                    operation,
                    500,
                    "The server failed; the cause is in its log, never in the answer",
                );
                Self::problems_as_problem_json(operation);
                Self::name_codes(operation);
                Self::headers(operation, states_revision);
            }
        }
    }
}
