//! The `third-party` preset as a Rust program: builds the model with
//! `iam_model::presets::third_party()` (the builder code lives there, the one source of truth) and
//! prints the model file, the same bytes as `examples/third-party.json`.
//!
//! `cargo run -p iam-model --example third-party > my-model.json`
use std::io::Write;

fn main() -> std::io::Result<()> {
    let model = iam_model::presets::third_party();
    std::io::stdout()
        .lock()
        .write_all(model.to_json().as_bytes())
}
