//! The `web-backend` preset as a Rust program: builds the model with
//! `iam_model::presets::web_backend()` (the builder code lives there, the one source of truth) and
//! prints the model file, the same bytes as `examples/web-backend.json`.
//!
//! `cargo run -p iam-model --example web-backend > my-model.json`
use std::io::Write;

fn main() -> std::io::Result<()> {
    let model = iam_model::presets::web_backend();
    std::io::stdout()
        .lock()
        .write_all(model.to_json().as_bytes())
}
