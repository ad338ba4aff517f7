//! The page /manage-user-companies: static assets compiled into the binary, calling the same REST API.

use std::sync::{Arc, LazyLock};
use std::time::Duration;

use crate::error::AppError;
use actix_web::ResponseError;
use actix_web::body::MessageBody;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, ContentType};
use actix_web::{HttpRequest, HttpResponse, get, web};
use openapi::audit::AuditAction;
use openapi::{Role, Scope};

/// No inline script or style, no framing, and the page may talk only to this origin.
const PAGE_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

const PAGE_HTML: &str = include_str!("../../static/manage-user-companies.html");

/// The tag of the page that tells its script the idle timeout, as the file has it (the default, 30 minutes).
const IDLE_META: &str = r#"<meta name="company-access-idle-seconds" content="1800">"#;

/// What the server tells the page about itself, put into its HTML once at start-up.
#[derive(Clone)]
pub struct PageSettings {
    html: Arc<str>,
}

impl PageSettings {
    /// The page with `idle` (`COMPANY_ACCESS_PAGE_IDLE_MINUTES`) as its idle timeout.
    pub fn new(idle: Duration) -> Self {
        let tag = format!(
            r#"<meta name="company-access-idle-seconds" content="{}">"#,
            idle.as_secs().max(1)
        );
        PageSettings {
            html: PAGE_HTML.replacen(IDLE_META, &tag, 1).into(),
        }
    }
}

const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

/// Where an asset's body comes from: a file compiled in, or text the server builds once from its own types.
#[derive(Clone, Copy)]
enum Body {
    File(&'static str),
    Built(fn() -> &'static str),
}

impl Body {
    fn text(self) -> &'static str {
        match self {
            Body::File(text) => text,
            Body::Built(build) => build(),
        }
    }
}

/// One row of [`ASSETS`]: a file under `api/static/`, served at `/assets/<the same path>`.
macro_rules! asset {
    ($path:literal, $content_type:expr) => {
        (
            $path,
            $content_type,
            Body::File(include_str!(concat!("../../static/", $path))),
        )
    };
}

/// Everything the page loads: (name under /assets/, content type, body). A new module is one line here.
const ASSETS: &[(&str, &str, Body)] = &[
    asset!("manage.css", CSS),
    asset!("manage.js", JS),
    asset!("js/add.js", JS),
    asset!("js/address.js", JS),
    asset!("js/api.js", JS),
    asset!("js/audit-view.js", JS),
    asset!("js/audit.js", JS),
    asset!("js/bulk.js", JS),
    asset!("js/combobox.js", JS),
    asset!("js/companies-table.js", JS),
    asset!("js/dom.js", JS),
    asset!("js/history.js", JS),
    asset!("js/idle.js", JS),
    asset!("js/import.js", JS),
    asset!("js/labels.js", JS),
    asset!("js/remove.js", JS),
    asset!("js/review-csv.js", JS),
    asset!("js/review.js", JS),
    asset!("js/router.js", JS),
    asset!("js/rows.js", JS),
    asset!("js/session.js", JS),
    asset!("js/state.js", JS),
    asset!("js/stats.js", JS),
    asset!("js/table.js", JS),
    asset!("js/tabs.js", JS),
    asset!("js/tree.js", JS),
    asset!("js/user.js", JS),
    asset!("js/user-create.js", JS),
    asset!("js/users-table.js", JS),
    ("js/vocabulary.js", JS, Body::Built(vocabulary)),
];

/// The server's names for roles, key scopes and audit actions, so that the page never spells them itself.
static VOCABULARY: LazyLock<String> = LazyLock::new(|| {
    format!(
        "// The server's names for roles, key scopes and audit actions, built from its own enums.\n\n\
         export const ROLES = {};\n\
         export const SCOPES = {};\n\
         export const AUDIT_ACTIONS = {};\n",
        json_list(&Role::ALL.map(Role::as_str)),
        json_list(&Scope::ALL.map(Scope::as_str)),
        json_list(&AuditAction::ALL.map(AuditAction::as_str)),
    )
});

fn vocabulary() -> &'static str {
    &VOCABULARY
}

fn json_list(names: &[&str]) -> String {
    serde_json::Value::from(names).to_string()
}

fn secured(
    mut response: actix_web::HttpResponseBuilder,
    body: impl MessageBody + 'static,
) -> HttpResponse {
    response
        .insert_header((CONTENT_SECURITY_POLICY, PAGE_POLICY))
        .insert_header((CACHE_CONTROL, "no-cache"))
        .body(body)
}

/// The web page for managing which companies a user may act in.
#[get("/manage-user-companies")]
pub async fn manage_page(request: HttpRequest) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    response.content_type(ContentType::html());
    match request.app_data::<PageSettings>() {
        Some(settings) => secured(response, settings.html.to_string()),
        None => secured(response, PAGE_HTML),
    }
}

