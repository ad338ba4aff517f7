//! Which methods each known path answers, so that a wrong method is a 405 that names the right ones
//! (RFC 9110 §15.5.6) rather than a 404 that says the path does not exist.

use utoipa::openapi::OpenApi;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    /// `{id}`: any one segment.
    Parameter,
    /// `{file:.*}`: everything from here on.
    Rest,
}

/// Every path the server routes, with the methods it answers there.
#[derive(Debug, Clone, Default)]
pub struct KnownPaths {
    paths: Vec<(Vec<Segment>, Vec<&'static str>)>,
}

/// Paths the server answers that are not part of the API document: the page, its assets, the document itself.
const UNDOCUMENTED_GET_PATHS: &[&str] = &[
    "/manage-user-companies",
    "/assets/{file:.*}",
    "/openapi.json",
    "/swagger-ui/{_:.*}",
];

fn segments(template: &str) -> Vec<Segment> {
    template
        .trim_start_matches('/')
        .split('/')
        .map(|part| match part.strip_prefix('{') {
            Some(inner) if inner.ends_with(".*}") => Segment::Rest,
            Some(_) => Segment::Parameter,
            None => Segment::Literal(part.to_owned()),
        })
        .collect()
}

fn matches(template: &[Segment], path: &str) -> bool {
    let mut parts = path.trim_start_matches('/').split('/');
    for segment in template {
        match segment {
            Segment::Rest => return true,
            Segment::Parameter => {
                if parts.next().is_none_or(str::is_empty) {
                    return false;
                }
            }
            Segment::Literal(literal) => {
                if parts.next() != Some(literal.as_str()) {
                    return false;
                }
            }
        }
    }
    parts.next().is_none()
}

impl KnownPaths {
    /// The document's paths and methods, and the page's.
    pub fn from_document(document: &OpenApi) -> Self {
        let mut paths: Vec<(Vec<Segment>, Vec<&'static str>)> = document
            .paths
            .paths
            .iter()
            .map(|(template, item)| {
                let methods = [
                    ("GET", item.get.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                ]
                .into_iter()
                .filter_map(|(method, present)| present.then_some(method))
                .collect();
                (segments(template), methods)
            })
            .collect();
        paths.extend(
            UNDOCUMENTED_GET_PATHS
                .iter()
                .map(|template| (segments(template), vec!["GET"])),
        );
        KnownPaths { paths }
    }

    /// The `Allow` header for a path the server knows (`GET, HEAD, PATCH`), or `None` for an unknown path.
    pub fn allow_header(&self, path: &str) -> Option<String> {
        let mut allowed: Vec<&str> = Vec::new();
        for (template, methods) in &self.paths {
            if matches(template, path) {
                allowed.extend(methods.iter().copied());
            }
        }
        if allowed.is_empty() {
            return None;
        }
        if allowed.contains(&"GET") {
            allowed.push("HEAD");
        }
        allowed.sort_unstable();
        allowed.dedup();
        Some(allowed.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> KnownPaths {
        let mut known = KnownPaths::default();
        for (template, methods) in [
            ("/users/{id}", vec!["GET", "PATCH"]),
            ("/users/{id}/companies", vec!["GET", "POST", "PUT"]),
            (
                "/users/{id}/companies/{company_id}",
                vec!["DELETE", "PATCH"],
            ),
            ("/assets/{file:.*}", vec!["GET"]),
        ] {
            known.paths.push((segments(template), methods));
        }
        known
    }

    #[test]
    fn a_known_path_names_its_methods_with_head_beside_get() {
        let known = known();
        assert_eq!(
            known.allow_header("/users/5").as_deref(),
            Some("GET, HEAD, PATCH")
        );
        assert_eq!(
            known.allow_header("/users/abc/companies").as_deref(),
            Some("GET, HEAD, POST, PUT")
        );
        assert_eq!(
            known.allow_header("/users/5/companies/x").as_deref(),
            Some("DELETE, PATCH")
        );
        assert_eq!(
            known.allow_header("/assets/js/a.js").as_deref(),
            Some("GET, HEAD")
        );
    }

    #[test]
    fn unknown_paths_have_no_methods() {
        let known = known();
        for path in ["/", "/users", "/users/", "/users/5/companies/x/y", "/nope"] {
            assert_eq!(known.allow_header(path), None, "{path}");
        }
    }
}
