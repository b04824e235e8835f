//! The real validators our artifacts are judged by: cfn-lint, a moto server, Terraform.
//!
//! `scripts/setup-tools.sh` installs them, pinned, under `.tools/` (`scripts/test.sh` runs it
//! first). A missing tool fails the test that needs it, with a message naming that script:
//! these tests never skip.
use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::support::root;

/// How long a moto server may take to answer its first request.
const MOTO_START_TIMEOUT: Duration = Duration::from_secs(30);

/// The `.tools/` directory that `scripts/setup-tools.sh` fills.
pub fn tools_dir() -> PathBuf {
    root().join(".tools")
}

/// An executable of the tools venv (`cfn-lint`, `python`); panics when it is missing.
pub fn tool_path(name: &str) -> PathBuf {
    let path = tools_dir().join("venv").join("bin").join(name);
    assert!(
        path.is_file(),
        "`{}` is missing: run scripts/setup-tools.sh",
        path.display()
    );
    path
}

/// Runs a command, panicking with its command line when it cannot start.
fn run(cmd: &mut Command) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
}

/// Text of a process stream, lossily.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs cfn-lint (parseable format, every rule it enables by default) on one template:
/// its exit code and stdout. Exit code 0 means no error, warning or informational match;
/// cfn-lint ORs 2 for errors, 4 for warnings, 8 for informational matches.
pub fn cfn_lint(template: &Path) -> (i32, String) {
    let out = run(Command::new(tool_path("cfn-lint"))
        .args(["--format", "parseable", "--"])
        .arg(template));
    (out.status.code().unwrap_or(-1), text(&out.stdout))
}

/// The rule ids (`E3002`, `W3037`, …) of cfn-lint's parseable output, in output order.
pub fn cfn_lint_rules(stdout: &str) -> Vec<String> {
    // file:line:col:endline:endcol:RULE:message
    stdout
        .lines()
        .filter_map(|l| l.split(':').nth(5).map(str::to_owned))
        .collect()
}

/// A free TCP port on 127.0.0.1 (bind port 0, read it, release it).
pub fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local addr").port()
}

/// A moto server (`python -m moto.server`) on 127.0.0.1, killed when dropped.
pub struct MotoServer {
    child: Child,
    port: u16,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl MotoServer {
    /// Starts a server on a free port and waits (at most 30 s) until it answers HTTP. A server
    /// that exits at once (its port taken between our probe and its bind) is retried on
    /// another port, three times at most.
    pub fn start() -> Self {
        let mut attempt = 1;
        loop {
            let mut server = Self::spawn();
            match server.wait_until_ready() {
                Ok(()) => return server,
                Err(log) if attempt < 3 => {
                    eprintln!("moto server exited at start, retrying: {log}");
                    attempt += 1;
                }
                Err(log) => panic!("moto server exited at start three times: {log}"),
            }
        }
    }

    fn spawn() -> Self {
        let python = tool_path("python");
        let dir = tempfile::tempdir().expect("temp dir");
        let log = dir.path().join("moto.log");
        let port = free_port();
        let log_file = std::fs::File::create(&log).expect("moto log file");
        let child = Command::new(python)
            .args([
                "-m",
                "moto.server",
                "-H",
                "127.0.0.1",
                "-p",
                &port.to_string(),
            ])
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().expect("dup log"))
            .stderr(log_file)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start moto server: {e}"));
        MotoServer {
            child,
            port,
            log,
            _dir: dir,
        }
    }

