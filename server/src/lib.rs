//! The Liaison server: configuration, database start-up, the HTTP application, demo data and the
//! command line. `startup::Application` is what `main` runs and what the tests spawn.

pub mod api;
pub mod archive;
pub mod assets;
pub mod audit;
pub mod backup;
pub mod bootstrap;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod email;
pub mod exports;
pub mod feed;
pub mod generate;
pub mod imports;
pub mod memory;
pub mod outbox;
pub mod pirequests;
pub mod scheduler;
pub mod security;
pub mod startup;
