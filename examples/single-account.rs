//! The `single-account` preset as a Rust program: builds the model with
//! `iam_model::presets::single_account()` (the builder code lives there, the one source of truth) and
//! prints the model file, the same bytes as `examples/single-account.json`.
//!
//! `cargo run -p iam-model --example single-account > my-model.json`
use std::io::Write;

fn main() -> std::io::Result<()> {
    let model = iam_model::presets::single_account();
    std::io::stdout()
        .lock()
        .write_all(model.to_json().as_bytes())
}
