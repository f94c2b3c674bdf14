//! The command-line integration tests: one binary, one module per area.

mod driver;
