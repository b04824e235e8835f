//! Wildcard expansion ([`expand`]) and "did you mean" suggestions ([`closest_actions`],
//! [`closest_services`]).
use crate::{KnownAction, Service};

/// The actions an IAM action pattern matches: `*`, `service:*`, `service:Get*`,
/// `service:Get?bject`, compared ASCII case-insensitively as IAM does. The service part may
/// hold wildcards too. A pattern without `:` (other than `*`) matches nothing.
///
/// ```
/// use iam_catalog::{expand, actions::s3};
/// let gets: Vec<_> = expand("S3:GetObjectT*").collect();
/// assert!(gets.contains(&s3::GetObjectTagging));
/// assert!(gets.iter().all(|a| a.name().starts_with("GetObjectT")));
/// ```
pub fn expand(pattern: &str) -> Expand<'_> {
    let (service, action) = if pattern == "*" {
        ("*", "*")
    } else {
        pattern.split_once(':').unwrap_or(("", "\u{0}"))
    };
    let range = if has_wildcard(service) {
        0..u16::try_from(KnownAction::all().len()).unwrap_or(u16::MAX)
    } else {
        match Service::from_prefix(service) {
            Some(s) => {
                let mut actions = s.actions();
                let first = actions.next();
                let last = actions.last().or(first);
                match (first, last) {
                    (Some(f), Some(l)) => f.index()..l.index() + 1,
                    _ => 0..0,
                }
            }
            None => 0..0,
        }
    };
    Expand {
        range,
        service,
        action,
    }
}

/// The iterator [`expand`] returns.
#[derive(Debug, Clone)]
pub struct Expand<'a> {
    range: std::ops::Range<u16>,
    service: &'a str,
    action: &'a str,
}

impl Iterator for Expand<'_> {
    type Item = KnownAction;

    fn next(&mut self) -> Option<KnownAction> {
        for index in self.range.by_ref() {
            let action = KnownAction::from_index(index);
            if glob_matches(self.action, action.name())
                && (!has_wildcard(self.service)
                    || glob_matches(self.service, action.service().prefix()))
            {
                return Some(action);
            }
        }
        None
    }
}

fn has_wildcard(s: &str) -> bool {
    s.contains(['*', '?'])
}

/// IAM glob: `*` any run, `?` one character, ASCII case-insensitive.
pub(crate) fn glob_matches(pattern: &str, text: &str) -> bool {
    let p = pattern.as_bytes();
    let t = text.as_bytes();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some(b'*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(&c) if c == b'?' || t.get(ti).is_some_and(|tc| tc.eq_ignore_ascii_case(&c)) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p.get(pi..)
        .is_some_and(|rest| rest.iter().all(|&c| c == b'*'))
}

/// Optimal string alignment distance (Damerau–Levenshtein with adjacent transpositions),
/// ASCII case-insensitive.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<u8> = a.bytes().map(|c| c.to_ascii_lowercase()).collect();
    let b: Vec<u8> = b.bytes().map(|c| c.to_ascii_lowercase()).collect();
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    let at = |i: usize, j: usize| i * w + j;
    for (i, cell) in d.iter_mut().step_by(w).enumerate() {
        *cell = i;
    }
    for (j, cell) in d.iter_mut().take(w).enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let ca = a.get(i - 1).copied();
            let cb = b.get(j - 1).copied();
            let cost = usize::from(ca != cb);
            let get = |d: &[usize], i, j| d.get(at(i, j)).copied().unwrap_or(usize::MAX / 2);
            let mut best = (get(&d, i - 1, j) + 1)
                .min(get(&d, i, j - 1) + 1)
                .min(get(&d, i - 1, j - 1) + cost);
            if i > 1 && j > 1 && ca == b.get(j - 2).copied() && a.get(i - 2).copied() == cb {
                best = best.min(get(&d, i - 2, j - 2) + 1);
            }
            if let Some(cell) = d.get_mut(at(i, j)) {
                *cell = best;
            }
        }
    }
    d.last().copied().unwrap_or(0)
}

/// The largest distance still worth suggesting for a name of `len` characters.
fn max_distance(len: usize) -> usize {
    (len / 3).max(2)
}

/// Up to `n` services whose prefix is closest to `prefix` (case-insensitive edit distance,
/// adjacent transpositions count as one), nearest first, ties by prefix. Prefixes further
/// than a third of their length (at least 2) are not suggested.
///
/// ```
/// let names: Vec<_> = iam_catalog::closest_services("dyanmodb", 1).iter().map(|s| s.prefix()).collect();
/// assert_eq!(names, ["dynamodb"]);
/// ```
#[must_use]
pub fn closest_services(prefix: &str, n: usize) -> Vec<Service> {
    let limit = max_distance(prefix.len());
    let mut scored: Vec<(usize, Service)> = Service::all()
        .map(|s| (edit_distance(prefix, s.prefix()), s))
        .filter(|(d, _)| *d <= limit)
        .collect();
    scored.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.prefix().cmp(b.1.prefix())));
    scored.into_iter().take(n).map(|(_, s)| s).collect()
}

/// Up to `n` actions closest to a misspelled `service:Action`, nearest first (ties by full
/// name). When the prefix is unknown, the nearest service prefixes are tried
/// (`dyanmodb:PutItem` → `dynamodb:PutItem`); the distance is the sum of both parts and must
/// stay within a third of the name's length (at least 2). An exact match (any case) is the
/// only result.
///
/// ```
/// let names: Vec<_> = iam_catalog::closest_actions("s3:GetObjet", 1).iter().map(|a| a.full_name()).collect();
/// assert_eq!(names, ["s3:GetObject"]);
/// ```
#[must_use]
pub fn closest_actions(name: &str, n: usize) -> Vec<KnownAction> {
    if let Some(exact) = KnownAction::lookup(name) {
        return vec![exact].into_iter().take(n).collect();
    }
    let (prefix, action) = name.split_once(':').unwrap_or(("", name));
    let services: Vec<(usize, Service)> = match Service::from_prefix(prefix) {
        Some(s) => vec![(0, s)],
        None if prefix.is_empty() => Service::all().map(|s| (0, s)).collect(),
        None => closest_services(prefix, 3)
            .into_iter()
            .map(|s| (edit_distance(prefix, s.prefix()), s))
            .collect(),
    };
    let limit = max_distance(name.len());
    let mut scored: Vec<(usize, String, KnownAction)> = services
        .iter()
        .flat_map(|&(sd, s)| s.actions().map(move |a| (sd, a)))
        .map(|(sd, a)| (sd + edit_distance(action, a.name()), a))
        .filter(|(d, _)| *d <= limit)
        .map(|(d, a)| (d, a.full_name(), a))
        .collect();
    scored.sort();
    scored.into_iter().take(n).map(|(_, _, a)| a).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_is_case_insensitive_with_star_and_question_mark() {
        assert!(glob_matches("get*", "GetObject"));
        assert!(glob_matches("G?tObject", "getobject"));
        assert!(glob_matches("*Object*", "GetObjectTagging"));
        assert!(!glob_matches("Get", "GetObject"));
        assert!(glob_matches("*", ""));
    }

    #[test]
    fn edit_distance_counts_a_transposition_once() {
        assert_eq!(edit_distance("dyanmodb", "dynamodb"), 1);
        assert_eq!(edit_distance("GetObjet", "getobject"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
