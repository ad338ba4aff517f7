use sea_orm::entity::prelude::*;

/// An API key. Only the SHA-256 of the secret is stored; `prefix` lets people recognise a key in lists.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "hrm_api_keys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    /// One of check, read, write, admin.
    pub scope: String,
    pub prefix: String,
    pub secret_hash: String,
    pub created_at: DateTimeUtc,
    pub created_by: String,
    pub revoked_at: Option<DateTimeUtc>,
    /// The user the key acts for; `None`: an unbound key, limited by its scope alone.
    pub user_id: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
