//! JSON shapes shared by the raw mirror and the model: a value that is one item or a list,
//! an object that keeps its key order, and JSON pointers.
use std::fmt;

use serde::de::value::MapAccessDeserializer;
use serde::de::{Deserialize, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};

pub mod span;

/// One item or a list of items, as AWS policy elements are written (`"Action": "s3:GetObject"`
/// or `"Action": ["s3:GetObject"]`). The form that was read is kept, so printing gives it back.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum OneOrMany<T> {
    /// A single item written without a list.
    One(T),
    /// A list, possibly with one item.
    Many(Vec<T>),
}

impl<T> OneOrMany<T> {
    /// The items, in the order written.
    pub fn as_slice(&self) -> &[T] {
        match self {
            Self::One(item) => std::slice::from_ref(item),
            Self::Many(items) => items,
        }
    }

    /// An iterator over the items with the JSON-pointer suffix of each: `""` for a single
    /// item, `"/0"`, `"/1"`, … for list items.
    pub fn iter_with_pointer(&self) -> impl Iterator<Item = (String, &T)> {
        let single = matches!(self, Self::One(_));
        self.as_slice().iter().enumerate().map(move |(i, item)| {
            let suffix = if single {
                String::new()
            } else {
                format!("/{i}")
            };
            (suffix, item)
        })
    }

    /// An iterator over the items.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.as_slice().iter()
    }

    /// How many items there are.
    pub fn len(&self) -> usize {
        self.as_slice().len()
    }

    /// Whether there are no items (only possible for an empty list).
    pub fn is_empty(&self) -> bool {
        self.as_slice().is_empty()
    }

    /// Whether the items were written as a list.
    pub fn is_list(&self) -> bool {
        matches!(self, Self::Many(_))
    }

    /// Convert every item, keeping the form.
    pub fn map<U>(self, mut f: impl FnMut(T) -> U) -> OneOrMany<U> {
        match self {
            Self::One(item) => OneOrMany::One(f(item)),
            Self::Many(items) => OneOrMany::Many(items.into_iter().map(f).collect()),
        }
    }

    /// Convert every item, keeping the form, stopping at the first error.
    pub fn try_map<U, E>(self, mut f: impl FnMut(T) -> Result<U, E>) -> Result<OneOrMany<U>, E> {
        Ok(match self {
            Self::One(item) => OneOrMany::One(f(item)?),
            Self::Many(items) => {
                OneOrMany::Many(items.into_iter().map(f).collect::<Result<_, _>>()?)
            }
        })
    }

    /// The canonical form: a one-item list becomes a single item; other lists stay lists.
    pub fn canonical(self) -> Self {
        match self {
            Self::Many(mut items) if items.len() == 1 => match items.pop() {
                Some(item) => Self::One(item),
                None => Self::Many(items),
            },
            other => other,
        }
    }

    /// The items as a vector.
    pub fn into_vec(self) -> Vec<T> {
        match self {
            Self::One(item) => vec![item],
            Self::Many(items) => items,
        }
    }
}

impl<T> From<Vec<T>> for OneOrMany<T> {
    fn from(items: Vec<T>) -> Self {
        Self::Many(items)
    }
}

impl<'a, T> IntoIterator for &'a OneOrMany<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<T: Serialize> Serialize for OneOrMany<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::One(item) => item.serialize(serializer),
            Self::Many(items) => items.serialize(serializer),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Decide on the shape from the first token and hand the same deserializer on, without
        // buffering: errors keep their line, column and path (`serde_path_to_error` sees every
        // list index and object key), and objects keep keys written twice for `OrderedMap`.
        deserializer.deserialize_any(OneOrManyVisitor(std::marker::PhantomData))
    }
}

struct OneOrManyVisitor<T>(std::marker::PhantomData<T>);

impl<T> OneOrManyVisitor<T> {
    fn one<'de, E: serde::de::Error>(
        deserializer: impl Deserializer<'de, Error = E>,
    ) -> Result<OneOrMany<T>, E>
    where
        T: Deserialize<'de>,
    {
        T::deserialize(deserializer).map(OneOrMany::One)
    }
}

impl<'de, T: Deserialize<'de>> Visitor<'de> for OneOrManyVisitor<T> {
    type Value = OneOrMany<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value or a list of values")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(OneOrMany::Many(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        Self::one(MapAccessDeserializer::new(map))
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Self::one(v.into_deserializer())
    }

    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Self::Value, E> {
        Self::one(v.into_deserializer())
    }

    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Self::one(v.into_deserializer())
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Self::one(v.into_deserializer())
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Self::one(v.into_deserializer())
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Self::one(v.into_deserializer())
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Self::one(().into_deserializer())
    }
}

/// A JSON object that keeps its keys in the order written and remembers keys written twice
/// (`serde_json` keeps only the last one, so a duplicate would otherwise vanish silently).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OrderedMap<K, V> {
    entries: Vec<(K, V)>,
    duplicates: Vec<K>,
}

impl<K, V> Default for OrderedMap<K, V> {
    fn default() -> Self {
        Self {
            entries: Vec::new(),
            duplicates: Vec::new(),
        }
    }
}

impl<K: PartialEq, V> OrderedMap<K, V> {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Insert a key, replacing the value of an equal key in place.
    pub fn insert(&mut self, key: K, value: V) {
        match self.entries.iter_mut().find(|(k, _)| *k == key) {
            Some(entry) => entry.1 = value,
            None => self.entries.push((key, value)),
        }
    }

