use sea_orm::entity::prelude::*;

/// A user of the HR system, with the employee profile's home company.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "hrm_users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub username: String,
    pub full_name: String,
    /// `names::fold` of the full name: what the user search compares.
    pub full_name_key: String,
    pub email: Option<String>,
    /// One of super_admin, admin, hr_manager, finance_manager, employee.
    pub role: String,
    pub is_active: bool,
    pub home_company_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub modified_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::user_company_access::Entity")]
    CompanyAccess,
    #[sea_orm(
        belongs_to = "super::company::Entity",
        from = "Column::HomeCompanyId",
        to = "super::company::Column::Id",
        on_delete = "SetNull"
    )]
    HomeCompany,
}

impl Related<super::user_company_access::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::CompanyAccess.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
