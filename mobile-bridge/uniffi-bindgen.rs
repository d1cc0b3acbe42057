//! `uniffi-bindgen` pinned to the UniFFI version the library uses (scripts/bindings).
fn main() {
    uniffi::uniffi_bindgen_main()
}
