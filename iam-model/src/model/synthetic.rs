//! Synthetic organizations for benchmarks and tests.
