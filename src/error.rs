//! The error type of cube: what kind of failure (for the exit code), a message
//! that names the offending value, detail lines and a hint. [`crate::run`] maps
//! it to the exit codes the README documents, in one place.
//!
//! This module and `db/` are the only ones that know SQLite's error type.

use std::io;

/// What kind of failure, for the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Failed,
    Refused,
    BadInput,
    Busy,
    /// Stopped by the operator (Ctrl-C): what the shell reports for SIGINT.
    Interrupted,
}

impl Kind {
    pub fn exit_code(self) -> u8 {
        match self {
            Kind::Failed => 1,
            Kind::Refused => 2,
            Kind::BadInput => 65,
            Kind::Busy => 75,
            Kind::Interrupted => 130,
        }
    }
}

/// An error the operator can act on: a message naming the offending value,
/// optional detail lines (e.g. every bad row of an import), and an optional hint
/// with the obvious next step.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Failure {
    pub kind: Kind,
    pub message: String,
    pub details: Vec<String>,
    pub hint: Option<String>,
}

impl Failure {
    pub fn new(kind: Kind, message: impl Into<String>) -> Failure {
        Failure {
            kind,
            message: message.into(),
            details: Vec::new(),
            hint: None,
        }
    }
    pub fn failed(message: impl Into<String>) -> Failure {
        Failure::new(Kind::Failed, message)
    }
    pub fn refused(message: impl Into<String>) -> Failure {
        Failure::new(Kind::Refused, message)
    }
    pub fn bad_input(message: impl Into<String>) -> Failure {
        Failure::new(Kind::BadInput, message)
    }
    pub fn hint(mut self, hint: impl Into<String>) -> Failure {
        self.hint = Some(hint.into());
        self
    }
    pub fn details(mut self, details: Vec<String>) -> Failure {
        self.details = details;
        self
    }
}

/// True when the error comes from a full disk, in SQLite or in a file write.
pub fn is_disk_full(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        let sqlite_full = matches!(
            cause.downcast_ref::<rusqlite::Error>(),
            Some(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::DiskFull
        );
        let io_full = cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::StorageFull);
        sqlite_full || io_full
    })
}

/// What a command had already done when it failed: carried in the error's
/// chain so that the message never says "nothing was changed" when something
/// was. It is shown as the hint, not as part of the message.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct StateLeft(pub String);

/// The error's message: its causes joined as `{:#}` would, without the
/// [`StateLeft`] note, which is always the outermost context.
pub fn message(err: &anyhow::Error) -> String {
    let skip = usize::from(err.downcast_ref::<StateLeft>().is_some());
    err.chain()
        .skip(skip)
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(": ")
}
