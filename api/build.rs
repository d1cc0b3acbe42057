// The binary embeds migrations/ and, in release builds, web/dist (api/src/app): rebuild when
// either changes (web/dist: or, while it is not built, when it appears).
fn main() {
    // `sqlx::migrate!` embeds migrations/: a build script that names what it watches must name
    // them too, or a new migration is not embedded until something else changes.
    println!("cargo:rerun-if-changed=../migrations");
    let dist = std::path::Path::new("../web/dist");
    if dist.exists() {
        println!("cargo:rerun-if-changed=../web/dist");
    } else {
        println!("cargo:rerun-if-changed=../web");
    }
}
