//! The strong ETag of a record version. A leaf, so that `error` (whose 412 answers carry the
//! current version's ETag) does not import the request plumbing that imports it.

/// The strong ETag for a record version: `"7"`.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}
