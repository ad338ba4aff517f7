//! The library side of the `company-access` package: the typed HTTP client of a Company Access
//! server, shared by the binary's client subcommands and the end-to-end tests.

pub mod client;
