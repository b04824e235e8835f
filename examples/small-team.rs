//! The `small-team` preset as a Rust program: builds the model with
//! `iam_model::presets::small_team()` (the builder code lives there, the one source of truth) and
//! prints the model file, the same bytes as `examples/small-team.json`.
//!
//! `cargo run -p iam-model --example small-team > my-model.json`
use std::io::Write;

fn main() -> std::io::Result<()> {
    let model = iam_model::presets::small_team();
    std::io::stdout()
        .lock()
        .write_all(model.to_json().as_bytes())
}
