//! Safety plans: one per person, every save a new version, old versions kept and readable,
//! saves guarded by `If-Match`. The content is sealed at rest as one value per version (see
//! `encryption`); every read, export and save is audited. Exports (plain text and printable
//! HTML) carry no agency branding so they can be handed over discreetly.

mod export;
mod routes;
pub(crate) mod store;
mod validate;

pub use routes::router;
