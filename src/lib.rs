//! runready: will our support process work when production breaks tonight?
//!
//! The pipeline (architecture.md): YAML → [`load`] → [`model::Model`] → [`rules`] →
//! [`report`]. Every stage is a function of its inputs and `--at`.

pub mod atomic;
#[cfg(feature = "aws")]
pub mod aws;
pub mod cli;
pub mod commands;
pub mod diag;
pub mod drill;
pub mod exit;
pub mod facts;
pub mod ical;
pub mod import;
pub mod load;
pub mod model;
pub mod par;
pub mod policy;
pub mod read;
pub mod report;
pub mod rules;
pub mod suggest;
pub mod time;
