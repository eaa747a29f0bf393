#[runtime::test]
async fn takes_an_argument(n: u32) {
    let _ = n;
}

#[runtime::main]
async fn main(args: Vec<String>) {
    let _ = args;
}
