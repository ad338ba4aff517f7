use sea_orm::entity::prelude::*;

/// A company of the HR system.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "hrm_company")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    /// `names::fold` of the name: what uniqueness (`uq_hrm_company_name_ci`) and search compare.
    pub name_key: String,
    pub created_at: DateTimeUtc,
    pub modified_at: DateTimeUtc,
    /// The company this one is a branch of; `None`: a top-level company.
    pub parent_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::user_company_access::Entity")]
    UserAccess,
}

impl Related<super::user_company_access::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::UserAccess.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
