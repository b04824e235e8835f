use pretty_assertions::assert_eq;

use super::*;

#[test]
fn literals_escape_template_sequences() {
    assert_eq!(
        literal("arn:aws:s3:::b/${aws:username}/*"),
        "arn:aws:s3:::b/$${aws:username}/*"
    );
    assert_eq!(literal("100%{x}"), "100%%{x}");
    assert_eq!(literal("$${x}"), "$$${x}");
    assert_eq!(literal("plain $ and %"), "plain $ and %");
}
