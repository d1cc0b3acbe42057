// Release builds embed web/dist (api/src/app): rebuild when the built web app changes, or,
// while it is not built, when it appears.
fn main() {
    let dist = std::path::Path::new("../web/dist");
    if dist.exists() {
        println!("cargo:rerun-if-changed=../web/dist");
    } else {
        println!("cargo:rerun-if-changed=../web");
    }
}