    /// The value for a key.
    pub fn get(&self, key: &K) -> Option<&V> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The entries in the order written.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&K, &V)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    /// The entries, consumed.
    pub fn into_entries(self) -> Vec<(K, V)> {
        self.entries
    }

    /// Keys that appeared more than once in the input (the last value was kept).
    pub fn duplicates(&self) -> &[K] {
        &self.duplicates
    }

    /// How many entries there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl<K: PartialEq, V> FromIterator<(K, V)> for OrderedMap<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut map = Self::new();
        for (k, v) in iter {
            map.insert(k, v);
        }
        map
    }
}

impl<K: Serialize, V: Serialize> Serialize for OrderedMap<K, V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.entries.len()))?;
        for (k, v) in &self.entries {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de, K, V> Deserialize<'de> for OrderedMap<K, V>
where
    K: Deserialize<'de> + PartialEq + Clone,
    V: Deserialize<'de>,
{
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MapVisitor<K, V>(std::marker::PhantomData<(K, V)>);
        impl<'de, K, V> Visitor<'de> for MapVisitor<K, V>
        where
            K: Deserialize<'de> + PartialEq + Clone,
            V: Deserialize<'de>,
        {
            type Value = OrderedMap<K, V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
                let mut map = OrderedMap::new();
                while let Some((key, value)) = access.next_entry::<K, V>()? {
                    if map.get(&key).is_some() {
                        map.duplicates.push(key.clone());
                    }
                    map.insert(key, value);
                }
                Ok(map)
            }
        }
        deserializer.deserialize_map(MapVisitor(std::marker::PhantomData))
    }
}

/// Pretty JSON (two-space indent) with a trailing newline: the form of every JSON artifact.
pub fn to_pretty<T: Serialize + ?Sized>(value: &T) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

/// Compact JSON, with no white space outside strings.
pub fn to_compact<T: Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// Escape one JSON-pointer reference token (RFC 6901: `~` as `~0`, `/` as `~1`).
pub fn pointer_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_or_many_keeps_its_form() {
        let one: OneOrMany<String> = serde_json::from_str(r#""a""#).unwrap();
        let many: OneOrMany<String> = serde_json::from_str(r#"["a"]"#).unwrap();
        assert_eq!(serde_json::to_string(&one).unwrap(), r#""a""#);
        assert_eq!(serde_json::to_string(&many).unwrap(), r#"["a"]"#);
        assert_eq!(many.clone().canonical(), one);
        let pointers: Vec<String> = many.iter_with_pointer().map(|(p, _)| p).collect();
        assert_eq!(pointers, vec!["/0".to_string()]);
    }

    #[test]
    fn ordered_map_keeps_order_and_reports_duplicates() {
        let map: OrderedMap<String, u8> = serde_json::from_str(r#"{"b":1,"a":2,"b":3}"#).unwrap();
        let keys: Vec<&String> = map.iter().map(|(k, _)| k).collect();
        assert_eq!(keys, vec!["b", "a"]);
        assert_eq!(map.get(&"b".to_string()), Some(&3));
        assert_eq!(map.duplicates(), ["b".to_string()]);
        assert_eq!(serde_json::to_string(&map).unwrap(), r#"{"b":3,"a":2}"#);
    }

    #[test]
    fn one_or_many_keeps_object_key_order_and_duplicates() {
        let v: OneOrMany<OrderedMap<String, OrderedMap<String, u8>>> =
            serde_json::from_str(r#"[{"x":{"z":1,"a":2,"z":3}}]"#).unwrap();
        let inner = v.as_slice()[0].get(&"x".to_string()).unwrap();
        let keys: Vec<&String> = inner.iter().map(|(k, _)| k).collect();
        assert_eq!(keys, vec!["z", "a"]);
        assert_eq!(inner.duplicates(), ["z".to_string()]);
    }

    #[test]
    fn one_or_many_errors_name_the_list_index() {
        let mut de = serde_json::Deserializer::from_str(r#"{"a":["x",5]}"#);
        let err = serde_path_to_error::deserialize::<
            _,
            std::collections::BTreeMap<String, OneOrMany<String>>,
        >(&mut de)
        .unwrap_err();
        assert_eq!(err.path().to_string(), "a[1]");
    }

    #[test]
    fn one_or_many_keeps_duplicate_keys_and_error_positions() {
        // A single object inside `OneOrMany` is read without buffering, so `OrderedMap` still
        // sees the key written twice.
        let one: OneOrMany<OrderedMap<String, u8>> =
            serde_json::from_str(r#"{"a":1,"a":2}"#).unwrap();
        let OneOrMany::One(map) = one else {
            panic!("one map")
        };
        assert_eq!(map.duplicates(), ["a".to_string()]);
        // A value of the wrong type is reported where it is, not at the end of the list.
        let err = serde_json::from_str::<OneOrMany<String>>("[\n\"a\",\n 5]").unwrap_err();
        assert_eq!(
            (err.to_string(), err.line(), err.column()),
            (
                "invalid type: integer `5`, expected a string at line 3 column 2".to_string(),
                3,
                2
            )
        );
        let null = serde_json::from_str::<OneOrMany<String>>("null").unwrap_err();
        assert_eq!(
            null.to_string(),
            "invalid type: null, expected a string at line 1 column 4"
        );
    }

    #[test]
    fn pointer_tokens_are_escaped() {
        assert_eq!(pointer_token("aws:RequestTag/a~b"), "aws:RequestTag~1a~0b");
    }
}
