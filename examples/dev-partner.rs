//! The `dev-partner` preset as a Rust program: builds the model with
//! `iam_model::presets::dev_partner()` (the builder code lives there, the one source of truth) and
//! prints the model file, the same bytes as `examples/dev-partner.json`.
//!
//! `cargo run -p iam-model --example dev-partner > my-model.json`
use std::io::Write;

fn main() -> std::io::Result<()> {
    let model = iam_model::presets::dev_partner();
    std::io::stdout()
        .lock()
        .write_all(model.to_json().as_bytes())
}
