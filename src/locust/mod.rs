//! Locust's file formats: reading them (elsewhere) and writing them ([`write`]).

pub mod write;
