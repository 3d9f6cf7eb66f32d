//! The safe crate driven the way a user drives it: build, serialize, reload, query, fail.
use std::sync::Arc;
use std::thread;

use cfp::{Attr, Axis, DType, Error, Graph, GraphBuilder, IterationSpace, OpKind, Options, Phase, Status, TensorRole};

/// x[batch,hidden] -> relu(x @ w1 + b1) @ w2: 5 ops, 10 tensors.
fn tiny_mlp(batch: i64, hidden: i64) -> cfp::Result<Graph> {
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
    b.set_tensor_value(zero, 0.0)?;

    let dot1 = b.add_op("dot1", OpKind::Dot, &[x, w1], &[h])?;
    b.set_op_ints(dot1, Attr::LhsContract, &[1])?;
    b.set_op_ints(dot1, Attr::RhsContract, &[0])?;
    let bc = b.add_op("bias.broadcast", OpKind::Broadcast, &[b1], &[bb])?;
    b.set_op_ints(bc, Attr::Dims, &[1])?;
    b.add_op("bias.add", OpKind::Add, &[h, bb], &[hb])?;
    b.add_op("relu", OpKind::Maximum, &[hb, zero], &[r])?;
    let dot2 = b.add_op("dot2", OpKind::Dot, &[r, w2], &[y])?;
    b.set_op_ints(dot2, Attr::LhsContract, &[1])?;
    b.set_op_ints(dot2, Attr::RhsContract, &[0])?;
    b.set_op_scope(dot1, "mlp.0")?;
    b.set_op_scope(dot2, "mlp.1")?;
    b.finish()
}

#[test]
fn version_matches_the_loaded_library() {
    let parts: Vec<u32> = cfp::version().split('.').map(|p| p.parse().unwrap()).collect();
    assert_eq!(parts.len(), 3, "{}", cfp::version());
    assert_eq!(cfp::version_number(), parts[0] * 10000 + parts[1] * 100 + parts[2]);
}

#[test]
fn builds_serializes_reloads_and_answers_queries() -> cfp::Result<()> {
    let data = tiny_mlp(8, 16)?.to_bytes()?;
    assert_eq!(&data[4..8], b"CFPG");
    let g = Graph::from_bytes(&data)?;
    assert_eq!(g.name()?, "tiny-mlp");
    assert_eq!(g.op_count()?, 5);
    assert_eq!(g.tensor_count()?, 10);
    assert_eq!(g.parameter_count()?, 16 * 16 + 16 + 16 * 16);
    assert_eq!(g.flops()?, 2.0 * (2.0 * 8.0 * 16.0 * 16.0) + 2.0 * 8.0 * 16.0);
    assert_eq!(g.op_name(4)?, "dot2");
    assert_eq!(g.op_scope(4)?, "mlp.1");
    assert_eq!(g.op_scope(2)?, "");
    assert_eq!(g.op_kind(1)?, OpKind::Broadcast);
    assert_eq!(g.op_kind(1)?.to_string(), "broadcast");
    assert_eq!(g.tensor_name(7)?, "zero");
    assert_eq!(g.tensor_dtype(0)?, DType::F32);
    assert_eq!(DType::BF16.name(), "bf16");
    assert_eq!(g.tensor_role(1)?, TensorRole::Parameter);
    assert_eq!(g.tensor_shape(1)?, vec![16, 16]);
    assert!(g.tensor_shape(7)?.is_empty());
    assert_eq!(g.to_bytes()?, data);
    Ok(())
}