/// The page's stylesheet and script modules.
#[get("/assets/{file:.*}")]
pub async fn asset(file: web::Path<String>) -> HttpResponse {
    let Some(&(_, content_type, body)) = ASSETS.iter().find(|(name, ..)| *name == file.as_str())
    else {
        return AppError::no_route("GET", &format!("/assets/{file}")).error_response();
    };
    let mut response = HttpResponse::Ok();
    response.content_type(content_type);
    secured(response, body.text())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The module a relative import names, as a name in [`ASSETS`]: `./x.js` from `js/a.js` is `js/x.js`.
    fn resolve(importer: &str, specifier: &str) -> String {
        let mut parts: Vec<&str> = importer.split('/').collect();
        parts.pop();
        for part in specifier.split('/') {
            match part {
                "." => {}
                ".." => {
                    parts.pop();
                }
                _ => parts.push(part),
            }
        }
        parts.join("/")
    }

    /// The specifiers of a module's static imports (`import … from '…'` and `import '…'`).
    fn imports(source: &str) -> Vec<String> {
        let mut found = Vec::new();
        let mut statement = String::new();
        for line in source.lines() {
            if statement.is_empty() && !line.starts_with("import ") {
                continue;
            }
            statement.push_str(line);
            if !line.trim_end().ends_with(';') {
                continue;
            }
            let quoted: Vec<&str> = statement.split(['\'', '"']).collect();
            assert!(quoted.len() >= 3, "cannot read the import {statement:?}");
            found.push(quoted[quoted.len() - 2].to_string());
            statement.clear();
        }
        found
    }

    #[test]
    fn every_import_names_a_served_module() {
        let mut checked = 0;
        for &(name, content_type, body) in ASSETS {
            if content_type != JS {
                continue;
            }
            for specifier in imports(body.text()) {
                assert!(
                    specifier.starts_with("./") || specifier.starts_with("../"),
                    "{name} imports {specifier:?}: only relative imports of served modules work"
                );
                let target = resolve(name, &specifier);
                assert!(
                    ASSETS.iter().any(|(served, ..)| *served == target),
                    "{name} imports {specifier}, but /assets/{target} is not served"
                );
                checked += 1;
            }
        }
        assert!(checked > 0, "the import reader found no imports at all");
    }

    /// The lists `js/vocabulary.js` exports, by name.
    fn exported_lists() -> Vec<(String, Vec<String>)> {
        vocabulary()
            .lines()
            .filter_map(|line| line.strip_prefix("export const "))
            .map(|line| {
                let (name, value) = line.split_once(" = ").unwrap_or_default();
                let value = value.strip_suffix(';').unwrap_or_default();
                let list = serde_json::from_str(value).unwrap_or_else(|e| panic!("{name}: {e}"));
                (name.to_string(), list)
            })
            .collect()
    }

    #[test]
    fn the_vocabulary_is_the_servers_enums() {
        let names = |all: &[&str]| all.iter().map(|name| name.to_string()).collect::<Vec<_>>();
        assert_eq!(
            exported_lists(),
            [
                ("ROLES".to_string(), names(&Role::ALL.map(Role::as_str))),
                ("SCOPES".to_string(), names(&Scope::ALL.map(Scope::as_str))),
                (
                    "AUDIT_ACTIONS".to_string(),
                    names(&AuditAction::ALL.map(AuditAction::as_str))
                ),
            ]
        );
        // The page ranks scopes by their place in the list.
        assert_eq!(
            names(&Scope::ALL.map(Scope::as_str)),
            ["check", "read", "write", "admin"]
        );
    }

    /// The keys of the object literal `const <name> = { … };` in `js/labels.js`, one `'key': …` a line.
    fn label_keys(name: &str) -> Vec<String> {
        let labels = ASSETS
            .iter()
            .find(|(served, ..)| *served == "js/labels.js")
            .map(|(.., body)| body.text())
            .unwrap_or_default();
        let start = format!("const {name} = {{");
        let Some((_, rest)) = labels.split_once(start.as_str()) else {
            panic!("js/labels.js has no {start}");
        };
        let block = rest.split("};").next().unwrap_or_default();
        let mut keys: Vec<String> = block
            .lines()
            .filter_map(|line| line.trim().strip_prefix('\''))
            .filter_map(|line| line.split_once('\''))
            .map(|(key, _)| key.to_string())
            .collect();
        keys.sort();
        keys
    }

    #[test]
    fn the_page_names_exactly_the_roles_and_audit_actions_the_server_has() {
        let sorted = |all: &[&str]| {
            let mut names: Vec<String> = all.iter().map(|name| name.to_string()).collect();
            names.sort();
            names
        };
        assert_eq!(
            label_keys("ROLE_LABELS"),
            sorted(&Role::ALL.map(Role::as_str))
        );
        assert_eq!(
            label_keys("ACTION_LABELS"),
            sorted(&AuditAction::ALL.map(AuditAction::as_str))
        );
    }

    #[test]
    fn the_page_is_told_its_idle_timeout() {
        assert!(
            PAGE_HTML.contains(IDLE_META),
            "the page must carry {IDLE_META}"
        );
        assert_eq!(
            &*PageSettings::new(crate::config::DEFAULT_PAGE_IDLE).html,
            PAGE_HTML,
            "the default is what the file says"
        );
        let short = PageSettings::new(Duration::from_secs(90));
        assert!(
            short
                .html
                .contains(r#"<meta name="company-access-idle-seconds" content="90">"#)
        );
        assert!(!short.html.contains(IDLE_META));
    }

    #[test]
    fn the_page_loads_served_assets_only() {
        for attribute in ["src=\"", "href=\""] {
            for rest in PAGE_HTML.split(attribute).skip(1) {
                let url = rest.split('"').next().unwrap_or_default();
                let Some(name) = url.strip_prefix("assets/") else {
                    continue;
                };
                assert!(
                    ASSETS.iter().any(|(served, ..)| *served == name),
                    "the page loads {url}, which is not served"
                );
            }
        }
    }

    #[test]
    fn the_import_reader_reads_what_the_modules_write() {
        let source = "// x\nimport { a, b } from './dom.js';\nimport {\n  c\n} from \"../c.js\";\nimport './side.js';\nconst s = 'import x from y';\n";
        assert_eq!(imports(source), ["./dom.js", "../c.js", "./side.js"]);
        assert_eq!(resolve("js/user.js", "./dom.js"), "js/dom.js");
        assert_eq!(resolve("manage.js", "./js/dom.js"), "js/dom.js");
        assert_eq!(resolve("js/user.js", "../manage.js"), "manage.js");
    }
}
