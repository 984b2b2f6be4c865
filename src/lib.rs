//! plg-audit: audits a SaaS product's product-led-growth readiness.
//!
//! The pipeline is visible in the modules: [`gather`] drives the browser and the HTTP
//! client and records [`artifacts`]; [`audit`] judges them without touching the
//! network; [`report`] renders the result. [`forms`] is the one model of forms, used
//! by all three. [`run`] ties one audit together; [`demo`] holds the built-in sample
//! product and the server that also serves test fixtures. [`history`] records every run.

pub mod artifacts;
pub mod audit;
pub mod batch;
pub mod cli;
pub mod compare;
pub mod config;
pub mod demo;
pub mod doctor;
pub mod error;
pub mod flag_errors;
pub mod forms;
pub mod gather;
pub mod history;
pub mod inspect;
pub mod pricing;
pub mod progress;
pub mod report;
pub mod run;
pub mod stop;
pub mod text;
