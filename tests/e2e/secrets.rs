//! A scanner for secrets in generated artifacts: AWS access key ids (`AKIA…`, `ASIA…`),
//! 40-character secret keys after `aws_secret_access_key`, password or secret keys with a
//! value, and PEM blocks. Nothing we emit may hold one.

/// Each hit as `PATH:LINE: RULE`, in order.
pub fn scan(path: &str, text: &str) -> Vec<String> {
    let mut hits = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let mut hit = |rule: &str| hits.push(format!("{path}:{}: {rule}", i + 1));
        if has_access_key_id(line) {
            hit("AWS access key id");
        }
        if has_secret_access_key(line) {
            hit("AWS secret access key");
        }
        if line.contains("-----BEGIN ") {
            hit("PEM block");
        }
        if has_assigned_secret(line) {
            hit("password or secret with a value");
        }
    }
    if path.ends_with(".json")
        && let Ok(value) = serde_json::from_str::<serde_json::Value>(text)
    {
        let mut keys = Vec::new();
        secret_json_keys(&value, &mut keys);
        for key in keys {
            hits.push(format!(
                "{path}: JSON key `{key}` holds a password or secret"
            ));
        }
    }
    hits
}

/// `AKIA` or `ASIA` and 16 more of `[0-9A-Z]`, not inside a longer word.
fn has_access_key_id(line: &str) -> bool {
    let bytes = line.as_bytes();
    (0..bytes.len()).any(|i| {
        let prefix = bytes.get(i..i + 4);
        let body = bytes.get(i + 4..i + 20);
        let before = i.checked_sub(1).and_then(|j| bytes.get(j));
        matches!(prefix, Some(b"AKIA" | b"ASIA"))
            && body.is_some_and(|b| {
                b.iter()
                    .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
            })
            && !before.is_some_and(|c| c.is_ascii_alphanumeric())
            && !bytes.get(i + 20).is_some_and(|c| c.is_ascii_alphanumeric())
    })
}

/// `aws_secret_access_key` (any case, `=`, `:` or quotes after it) and 40 or more
/// characters of base64.
fn has_secret_access_key(line: &str) -> bool {
    let lower = line.to_ascii_lowercase();
    lower
        .match_indices("aws_secret_access_key")
        .any(|(i, key)| {
            let rest = line.get(i + key.len()..).unwrap_or_default();
            let value = rest.trim_start_matches(|c: char| c.is_whitespace() || "=:\"'".contains(c));
            value
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || "/+=".contains(*c))
                .count()
                >= 40
        })
}

/// `password=VALUE`, `secret = VALUE`, `--password VALUE` (any case, any key that contains
/// the word) outside JSON, where VALUE is not a boolean or a number.
fn has_assigned_secret(line: &str) -> bool {
    let lower = line.to_ascii_lowercase();
    for word in ["password", "secret"] {
        for (i, _) in lower.match_indices(word) {
            let rest = lower.get(i + word.len()..).unwrap_or_default();
            // The rest of the key: `_access_key`, `-file`, ….
            let rest =
                rest.trim_start_matches(|c: char| c.is_ascii_alphanumeric() || "_-".contains(c));
            let flag = lower.get(..i).is_some_and(|b| b.ends_with("--"));
            let value = if let Some(v) = rest.trim_start().strip_prefix('=') {
                v
            } else if flag && rest.starts_with(' ') {
                rest
            } else {
                continue;
            };
            let value = value.trim().trim_matches(|c| c == '"' || c == '\'');
            let token: String = value.chars().take_while(|c| !c.is_whitespace()).collect();
            // A shell variable reference (`"$TEMP_PASSWORD"`) names where a value will come
            // from; it is not a value.
            // Nor is the next flag (`--password-reset-required --password …`).
            if !token.is_empty()
                && !token.starts_with('$')
                && !token.starts_with('-')
                && token != "true"
                && token != "false"
                && token.parse::<f64>().is_err()
            {
                return true;
            }
        }
    }
    false
}

/// JSON keys (not ARNs or condition keys, which hold `:`) naming a password or secret
/// whose value is a non-empty string.
fn secret_json_keys(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map {
                let lower = key.to_ascii_lowercase();
                let named =
                    (lower.contains("password") || lower.contains("secret")) && !key.contains(':');
                if named && v.as_str().is_some_and(|s| !s.is_empty()) {
                    out.push(key.clone());
                }
                secret_json_keys(v, out);
            }
        }
        serde_json::Value::Array(items) => {
            for v in items {
                secret_json_keys(v, out);
            }
        }
        _ => {}
    }
}

#[test]
fn the_scanner_catches_planted_secrets() {
    // Well-known placeholder values from the AWS documentation.
    let ini = "[profile dev]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n\
        aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n";
    assert_eq!(
        scan("config", ini),
        [
            "config:2: AWS access key id",
            "config:3: AWS secret access key",
            "config:3: password or secret with a value"
        ]
    );
    let json = "{\n  \"Password\": \"hunter2hunter2\",\n  \"Token\": \"ASIAIOSFODNN7EXAMPLE\",\n  \"ClientSecret\": \"abc\"\n}\n";
    assert_eq!(
        scan("x.json", json),
        [
            "x.json:3: AWS access key id",
            "x.json: JSON key `Password` holds a password or secret",
            "x.json: JSON key `ClientSecret` holds a password or secret",
        ]
    );
    let sh = "aws iam create-login-profile --user-name x --password 'S3cret!'\nDB_PASSWORD=abc\n\
              read -rs P && aws iam create-login-profile --password \"$P\"\n";
    assert_eq!(
        scan("x.sh", sh),
        [
            "x.sh:1: password or secret with a value",
            "x.sh:2: password or secret with a value"
        ]
    );
    let pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n";
    assert_eq!(scan("key.pem", pem), ["key.pem:1: PEM block"]);
}

#[test]
fn the_scanner_lets_ordinary_artifacts_pass() {
    let json = r#"{
  "Action": ["secretsmanager:GetSecretValue"],
  "Condition": {"StringEquals": {"secretsmanager:ResourceTag/team": "qa"}},
  "PasswordResetRequired": true,
  "MinimumPasswordLength": 14,
  "LoginProfile": {"Password": {"Ref": "InitialPassword"}},
  "Description": "Rotate the secret in AKIAIOSFODNN7EXAMPLEX"
}"#;
    assert_eq!(scan("ok.json", json), Vec::<String>::new());
    let text = "aws iam create-login-profile --password-reset-required\n\
        password_reuse_prevention = 24\nallow_users_to_change_password=true\n\
        Set a strong root password: use the console.\n";
    assert_eq!(scan("ok.sh", text), Vec::<String>::new());
}
