//! `company-access keys`: create, list and revoke API keys.

use super::{ClientOpts, parse_value, print_either, removed, run};
use crate::client::CliError;
use crate::lookup;
use crate::outln;
use crate::output::{Table, print_json, when};
use clap::{Args, Subcommand};
use openapi::keys::{ApiKey, CreateKey};
use openapi::{KeyName, Scope};
use std::process::ExitCode;
use uuid::Uuid;

#[derive(Debug, Args)]
pub struct Keys {
    #[command(flatten)]
    pub opts: ClientOpts,
    #[command(subcommand)]
    pub command: KeysCommand,
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create an API key; its secret is printed once.
    Create {
        /// A name to recognise the key by in the audit trail.
        name: String,
        /// check (access checks only) < read < write < admin (manages keys).
        #[arg(long)]
        scope: Scope,
        /// Bind the key to this user (id or username): it then acts for them, and reaches only the
        /// companies they administer.
        #[arg(long, value_name = "USER")]
        user: Option<String>,
    },
    /// List API keys (never their secrets).
    List,
    /// Revoke an API key, given by id or name.
    Revoke {
        /// Key id (UUID) or name.
        key: String,
    },
}

pub fn keys(args: Keys) -> ExitCode {
    run(&args.opts, |api, json| match args.command {
        KeysCommand::Create { name, scope, user } => {
            let user_id = match user {
                Some(user) => Some(lookup::user(api, &user)?.id),
                None => None,
            };
            let body = CreateKey {
                name: parse_value(KeyName::parse(name.trim()))?,
                scope,
                user_id,
            };
            let created = api.create_key(&body)?;
            if json {
                print_json(&created);
            } else {
                let bound = created
                    .key
                    .user_id
                    .map(|user| format!(", acting for user {user}"))
                    .unwrap_or_default();
                outln!(
                    "Created key {:?} with scope {}{bound}. Its secret is shown only this once:",
                    created.key.name.as_str(),
                    created.key.scope
                );
                outln!("{}", created.secret);
            }
            Ok(())
        }
        KeysCommand::List => {
            let keys = api.list_keys()?;
            if json {
                print_json(&keys);
                return Ok(());
            }
            if keys.is_empty() {
                outln!("No API keys found (the master key is not listed)");
                return Ok(());
            }
            let mut table = Table::new(&[
                "ID",
                "NAME",
                "SCOPE",
                "USER",
                "PREFIX",
                "CREATED",
                "CREATED BY",
                "REVOKED",
            ]);
            for key in &keys {
                table.row(vec![
                    key.id.to_string(),
                    key.name.to_string(),
                    key.scope.to_string(),
                    key.user_id.map(|user| user.to_string()).unwrap_or_default(),
                    key.prefix.clone(),
                    when(&key.created_at),
                    key.created_by.clone(),
                    key.revoked_at.as_ref().map(when).unwrap_or_default(),
                ]);
            }
            table.print();
            Ok(())
        }
        KeysCommand::Revoke { key } => {
            let keys = api.list_keys()?;
            let wanted = key.trim();
            let found = match Uuid::parse_str(wanted) {
                Ok(id) => keys.into_iter().find(|k| k.id == id),
                Err(_) => {
                    let mut named: Vec<ApiKey> = keys
                        .into_iter()
                        .filter(|k| k.name.as_str() == wanted)
                        .collect();
                    // A name can be reused after a revoke; the live key is the one meant.
                    named.sort_by_key(|k| k.revoked_at.is_none());
                    named.pop()
                }
            };
            let Some(found) = found else {
                return Err(CliError::not_found(format!(
                    "Key not found: no API key {wanted:?}."
                )));
            };
            if let Some(at) = &found.revoked_at {
                print_either(json, &removed("revoked", &found), || {
                    outln!(
                        "Key {:?} ({}) was already revoked on {}.",
                        found.name.as_str(),
                        found.id,
                        when(at)
                    );
                });
                return Ok(());
            }
            api.revoke_key(found.id)?;
            print_either(json, &removed("revoked", &found), || {
                outln!("Revoked key {:?} ({}).", found.name.as_str(), found.id);
            });
            Ok(())
        }
    })
}
