//! The `iam-users` preset as a Rust program: builds the model with
//! `iam_model::presets::iam_users()` (the builder code lives there, the one source of truth) and
//! prints the model file, the same bytes as `examples/iam-users.json`.
//!
//! `cargo run -p iam-model --example iam-users > my-model.json`
use std::io::Write;

fn main() -> std::io::Result<()> {
    let model = iam_model::presets::iam_users();
    std::io::stdout()
        .lock()
        .write_all(model.to_json().as_bytes())
}
