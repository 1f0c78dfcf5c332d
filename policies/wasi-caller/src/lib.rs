//! A hostile test policy: it writes to stdout, i.e. calls WASI. The host links every
//! import it does not provide as a trap, so the evaluation fails with reason `trap` and
//! the policy never touches the machine.

use runready_policy::{Finding, PolicyError, Request, component_policy};

component_policy!(include_str!("../policy.yaml"), evaluate);

fn evaluate(req: &Request) -> Result<Vec<Finding>, PolicyError> {
    println!("policy {} trying to write to stdout", req.context.policy);
    Ok(Vec::new())
}
