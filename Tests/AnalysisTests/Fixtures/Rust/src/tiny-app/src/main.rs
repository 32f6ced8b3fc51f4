fn main() {
    println!("{}", tiny_helper::greeting());
}
