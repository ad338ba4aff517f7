//! The access part of [`Api`]: a user's companies, grants with their terms, and checks.

use super::{Api, Method, Result, segment};
use openapi::access::{
    AccessCheckBatch, AccessCheckResults, AccessDecision, AccessPair, BulkGrantRequest,
    BulkGrantResult, BulkRevokeRequest, BulkRevokeResult, GrantManyResult, GrantRequest,
    PopulateRequest, PopulateResult, ReplaceCompanies, ReplaceResult, UpdateGrant, UserCompanies,
    UserCompany,
};
use openapi::import::ImportResult;
use openapi::terms::{GrantTerms, RoleSet};
use uuid::Uuid;

impl Api {
    /// Imports a CSV file of grants, all or nothing (or, `dry_run`, only reports what it would do).
    pub fn import_csv(&self, body: &mut dyn std::io::Read, dry_run: bool) -> Result<ImportResult> {
        let query = if dry_run {
            vec![("dry_run", "true".to_owned())]
        } else {
            vec![]
        };
        super::parse(&self.post_csv("/access/import", &query, body)?)
    }

    /// Every grant as CSV, in the columns an import reads.
    pub fn export_csv(&self) -> Result<String> {
        self.get_text("/access/export")
    }

    pub fn user_companies(&self, user: i32) -> Result<UserCompanies> {
        self.user_companies_with(user, false)
    }

    /// The user's companies; with `include_expired`, grants whose window has ended too.
    pub fn user_companies_with(&self, user: i32, include_expired: bool) -> Result<UserCompanies> {
        let query = if include_expired {
            vec![("include_expired", "true".to_owned())]
        } else {
            vec![]
        };
        self.get(&format!("/users/{}/companies", segment(user)), &query)
    }

    /// Grants one company; a company the user already has is a conflict.
    pub fn grant_company(&self, user: i32, company: Uuid) -> Result<UserCompany> {
        self.grant_company_with(user, company, &GrantTerms::default())
    }

    /// Grants one company with a role of its own and a window.
    pub fn grant_company_with(
        &self,
        user: i32,
        company: Uuid,
        terms: &GrantTerms,
    ) -> Result<UserCompany> {
        let body = GrantRequest {
            company_id: Some(company),
            ..grant_body(terms)
        };
        self.post(&format!("/users/{}/companies", segment(user)), &body)
    }

    /// Grants several companies, all or nothing; those the user already has are reported, not refused.
    pub fn grant_companies(&self, user: i32, companies: &[Uuid]) -> Result<GrantManyResult> {
        self.grant_companies_with(user, companies, &GrantTerms::default())
    }

    /// Grants several companies, each with the same role and window.
    pub fn grant_companies_with(
        &self,
        user: i32,
        companies: &[Uuid],
        terms: &GrantTerms,
    ) -> Result<GrantManyResult> {
        let body = GrantRequest {
            company_ids: Some(companies.to_vec()),
            ..grant_body(terms)
        };
        self.post(&format!("/users/{}/companies", segment(user)), &body)
    }

    /// Changes one grant: whichever of default, role and window the update names.
    pub fn update_grant(
        &self,
        user: i32,
        company: Uuid,
        update: &UpdateGrant,
    ) -> Result<UserCompany> {
        self.send(
            Method::Patch,
            &format!("/users/{}/companies/{}", segment(user), segment(company)),
            update,
        )
    }

    /// Leaves the user with exactly the companies given.
    pub fn replace_companies(&self, user: i32, body: &ReplaceCompanies) -> Result<ReplaceResult> {
        self.send(
            Method::Put,
            &format!("/users/{}/companies", segment(user)),
            body,
        )
    }

    /// Makes the grant the user's default (`true`) or leaves the user with no default (`false`).
    pub fn set_default(&self, user: i32, company: Uuid, is_default: bool) -> Result<UserCompany> {
        let update = UpdateGrant {
            is_default: Some(is_default),
            ..UpdateGrant::default()
        };
        self.update_grant(user, company, &update)
    }

    pub fn revoke_company(&self, user: i32, company: Uuid) -> Result<()> {
        self.delete(&format!(
            "/users/{}/companies/{}",
            segment(user),
            segment(company)
        ))
    }

    /// May the user act in the company? Unknown ids are a "no" with a reason, not an error.
    pub fn check(&self, user: i32, company: Uuid) -> Result<AccessDecision> {
        self.check_role(user, company, None)
    }

    /// May the user act in the company in one of `roles` (`None`: in any role)?
    pub fn check_role(
        &self,
        user: i32,
        company: Uuid,
        roles: Option<RoleSet>,
    ) -> Result<AccessDecision> {
        let mut query = vec![
            ("user_id", user.to_string()),
            ("company_id", company.to_string()),
        ];
        if let Some(roles) = roles {
            query.push(("role", String::from(roles)));
        }
        self.get("/access-check", &query)
    }

    /// One decision per pair, in the order asked.
    pub fn check_many(&self, checks: &[AccessPair]) -> Result<Vec<AccessDecision>> {
        let body = AccessCheckBatch {
            checks: checks.to_vec(),
        };
        let answer: AccessCheckResults = self.post("/access-check", &body)?;
        Ok(answer.results)
    }

    pub fn bulk_grant(&self, body: &BulkGrantRequest) -> Result<BulkGrantResult> {
        self.post("/access/bulk", body)
    }

    /// Removes every listed user's grants of every listed company, all or nothing; with `dry_run`
    /// the answer names the grants that would go and nothing changes.
    pub fn bulk_revoke(&self, body: &BulkRevokeRequest) -> Result<BulkRevokeResult> {
        self.post("/access/revoke", body)
    }

    pub fn populate(&self, dry_run: bool) -> Result<PopulateResult> {
        self.post("/access/populate", &PopulateRequest { dry_run })
    }
}

/// The terms part of a grant's body.
fn grant_body(terms: &GrantTerms) -> GrantRequest {
    GrantRequest {
        role: terms.role,
        valid_from: terms.window.valid_from,
        valid_until: terms.window.valid_until,
        include_branches: terms.include_branches,
        ..GrantRequest::default()
    }
}