#[test]
fn file_round_trip() -> cfp::Result<()> {
    let dir = std::env::temp_dir().join(format!("cfp-rust-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("mlp.cfpg");
    tiny_mlp(4, 8)?.to_file(&path)?;
    let g = Graph::from_file(&path)?;
    assert_eq!(g.op_count()?, 5);
    std::fs::remove_dir_all(&dir).unwrap();
    Ok(())
}

#[test]
fn invalid_graph_bytes_carry_status_and_message() {
    let err: Error = Graph::from_bytes(b"this is not a graph, just some bytes").unwrap_err();
    assert_eq!(err.status(), Status::InvalidGraph);
    assert_eq!(err.status().code(), 2);
    assert_eq!(err.status().name(), "CFP_ERR_INVALID_GRAPH");
    assert!(err.message().starts_with("cfp_graph_from_buffer: "), "{}", err.message());
    assert!(err.to_string().ends_with("[CFP_ERR_INVALID_GRAPH]"), "{}", err);

    let empty = Graph::from_bytes(&[]).unwrap_err();
    assert!(matches!(empty.status(), Status::InvalidGraph | Status::InvalidArgument), "{}", empty);
}

#[test]
fn missing_file_is_an_io_error() {
    let err = Graph::from_file("/nonexistent/dir/absent.cfpg").unwrap_err();
    assert_eq!(err.status(), Status::Io);
    assert!(err.message().contains("absent.cfpg"), "{}", err.message());
}

#[test]
fn out_of_range_ids_are_errors() -> cfp::Result<()> {
    let g = tiny_mlp(4, 8)?;
    let err = g.op_name(5).unwrap_err();
    assert_eq!(err.status(), Status::OutOfRange);
    assert!(err.message().contains("op 5 is out of range (graph has 5 ops)"), "{}", err.message());
    assert_eq!(g.tensor_shape(10).unwrap_err().status(), Status::OutOfRange);
    Ok(())
}

#[test]
fn training_graphs_link_gradients_updates_and_backward_ops() -> cfp::Result<()> {
    let g = cfp::model("mlp:layers=2,hidden=16,batch=4")?;
    let (mut gradients, mut updates) = (0, 0);
    for t in 0..g.tensor_count()? {
        if let Some(of) = g.tensor_gradient_of(t)? {
            gradients += 1;
            assert_eq!(g.tensor_shape(of)?, g.tensor_shape(t)?, "tensor {} is the gradient of {}", t, of);
        }
        if let Some(replaced) = g.tensor_updates(t)? {
            updates += 1;
            assert_eq!(g.tensor_producer(replaced)?, None, "tensor {} updates {}", t, replaced);
            assert_eq!(g.tensor_shape(replaced)?, g.tensor_shape(t)?);
        }
    }
    assert!(gradients > 0 && updates > 0, "{} gradients, {} updates", gradients, updates);
    let mut hinted = 0;
    for op in 0..g.op_count()? {
        if let Some(forward) = g.op_grad_of(op)? {
            hinted += 1;
            assert_eq!(g.op_phase(op)?, Phase::Backward);
            assert_eq!(g.op_phase(forward)?, Phase::Forward);
        }
    }
    assert!(hinted > 0);
    assert_eq!(g.tensor_gradient_of(g.tensor_count()?).unwrap_err().status(), Status::OutOfRange);
    // A forward graph has no links.
    let forward = tiny_mlp(4, 8)?;
    assert_eq!(forward.tensor_gradient_of(1)?, None);
    assert_eq!(forward.tensor_updates(1)?, None);
    assert_eq!(forward.op_grad_of(0)?, None);
    Ok(())
}

#[test]
fn iteration_space_of_a_matmul() -> cfp::Result<()> {
    let g = tiny_mlp(8, 16)?;
    // dot1: x[8,16] @ w1[16,16] is m k / k n / m n, with axes a = m, b = n, c = k.
    let s = g.op_iteration_space(0)?;
    let axis = |size, reduction| Axis { size, reduction, splittable: true };
    assert_eq!(
        s,
        IterationSpace {
            axes: vec![axis(8, false), axis(16, false), axis(16, true)],
            inputs: 2,
            operands: vec![vec![vec![0], vec![2]], vec![vec![2], vec![1]], vec![vec![0], vec![1]]],
        }
    );
    assert_eq!(s.to_string(), "ac,cb->ab");
    let mut options = Options::new()?;
    options.set_mesh(&[2])?;
    let described = cfp::describe_strategy(&g, &options, 0, 0)?;
    assert!(described.ends_with(&format!(" : {}", s)), "{}", described);
    // The bias broadcast: b1[16] is dim 1 of its output.
    let b = g.op_iteration_space(1)?;
    assert_eq!(b.operands[0][0], b.operands[1][1]);
    assert_eq!(g.op_iteration_space(5).unwrap_err().status(), Status::OutOfRange);
    Ok(())
}

#[test]
fn builder_errors_name_the_problem() -> cfp::Result<()> {
    let mut b = GraphBuilder::new("bad")?;
    let x = b.add_tensor("x", DType::F32, &[4, 8], TensorRole::DataInput)?;
    let y = b.add_tensor("y", DType::F32, &[4, 9], TensorRole::Activation)?;
    b.add_op("neg", OpKind::Neg, &[x], &[y])?;
    let err = b.finish().unwrap_err();
    assert_eq!(err.status(), Status::InvalidGraph);
    assert!(err.message().contains("neg"), "{}", err.message());

    let nul = b.add_tensor("nul\0name", DType::F32, &[], TensorRole::Constant).unwrap_err();
    assert_eq!(nul.status(), Status::InvalidArgument);
    Ok(())
}

#[test]
fn unicode_names_round_trip() -> cfp::Result<()> {
    let mut b = GraphBuilder::new("层.😀")?;
    let x = b.add_tensor("x€", DType::BF16, &[4], TensorRole::DataInput)?;
    let y = b.add_tensor("y𝔂", DType::BF16, &[4], TensorRole::Activation)?;
    let op = b.add_op("neg😀", OpKind::Neg, &[x], &[y])?;
    let g = b.finish()?;
    assert_eq!(g.name()?, "层.😀");
    assert_eq!(g.tensor_name(y)?, "y𝔂");
    assert_eq!(g.op_name(op)?, "neg😀");
    Ok(())
}

/// Graphs are Send + Sync: readers on several threads agree, and each thread sees its own
/// error message.
#[test]
fn graphs_are_shared_between_threads() -> cfp::Result<()> {
    let g = Arc::new(tiny_mlp(4, 8)?);
    let workers: Vec<_> = (0..8u32)
        .map(|t| {
            let g = Arc::clone(&g);
            thread::spawn(move || {
                for _ in 0..200 {
                    assert_eq!(g.op_count().unwrap(), 5);
                    let bad = 100 + t;
                    let err = g.op_name(bad).unwrap_err();
                    assert!(err.message().contains(&format!("op {} is out of range", bad)), "{}", err);
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    Ok(())
}

/// Builders are Send: one may be filled on another thread and finished back here.
#[test]
fn builders_move_between_threads() -> cfp::Result<()> {
    let mut b = GraphBuilder::new("moved")?;
    let x = b.add_tensor("x", DType::F32, &[2], TensorRole::DataInput)?;
    let b = thread::spawn(move || {
        let y = b.add_tensor("y", DType::F32, &[2], TensorRole::Activation).unwrap();
        b.add_op("exp", OpKind::Exp, &[x], &[y]).unwrap();
        b
    })
    .join()
    .unwrap();
    assert_eq!(b.finish()?.op_count()?, 1);
    Ok(())
}
