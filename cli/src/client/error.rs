//! How a client command's failures become values, messages and exit codes.

use openapi::Problem;
use std::fmt;
use std::process::ExitCode;

/// What kind of failure ended a command; decides the exit code scripts branch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Server unreachable, key refused, server error, unexpected answer.
    Failure,
    /// The request itself was wrong (bad id, bad value, refused input).
    Usage,
    NotFound,
    /// Already exists, or the user already has that access.
    Conflict,
    /// `access check` answered "not allowed": not an error, but scripts must be able to tell.
    Denied,
}

impl Kind {
    pub fn exit_code(self) -> u8 {
        match self {
            Kind::Failure => 1,
            Kind::Usage => 2,
            Kind::NotFound => 3,
            Kind::Conflict => 4,
            Kind::Denied => 5,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Kind::Failure => "failure",
            Kind::Usage => "usage",
            Kind::NotFound => "not_found",
            Kind::Conflict => "conflict",
            Kind::Denied => "denied",
        }
    }
}

/// A failed command: one sentence for a person, and the server's problem body when there was one.
#[derive(Debug, Clone)]
pub struct CliError {
    pub kind: Kind,
    pub message: String,
    pub problem: Option<Box<Problem>>,
}

impl CliError {
    pub fn new(kind: Kind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            problem: None,
        }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Kind::Usage, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(Kind::NotFound, message)
    }

    pub fn failure(message: impl Into<String>) -> Self {
        Self::new(Kind::Failure, message)
    }

    /// The server's machine code (`user_not_found`, …), if the server answered with a problem.
    pub fn code(&self) -> Option<&'static str> {
        self.problem.as_ref().map(|p| p.code.as_str())
    }

    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.kind.exit_code())
    }

    /// The error as scripts using `--json` read it from stderr.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "error": {
                "message": self.message,
                "kind": self.kind.label(),
                "exit_code": self.kind.exit_code(),
                "status": self.problem.as_ref().map(|p| p.status),
                "code": self.code(),
                "problem": self.problem,
            }
        })
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CliError {}

pub type Result<T, E = CliError> = std::result::Result<T, E>;
