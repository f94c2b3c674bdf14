//! Locust's file formats: reading them (elsewhere) and writing them ([`mod@write`]).

pub mod write;
