//! Test PKI for eidgate: a hierarchy shaped like the Estonian eID one, generated in code, and a
//! locator for the real public test data that sits beside the repository.

#![forbid(unsafe_code)]

pub mod eid_data;
