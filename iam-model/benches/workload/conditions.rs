//! The condition-heavy workload of issue 13, generated deterministically: 10 identity
//! policies of 20 statements, about 80% of them with conditions drawn from 13 operators,
//! `${aws:username}` in some resources, and same-account requests over six services with 3 to
//! 10 context keys each. Shared by the `eval_conditions` bench and the
//! `conditions_workload` example (which writes it as a lean JSON Lines batch for the CLI).

/// A small deterministic generator (xorshift64*).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    pub fn pick_str(&mut self, items: &[&'static str]) -> &'static str {
        items[self.below(items.len())]
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

pub const ACCOUNT: &str = "111122223333";
pub const USERS: [&str; 5] = ["alice", "bob", "carol", "dave", "erin"];

struct Service {
    prefix: &'static str,
    actions: &'static [&'static str],
    patterns: &'static [&'static str],
    resources: &'static [&'static str],
}

const SERVICES: [Service; 6] = [
    Service {
        prefix: "s3",
        actions: &[
            "GetObject",
            "PutObject",
            "DeleteObject",
            "ListBucket",
            "GetBucketPolicy",
        ],
        patterns: &[
            "Get*",
            "Put*",
            "List*",
            "*Object",
            "GetObject",
            "DeleteObject",
        ],
        resources: &[
            "*",
            "arn:aws:s3:::data-{n}/*",
            "arn:aws:s3:::home/${aws:username}/*",
            "arn:aws:s3:::logs-*",
        ],
    },
    Service {
        prefix: "ec2",
        actions: &[
            "RunInstances",
            "DescribeInstances",
            "StartInstances",
            "StopInstances",
            "CreateTags",
        ],
        patterns: &["Describe*", "Start*", "Stop*", "RunInstances", "*Tags"],
        resources: &[
            "*",
            "arn:aws:ec2:*:111122223333:instance/*",
            "arn:aws:ec2:eu-west-1:111122223333:volume/*",
        ],
    },
    Service {
        prefix: "dynamodb",
        actions: &["GetItem", "PutItem", "Query", "Scan", "DeleteItem"],
        patterns: &["Get*", "Put*", "Query", "Scan", "*Item"],
        resources: &[
            "*",
            "arn:aws:dynamodb:eu-west-1:111122223333:table/orders-{n}",
            "arn:aws:dynamodb:*:111122223333:table/${aws:username}-*",
        ],
    },
    Service {
        prefix: "sqs",
        actions: &[
            "SendMessage",
            "ReceiveMessage",
            "DeleteMessage",
            "GetQueueAttributes",
        ],
        patterns: &["Send*", "Receive*", "*Message", "Get*"],
        resources: &[
            "*",
            "arn:aws:sqs:*:111122223333:queue-*",
            "arn:aws:sqs:eu-west-1:111122223333:${aws:username}",
        ],
    },
    Service {
        prefix: "lambda",
        actions: &[
            "InvokeFunction",
            "GetFunction",
            "UpdateFunctionCode",
            "ListFunctions",
        ],
        patterns: &["Invoke*", "Get*", "Update*", "List*"],
        resources: &[
            "*",
            "arn:aws:lambda:eu-west-1:111122223333:function:app-{n}",
            "arn:aws:lambda:*:111122223333:function:*",
        ],
    },
    Service {
        prefix: "sns",
        actions: &["Publish", "Subscribe", "GetTopicAttributes", "ListTopics"],
        patterns: &["Publish", "Subscribe", "Get*", "List*"],
        resources: &[
            "*",
            "arn:aws:sns:eu-west-1:111122223333:topic-{n}",
            "arn:aws:sns:*:111122223333:${aws:username}-*",
        ],
    },
];

// The 13 operators of the issue, each with a key and values.
const CONDITIONS: [&str; 13] = [
    r#""StringNotEquals":{"aws:RequestedRegion":["us-east-1","us-west-2"]}"#,
    r#""ForAnyValue:StringEquals":{"aws:TagKeys":["team","env"]}"#,
    r#""Bool":{"aws:SecureTransport":"true"}"#,
    r#""NotIpAddress":{"aws:SourceIp":["192.0.2.0/24"]}"#,
    r#""DateGreaterThan":{"aws:CurrentTime":"2024-01-01T00:00:00Z"}"#,
    r#""StringLike":{"aws:PrincipalTag/team":["eng*","ops"]}"#,
    r#""BoolIfExists":{"aws:MultiFactorAuthPresent":"true"}"#,
    r#""StringEqualsIfExists":{"aws:RequestTag/env":["dev","prod"]}"#,
    r#""IpAddress":{"aws:SourceIp":["203.0.113.0/24","10.0.0.0/8"]}"#,
    r#""Null":{"aws:TokenIssueTime":"false"}"#,
    r#""NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}"#,
    r#""ArnLike":{"aws:SourceArn":"arn:aws:sns:*:111122223333:topic-*"}"#,
    r#""ForAllValues:StringLike":{"aws:TagKeys":["team","env","cost*"]}"#,
];

