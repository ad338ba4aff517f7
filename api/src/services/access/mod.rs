//! Who may act in which company, one file per operation: the seed's four functions (list, grant one or
//! many, revoke), replacing the set, changing one grant (default, role, window), bulk add, bulk revoke and populate from employee profiles.

mod bulk;
mod grant;
mod import;
mod list;
mod populate;
mod replace;
mod revoke;
mod revoke_many;
mod shared;
mod update;

pub use bulk::bulk_grant;
pub use grant::{grant_many, grant_one};
pub use import::{export, import};
pub use list::{list_for_user, list_visible};
pub use populate::populate;
pub use replace::replace;
pub use revoke::revoke;
pub use revoke_many::revoke_many;
pub use update::update_grant;
