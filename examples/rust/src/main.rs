//! Builds a two-layer MLP with the libcfp graph builder, serializes it and reloads it, then
//! loads each .cfpg file named on the command line and prints its operators by kind.
//!
//!     cargo run -- [--save mlp.cfpg] [graph.cfpg ...]
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

use cfp::{Attr, DType, Graph, GraphBuilder, OpKind, TensorRole};

fn main() -> ExitCode {
    let mut save = None;
    let mut inputs = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--save" {
            save = args.next().map(PathBuf::from);
        } else {
            inputs.push(PathBuf::from(arg));
        }
    }
    match run(save, &inputs) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", e);
            ExitCode::FAILURE
        }
    }
}

fn run(save: Option<PathBuf>, inputs: &[PathBuf]) -> cfp::Result<()> {
    println!("libcfp {}", cfp::version());
    let graph = build_mlp(32, 256)?;
    let data = graph.to_bytes()?;
    summarize("built", &Graph::from_bytes(&data)?)?;
    println!("  serialized: {} bytes", data.len());
    if let Some(path) = save {
        graph.to_file(&path)?;
        println!("  saved to {}", path.display());
    }
    for path in inputs {
        summarize(&format!("loaded {}", path.display()), &Graph::from_file(path)?)?;
    }
    Ok(())
}

/// x[batch,hidden] -> relu(x @ w1 + b1) @ w2.
fn build_mlp(batch: i64, hidden: i64) -> cfp::Result<Graph> {
    let mut b = GraphBuilder::new("tiny-mlp")?;
    let act = [batch, hidden];
    let x = b.add_tensor("x", DType::F32, &act, TensorRole::DataInput)?;
    let w1 = b.add_tensor("w1", DType::F32, &[hidden, hidden], TensorRole::Parameter)?;
    let b1 = b.add_tensor("b1", DType::F32, &[hidden], TensorRole::Parameter)?;
    let w2 = b.add_tensor("w2", DType::F32, &[hidden, hidden], TensorRole::Parameter)?;
    let h = b.add_tensor("h", DType::F32, &act, TensorRole::Activation)?;
    let bb = b.add_tensor("b1.bcast", DType::F32, &act, TensorRole::Activation)?;
    let hb = b.add_tensor("h.bias", DType::F32, &act, TensorRole::Activation)?;
    let zero = b.add_tensor("zero", DType::F32, &[], TensorRole::Constant)?;
    let r = b.add_tensor("relu", DType::F32, &act, TensorRole::Activation)?;
    let y = b.add_tensor("y", DType::F32, &act, TensorRole::Activation)?;

    let dense1 = b.add_op("dense1", OpKind::Dot, &[x, w1], &[h])?;
    b.set_op_ints(dense1, Attr::LhsContract, &[1])?;
    b.set_op_ints(dense1, Attr::RhsContract, &[0])?;
    b.set_op_scope(dense1, "mlp.0")?;
    let bc = b.add_op("bias.broadcast", OpKind::Broadcast, &[b1], &[bb])?;
    b.set_op_ints(bc, Attr::Dims, &[1])?;
    b.add_op("bias.add", OpKind::Add, &[h, bb], &[hb])?;
    b.add_op("relu", OpKind::Maximum, &[hb, zero], &[r])?;
    let dense2 = b.add_op("dense2", OpKind::Dot, &[r, w2], &[y])?;
    b.set_op_ints(dense2, Attr::LhsContract, &[1])?;
    b.set_op_ints(dense2, Attr::RhsContract, &[0])?;
    b.set_op_scope(dense2, "mlp.1")?;
    b.finish()
}

/// Prints the graph's size and its operators by kind.
fn summarize(label: &str, g: &Graph) -> cfp::Result<()> {
    println!(
        "{}: {}, {} ops, {} tensors, {} parameters, {:.0} FLOPs",
        label,
        g.name()?,
        g.op_count()?,
        g.tensor_count()?,
        g.parameter_count()?,
        g.flops()?
    );
    let mut by_kind = BTreeMap::new();
    for op in 0..g.op_count()? {
        *by_kind.entry(g.op_kind(op)?.name()).or_insert(0) += 1;
    }
    for (kind, n) in by_kind {
        println!("  {:<10} {}", kind, n);
    }
    Ok(())
}
