//! Database schema for Liaison, as sea-orm migrations that run on SQLite and PostgreSQL alike.

pub use sea_orm_migration::prelude::*;

mod m20261125_000001_domain;
mod m20261126_000001_security;
mod m20261127_000001_supervision;
mod m20261128_000001_reminders;
mod m20261129_000001_exports;
mod m20261130_000001_imports;
mod m20261201_000001_hostile_input;
mod m20261201_000002_plan_pages;
mod m20261201_000003_policy_dates;
mod m20261201_000004_late_requests;
pub mod m20261201_000005_fact_cache;
mod m20261202_000001_trend_duties;
mod m20261203_000001_signoff;
mod m20261204_000001_administrators;
mod m20261205_000001_security_policy;
mod m20261206_000001_second_factor;
pub mod m20261207_000001_privacy;
mod m20261207_000002_backups;
mod m20261208_000001_activities;

pub mod audit_chain;

pub use m20261127_000001_supervision::OFFICIAL_CALENDAR;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_domain::Migration),
            Box::new(m20261126_000001_security::Migration),
            Box::new(m20261127_000001_supervision::Migration),
            Box::new(m20261128_000001_reminders::Migration),
            Box::new(m20261129_000001_exports::Migration),
            Box::new(m20261130_000001_imports::Migration),
            Box::new(m20261201_000001_hostile_input::Migration),
            Box::new(m20261201_000002_plan_pages::Migration),
            Box::new(m20261201_000003_policy_dates::Migration),
            Box::new(m20261201_000004_late_requests::Migration),
            Box::new(m20261201_000005_fact_cache::Migration),
            Box::new(m20261202_000001_trend_duties::Migration),
            Box::new(m20261203_000001_signoff::Migration),
            Box::new(m20261204_000001_administrators::Migration),
            Box::new(m20261205_000001_security_policy::Migration),
            Box::new(m20261206_000001_second_factor::Migration),
            Box::new(m20261207_000001_privacy::Migration),
            Box::new(m20261207_000002_backups::Migration),
            Box::new(m20261208_000001_activities::Migration),
        ]
    }
}
