//! Test support shared by the unit tests, the integration tests, the benchmarks and the fixture
//! generator: databases written as opencode writes them, and stand-in `opencode` processes.
//! Compiled only for tests and with the `testkit` feature, so no release binary carries it.

pub mod fixture;
pub mod fuzz;
pub mod standin;
