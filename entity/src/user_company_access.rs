use sea_orm::entity::prelude::*;

/// The junction table: user `user_id` may act in company `company_id`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "hrm_user_company_access")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub user_id: i32,
    pub company_id: Uuid,
    /// At most one row per user has this set (a partial unique index enforces it).
    pub is_default: bool,
    /// Name of the API key that made the grant.
    pub granted_by: Option<String>,
    pub created_at: DateTimeUtc,
    pub modified_at: DateTimeUtc,
    /// The role the grant gives in its company; `None` follows the user's own role.
    pub role: Option<String>,
    /// From when the grant gives access (inclusive); `None`: from the start.
    pub valid_from: Option<DateTimeUtc>,
    /// Until when the grant gives access (exclusive); `None`: no end.
    pub valid_until: Option<DateTimeUtc>,
    /// The grant reaches every descendant of its company too.
    pub include_branches: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::UserId",
        to = "super::user::Column::Id",
        on_delete = "Cascade"
    )]
    User,
    #[sea_orm(
        belongs_to = "super::company::Entity",
        from = "Column::CompanyId",
        to = "super::company::Column::Id",
        on_delete = "Cascade"
    )]
    Company,
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl Related<super::company::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Company.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