fn statement(rng: &mut Rng, p: usize, i: usize) -> String {
    let service = rng.pick(&SERVICES);
    let count = 1 + rng.below(3);
    let actions: Vec<String> = (0..count)
        .map(|_| format!("\"{}:{}\"", service.prefix, rng.pick(service.patterns)))
        .collect();
    let effect = if rng.chance(10) { "Deny" } else { "Allow" };
    let resource = rng
        .pick(service.resources)
        .replace("{n}", &rng.below(4).to_string());
    let condition = if rng.chance(80) {
        let first = rng.below(CONDITIONS.len());
        let mut ops = vec![CONDITIONS[first]];
        if rng.chance(40) {
            let second = (first + 1 + rng.below(CONDITIONS.len() - 1)) % CONDITIONS.len();
            ops.push(CONDITIONS[second]);
        }
        format!(r#","Condition":{{{}}}"#, ops.join(","))
    } else {
        String::new()
    };
    format!(
        r#"{{"Sid":"P{p}S{i}","Effect":"{effect}","Action":[{}],"Resource":"{resource}"{condition}}}"#,
        actions.join(",")
    )
}

/// The ten identity policies, as JSON text.
pub fn policies() -> Vec<String> {
    let mut rng = Rng::new(0x1337_0013);
    (0..10)
        .map(|p| {
            let statements: Vec<String> = (0..20).map(|i| statement(&mut rng, p, i)).collect();
            format!(
                r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
                statements.join(",")
            )
        })
        .collect()
}

/// One request: principal ARN, action, resource and context (key, values).
pub struct RequestSpec {
    pub principal: String,
    pub action: String,
    pub resource: String,
    pub context: Vec<(&'static str, Vec<String>)>,
}

const REGIONS: [&str; 4] = ["eu-west-1", "us-east-1", "eu-central-1", "us-west-2"];
const IPS: [&str; 4] = ["203.0.113.7", "192.0.2.10", "10.1.2.3", "198.51.100.20"];

fn context_value(rng: &mut Rng, key: &str, user: &str) -> Vec<String> {
    fn one(s: &str) -> Vec<String> {
        vec![s.to_string()]
    }
    match key {
        "aws:RequestedRegion" => one(rng.pick_str(&REGIONS)),
        "aws:SecureTransport" => one(if rng.chance(80) { "true" } else { "false" }),
        "aws:SourceIp" => one(rng.pick_str(&IPS)),
        "aws:CurrentTime" => one(if rng.chance(90) {
            "2025-06-01T12:00:00Z"
        } else {
            "2023-06-01T12:00:00Z"
        }),
        "aws:TagKeys" => {
            let n = rng.below(3);
            (0..n)
                .map(|_| {
                    rng.pick(&["team", "env", "cost-center", "owner"])
                        .to_string()
                })
                .collect()
        }
        "aws:MultiFactorAuthPresent" => one(if rng.chance(70) { "true" } else { "false" }),
        "aws:MultiFactorAuthAge" => one(&rng.below(7200).to_string()),
        "aws:TokenIssueTime" => one("2025-06-01T11:00:00Z"),
        "aws:PrincipalTag/team" => one(rng.pick_str(&["engineering", "ops", "finance"])),
        "aws:RequestTag/env" => one(rng.pick_str(&["dev", "prod", "test"])),
        "aws:SourceArn" => one(&format!(
            "arn:aws:sns:eu-west-1:111122223333:topic-{}",
            rng.below(3)
        )),
        _ => one(&format!("home/{user}/")),
    }
}

const KEYS: [&str; 12] = [
    "aws:RequestedRegion",
    "aws:SecureTransport",
    "aws:SourceIp",
    "aws:CurrentTime",
    "aws:TagKeys",
    "aws:MultiFactorAuthPresent",
    "aws:MultiFactorAuthAge",
    "aws:TokenIssueTime",
    "aws:PrincipalTag/team",
    "aws:RequestTag/env",
    "aws:SourceArn",
    "s3:prefix",
];

/// `count` same-account requests.
pub fn requests(count: usize) -> Vec<RequestSpec> {
    let mut rng = Rng::new(0x5eed_0013);
    (0..count)
        .map(|_| {
            let user = *rng.pick(&USERS);
            let service = rng.pick(&SERVICES);
            let action = format!("{}:{}", service.prefix, rng.pick(service.actions));
            let n = rng.below(4).to_string();
            let resource = match service.prefix {
                "s3" => match rng.below(3) {
                    0 => format!("arn:aws:s3:::data-{n}/report.csv"),
                    1 => format!("arn:aws:s3:::home/{user}/notes.txt"),
                    _ => "arn:aws:s3:::logs-2025".to_string(),
                },
                "ec2" => format!(
                    "arn:aws:ec2:{}:{ACCOUNT}:instance/i-{n}",
                    rng.pick(&REGIONS)
                ),
                "dynamodb" => match rng.below(2) {
                    0 => format!("arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/orders-{n}"),
                    _ => format!("arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/{user}-items"),
                },
                "sqs" => match rng.below(2) {
                    0 => format!("arn:aws:sqs:eu-west-1:{ACCOUNT}:queue-{n}"),
                    _ => format!("arn:aws:sqs:eu-west-1:{ACCOUNT}:{user}"),
                },
                "lambda" => format!("arn:aws:lambda:eu-west-1:{ACCOUNT}:function:app-{n}"),
                _ => match rng.below(2) {
                    0 => format!("arn:aws:sns:eu-west-1:{ACCOUNT}:topic-{n}"),
                    _ => format!("arn:aws:sns:eu-west-1:{ACCOUNT}:{user}-alerts"),
                },
            };
            let keys = 3 + rng.below(8);
            let mut chosen: Vec<&'static str> = Vec::new();
            while chosen.len() < keys {
                let key = *rng.pick(&KEYS);
                if !chosen.contains(&key) {
                    chosen.push(key);
                }
            }
            let context = chosen
                .into_iter()
                .map(|k| (k, context_value(&mut rng, k, user)))
                .collect();
            RequestSpec {
                principal: format!("arn:aws:iam::{ACCOUNT}:user/{user}"),
                action,
                resource,
                context,
            }
        })
        .collect()
}
