#[runtime::test]
#[test]
async fn test_attribute_twice() {}

#[runtime::main]
struct NotAFunction;

fn main() {}
