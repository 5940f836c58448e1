//! Integration tests: the real app on a random port and a brand-new database, driven over HTTP.
//! Every test runs on SQLite, and on PostgreSQL when `TEST_DATABASE_URL` is set.

mod helpers;
mod hostile;

mod accounts;
mod activities;
mod audit;
mod auth;
mod backup;
mod cadre;
mod contacts;
mod engine;
mod exports;
mod imports;
mod late;
mod matrix;
mod orgs;
mod outbox;
mod pages;
mod passwords;
mod privacy;
mod reminders;
mod security;
mod signoff;
mod smtp;
mod study;
mod suggestions;
mod supervise;
mod today;
mod totp;
mod visits;
mod writer;
mod youth;
