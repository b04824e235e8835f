//! Compact records behind the public handles, and access to the text blobs.
//!
//! Every text is an id into a blob (`STRINGS`, `DESCRIPTIONS`, `DOCUMENTS`) with an offset
//! table; identical names are stored once. Lists are `start`/`len` ranges into flat `u16`
//! index arrays.
pub(crate) use crate::condition_key::ConditionKeyType;
use crate::generated::data;

/// A service prefix and its ranges of actions, resource types and condition keys.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ServiceRec {
    pub(crate) prefix: u32,
    pub(crate) name: u32,
    pub(crate) actions_start: u16,
    pub(crate) actions_len: u16,
    pub(crate) resource_types_start: u16,
    pub(crate) resource_types_len: u16,
    pub(crate) condition_keys_start: u16,
    pub(crate) condition_keys_len: u16,
}

impl ServiceRec {
    #[expect(
        clippy::too_many_arguments,
        reason = "one argument per field of a generated record"
    )]
    pub(crate) const fn new(
        prefix: u32,
        name: u32,
        actions_start: u16,
        actions_len: u16,
        resource_types_start: u16,
        resource_types_len: u16,
        condition_keys_start: u16,
        condition_keys_len: u16,
    ) -> Self {
        Self {
            prefix,
            name,
            actions_start,
            actions_len,
            resource_types_start,
            resource_types_len,
            condition_keys_start,
            condition_keys_len,
        }
    }
}

/// An action: name, access level, and ranges into the flat index arrays.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ActionRec {
    pub(crate) service: u16,
    pub(crate) name: u32,
    pub(crate) level: u8,
    pub(crate) levels: u8,
    /// Bit 0: deprecated. Bit 1: access level inferred from the verb.
    pub(crate) bits: u8,
    pub(crate) resource_types_len: u8,
    pub(crate) resource_types_start: u16,
    pub(crate) condition_keys_start: u32,
    pub(crate) condition_keys_len: u8,
    pub(crate) dependencies_len: u8,
    pub(crate) dependencies_start: u16,
    pub(crate) description: u32,
}

impl ActionRec {
    #[expect(
        clippy::too_many_arguments,
        reason = "one argument per field of a generated record"
    )]
    pub(crate) const fn new(
        service: u16,
        name: u32,
        level: u8,
        levels: u8,
        bits: u8,
        resource_types_start: u16,
        resource_types_len: u8,
        condition_keys_start: u32,
        condition_keys_len: u8,
        dependencies_start: u16,
        dependencies_len: u8,
        description: u32,
    ) -> Self {
        Self {
            service,
            name,
            level,
            levels,
            bits,
            resource_types_len,
            resource_types_start,
            condition_keys_start,
            condition_keys_len,
            dependencies_len,
            dependencies_start,
            description,
        }
    }
}

/// A resource type: service, name, ARN pattern and its condition keys.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ResourceTypeRec {
    pub(crate) service: u16,
    pub(crate) name: u32,
    pub(crate) arn: u32,
    pub(crate) condition_keys_start: u16,
    pub(crate) condition_keys_len: u16,
}

impl ResourceTypeRec {
    pub(crate) const fn new(
        service: u16,
        name: u32,
        arn: u32,
        condition_keys_start: u16,
        condition_keys_len: u16,
    ) -> Self {
        Self {
            service,
            name,
            arn,
            condition_keys_start,
            condition_keys_len,
        }
    }
}

/// A condition key: name, value type, and whether it is a global `aws:` key.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CondRec {
    pub(crate) name: u32,
    pub(crate) value_type: ConditionKeyType,
    pub(crate) global: bool,
}

impl CondRec {
    pub(crate) const fn new(name: u32, value_type: ConditionKeyType, global: bool) -> Self {
        Self {
            name,
            value_type,
            global,
        }
    }
}

/// An AWS managed policy.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PolicyRec {
    pub(crate) name: u32,
    pub(crate) arn: u32,
    pub(crate) path: u32,
    pub(crate) version_id: u32,
    /// 0: not deprecated, 1: deprecated, 2: unknown.
    pub(crate) deprecated: u8,
    pub(crate) document: u32,
    pub(crate) update_date: u32,
}

impl PolicyRec {
    pub(crate) const fn new(
        name: u32,
        arn: u32,
        path: u32,
        version_id: u32,
        deprecated: u8,
        document: u32,
        update_date: u32,
    ) -> Self {
        Self {
            name,
            arn,
            path,
            version_id,
            deprecated,
            document,
            update_date,
        }
    }
}

fn blob_text(blob: &'static str, offsets: &'static [u32], id: u32) -> &'static str {
    let id = id as usize;
    match (offsets.get(id), offsets.get(id + 1)) {
        (Some(&start), Some(&end)) => blob.get(start as usize..end as usize).unwrap_or(""),
        _ => "",
    }
}

/// A name, ARN pattern or key from the strings blob.
pub(crate) fn text(id: u32) -> &'static str {
    blob_text(data::STRINGS, &data::STRING_OFFSETS, id)
}

/// The same as [`text`], usable in const context (returns bytes).
pub(crate) const fn text_bytes(id: u32) -> &'static [u8] {
    let offsets: &[u32] = &data::STRING_OFFSETS;
    let (Some(start), Some(end)) = (
        nth_u32(offsets, id as usize),
        nth_u32(offsets, id as usize + 1),
    ) else {
        return &[];
    };
    let bytes = data::STRINGS.as_bytes();
    let Some((_, rest)) = bytes.split_at_checked(start as usize) else {
        return &[];
    };
    match rest.split_at_checked((end - start) as usize) {
        Some((s, _)) => s,
        None => &[],
    }
}

/// The `n`th element of a slice in const context.
pub(crate) const fn nth_u32(slice: &[u32], n: usize) -> Option<u32> {
    match slice.split_at_checked(n) {
        Some((_, [first, ..])) => Some(*first),
        _ => None,
    }
}

/// The `n`th element of a slice in const context.
pub(crate) const fn nth_u16(slice: &[u16], n: usize) -> Option<u16> {
    match slice.split_at_checked(n) {
        Some((_, [first, ..])) => Some(*first),
        _ => None,
    }
}

/// An action description (empty when the `descriptions` feature is off).
pub(crate) fn description(id: u32) -> &'static str {
    blob_text(data::DESCRIPTIONS, &data::DESCRIPTION_OFFSETS, id)
}

/// A managed policy document.
pub(crate) fn document(id: u32) -> &'static str {
    blob_text(data::DOCUMENTS, &data::DOCUMENT_OFFSETS, id)
}

/// Indices from a flat `u16` array.
pub(crate) fn range(slice: &'static [u16], start: usize, len: usize) -> &'static [u16] {
    slice.get(start..start + len).unwrap_or(&[])
}
