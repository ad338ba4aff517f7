use sea_orm::entity::prelude::*;

/// One recorded change. Deliberately no foreign keys: the trail outlives the users and companies it names.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "hrm_audit_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub at: DateTimeUtc,
    pub actor: String,
    /// The key that made the change; `None` for the master key and the demo data.
    pub actor_key_id: Option<Uuid>,
    /// The user a bound key made the change for; `None` for unbound keys.
    pub actor_user_id: Option<i32>,
    pub action: String,
    pub user_id: Option<i32>,
    pub company_id: Option<Uuid>,
    pub before: Option<Json>,
    pub after: Option<Json>,
    /// The revision of the transaction that made the change; `None` for rows older than revisions.
    pub revision: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