    /// Ok once the server answers; Err(its log) when it exited first.
    fn wait_until_ready(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + MOTO_START_TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().expect("poll moto") {
                return Err(format!("exit {status}: {}", self.log_text()));
            }
            if self.answers() {
                return Ok(());
            }
            assert!(
                Instant::now() < deadline,
                "moto server on port {} did not answer within {MOTO_START_TIMEOUT:?}: {}",
                self.port,
                self.log_text()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn answers(&self) -> bool {
        let Ok(mut stream) = TcpStream::connect((Ipv4Addr::LOCALHOST, self.port)) else {
            return false;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
        if stream
            .write_all(b"GET /moto-api/ HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
            .is_err()
        {
            return false;
        }
        let mut head = [0u8; 12];
        stream.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.")
    }

    /// What the server has logged so far (requests, tracebacks).
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// `http://127.0.0.1:PORT`, the endpoint for every AWS service moto mocks.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `tests/tools/moto_cfn.py` with the venv's python and the given arguments.
pub fn moto_cfn(args: &[&str]) -> Output {
    run(Command::new(tool_path("python"))
        .arg(root().join("tests/tools/moto_cfn.py"))
        .args(args)
        // boto3 must not read a developer's profile or reach an instance metadata service.
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true"))
}

/// Deploys `template` as stack `stack` on `moto` and returns
/// `{"stack": {status, resources, not_created, outputs}, "iam": {...}}`; panics unless the
/// stack reaches CREATE_COMPLETE.
pub fn moto_deploy(moto: &MotoServer, template: &Path, stack: &str) -> serde_json::Value {
    let template = template.to_str().expect("utf-8 path");
    let out = moto_cfn(&["deploy", &moto.endpoint(), template, stack]);
    assert!(
        out.status.success(),
        "deploying `{template}` on moto failed:\n{}\n--- moto log ---\n{}",
        text(&out.stderr),
        moto.log_text()
    );
    serde_json::from_slice(&out.stdout).expect("moto_cfn.py prints JSON")
}

/// The IAM state of `moto` (roles, users, groups, local policies, instance profiles,
/// OIDC and SAML providers), as `tests/tools/moto_cfn.py iam` prints it.
pub fn moto_iam_state(moto: &MotoServer) -> serde_json::Value {
    let out = moto_cfn(&["iam", &moto.endpoint()]);
    assert!(
        out.status.success(),
        "reading IAM state from moto failed:\n{}",
        text(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("moto_cfn.py prints JSON")
}

/// The Organizations and Budgets state of `moto` (OUs, accounts, SCPs with their targets,
/// budgets), ids replaced by names, as `tests/tools/moto_cfn.py org` prints it.
pub fn moto_org_state(moto: &MotoServer) -> serde_json::Value {
    let out = moto_cfn(&["org", &moto.endpoint()]);
    assert!(
        out.status.success(),
        "reading Organizations state from moto failed:\n{}",
        text(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("moto_cfn.py prints JSON")
}

/// Runs `terraform ARGS` in `dir` with the CLI config of `scripts/setup-tools.sh` (providers
/// from the local mirror only), `TF_IN_AUTOMATION=1`, its data dir inside `dir`, no input,
/// and fake AWS credentials (the provider reaches only the endpoints the module names).
pub fn terraform(dir: &Path, args: &[&str]) -> Output {
    let rc = tools_dir().join("terraformrc");
    assert!(
        rc.is_file(),
        "`{}` is missing: run scripts/setup-tools.sh",
        rc.display()
    );
    run(Command::new("terraform")
        .args(args)
        .current_dir(dir)
        .env("TF_CLI_CONFIG_FILE", rc)
        .env("TF_IN_AUTOMATION", "1")
        .env("TF_INPUT", "0")
        .env("TF_DATA_DIR", dir.join(".terraform-data"))
        .env("CHECKPOINT_DISABLE", "1")
        .env_remove("TF_PLUGIN_CACHE_DIR")
        .env_remove("TF_LOG")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true"))
}

/// `terraform ARGS` that must succeed: its stdout; panics with both streams otherwise.
pub fn terraform_ok(dir: &Path, args: &[&str]) -> String {
    let out = terraform(dir, args);
    assert!(
        out.status.success(),
        "terraform {args:?} failed in {}:\n{}\n{}",
        dir.display(),
        text(&out.stdout),
        text(&out.stderr)
    );
    text(&out.stdout)
}

/// The provider version in the local mirror (`scripts/setup-tools.sh`).
pub const MIRROR_AWS_PROVIDER: &str = "3.39.0";

/// Writes `zz_moto_override.tf.json` into a root module: a Terraform override file that pins
/// hashicorp/aws to the mirror's version and points the `aws` provider at `endpoint` (a moto
/// server, or any unreachable URL for `validate`) with fake keys and every start-up call to
/// AWS turned off. The module itself stays byte for byte what we emit.
pub fn write_moto_override(dir: &Path, endpoint: &str) {
    // provider 3.39.0 has no `identitystore` endpoint setting
    let endpoints: serde_json::Map<String, serde_json::Value> =
        ["iam", "sts", "organizations", "ssoadmin", "budgets"]
            .iter()
            .map(|s| ((*s).to_owned(), serde_json::Value::from(endpoint)))
            .collect();
    let doc = serde_json::json!({
        "terraform": {
            "required_providers": {
                "aws": { "source": "hashicorp/aws", "version": MIRROR_AWS_PROVIDER }
            }
        },
        "provider": {
            "aws": {
                "region": "us-east-1",
                "access_key": "testing",
                "secret_key": "testing",
                "skip_credentials_validation": true,
                "skip_requesting_account_id": true,
                "skip_metadata_api_check": true,
                "skip_region_validation": true,
                // provider 3.x asks EC2 for the account's platforms at start-up unless told not to
                "skip_get_ec2_platforms": true,
                "endpoints": endpoints
            }
        }
    });
    let text = serde_json::to_string_pretty(&doc).expect("serialise") + "\n";
    std::fs::write(dir.join("zz_moto_override.tf.json"), text).expect("write override");
}

/// Copies every regular file directly in `from` into a new temp dir (a root module to run
/// Terraform in without touching the source tree).
pub fn copy_module(from: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for entry in std::fs::read_dir(from).expect("read module dir") {
        let path = entry.expect("dir entry").path();
        if path.is_file() {
            std::fs::copy(&path, dir.path().join(path.file_name().expect("name")))
                .expect("copy module file");
        }
    }
    dir
}
