//! Look up an action: `cargo run -p iam-catalog --example lookup -- s3:GetObject`.
//! Also the small binary measured for the table size in the README.
use iam_catalog::KnownAction;

fn main() {
    let name = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "s3:GetObject".to_owned());
    match KnownAction::lookup(&name) {
        Some(action) => {
            println!("{action}: {}", action.access_levels());
            if let Some(description) = action.description() {
                println!("{description}");
            }
            for (rt, required) in action.resource_types() {
                println!("  {} {} required={required}", rt.name(), rt.arn_pattern());
            }
        }
        None => {
            let suggestions: Vec<String> = iam_catalog::closest_actions(&name, 3)
                .into_iter()
                .map(|a| a.full_name())
                .collect();
            println!("unknown action {name}; did you mean {suggestions:?}");
        }
    }
}
