//! perfreport: read Locust's CSV output, summarise runs, compare a run against a baseline with
//! verdicts a CI job can gate on, and render the results.
//!
//! The library is split by stage: [`locust`] reads (and the driver writes) Locust's files,
//! [`model`] holds what a run measured, [`stats`] is pure statistics, [`compare`] turns two
//! runs into verdicts, and [`report`] renders them. `main.rs` only parses the command line,
//! calls [`cmd`] (one file per subcommand, over [`cli`]'s typed settings) and maps errors to
//! exit codes.

pub mod apdex;
pub mod archive;
pub mod calibrate;
pub mod capacity;
pub mod cli;
pub mod cmd;
pub mod compare;
pub mod decimal;
pub mod driver;
pub mod endurance;
pub mod group;
pub mod locust;
pub mod metric;
pub mod model;
pub mod output;
pub mod report;
pub mod shutdown;
pub mod signoff;
pub mod sla;
pub mod stages;
pub mod stats;
pub mod steady;
pub mod summary;
pub mod target;
pub mod time;
pub mod timeseries;
