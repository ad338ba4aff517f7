//! What every request handler shares.

use crate::auth::SecretHash;
use sea_orm::DatabaseConnection;

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    /// Only the hash of the master key is kept in memory; the key itself is dropped after start-up.
    pub master_key_hash: SecretHash,
}
