//! The `sandbox` preset as a Rust program: builds the model with
//! `iam_model::presets::sandbox()` (the builder code lives there, the one source of truth) and
//! prints the model file, the same bytes as `examples/sandbox.json`.
//!
//! `cargo run -p iam-model --example sandbox > my-model.json`
use std::io::Write;

fn main() -> std::io::Result<()> {
    let model = iam_model::presets::sandbox();
    std::io::stdout()
        .lock()
        .write_all(model.to_json().as_bytes())
}
