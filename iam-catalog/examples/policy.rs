//! Print an AWS managed policy document: `cargo run -p iam-catalog --example policy -- ReadOnlyAccess`.
use iam_catalog::AwsManagedPolicy;

fn main() {
    let name = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "ReadOnlyAccess".to_owned());
    match AwsManagedPolicy::from_name(&name) {
        Some(policy) => println!("{}", policy.document_json()),
        None => println!("unknown policy {name}"),
    }
}
