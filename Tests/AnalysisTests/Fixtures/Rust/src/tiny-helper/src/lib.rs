pub fn greeting() -> &'static str {
    "hello from tiny-helper"
}
