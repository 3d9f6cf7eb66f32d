//! A small GPT optimized once on a 2x2 mesh, then the plan examined from every side.
use std::sync::Mutex;
use std::thread;
use std::time::Duration;

use cfp::{Attr, DType, Graph, GraphBuilder, OpKind, Options, Plan, Stat, Status, TensorRole};

const GPT: &str = "gpt:layers=2,hidden=256,heads=4,seq=128,batch=8,vocab=1000";
/// Optimizes in milliseconds: for the checks that need a search but not a GPT.
const MLP: &str = "mlp:layers=2,hidden=256,batch=8";

/// Options are `Send` but not `Sync`, so each test makes its own; graph and plan are shared.
fn mesh_2x2() -> Options {
    let mut options = Options::new().unwrap();
    options.set_mesh(&[2, 2]).unwrap().set_threads(2).unwrap();
    options
}

fn optimized_gpt() -> &'static (Graph, Plan) {
    // OnceLock would say this more directly, but it needs Rust 1.70 and Debian ships 1.63.
    static GPT_PLAN: Mutex<Option<&'static (Graph, Plan)>> = Mutex::new(None);
    let mut slot = GPT_PLAN.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    slot.get_or_insert_with(|| {
        let graph = cfp::model(GPT).unwrap();
        let plan = cfp::optimize(&graph, &mesh_2x2()).unwrap();
        Box::leak(Box::new((graph, plan)))
    })
}

fn assert_close(what: &str, expected: f64, actual: f64) {
    assert!((expected - actual).abs() <= 1e-9 * expected.abs().max(1e-12), "{}: {} != {}", what, actual, expected);
}

#[test]
fn step_time_is_compute_plus_communication() -> cfp::Result<()> {
    let (_, plan) = optimized_gpt();
    assert!(plan.compute_time()? > 0.0 && plan.comm_time()? > 0.0);
    assert_close("step time", plan.compute_time()? + plan.comm_time()?, plan.step_time()?);
    assert!(plan.peak_memory()? > 0);
    Ok(())
}

#[test]
fn collectives_add_up_to_the_communication_time() -> cfp::Result<()> {
    let (graph, plan) = optimized_gpt();
    let all = plan.collectives()?;
    assert_eq!(all.len(), plan.collective_count()? as usize);
    assert!(!all.is_empty());
    for c in &all {
        assert!(c.tensor < graph.tensor_count()?, "{:?}", c);
        assert!(c.mesh_axes != 0 && c.mesh_axes & !0b11 == 0, "{:?}", c);
        assert!(c.bytes > 0, "{:?}", c);
        assert!(c.before_op.map_or(true, |op| op < graph.op_count().unwrap()), "{:?}", c);
    }
    assert_close("sum of collective times", plan.comm_time()?, all.iter().map(|c| c.time).sum());
    assert_eq!(plan.collective(0)?, all[0]);
    assert_eq!(plan.collective(all.len() as u32).unwrap_err().status(), Status::OutOfRange);
    Ok(())
}

#[test]
fn evaluating_the_plans_own_strategies_reproduces_it() -> cfp::Result<()> {
    let (graph, plan) = optimized_gpt();
    let choice = plan.op_strategies(graph.op_count()?)?;
    let again = cfp::evaluate(graph, &mesh_2x2(), &choice)?;
    assert_close("step time", plan.step_time()?, again.step_time()?);
    assert_close("compute time", plan.compute_time()?, again.compute_time()?);
    assert_eq!(plan.peak_memory()?, again.peak_memory()?);
    assert_eq!(plan.collectives()?, again.collectives()?);
    assert_eq!(again.op_strategies(graph.op_count()?)?, choice);
    assert_eq!(again.op_block(0)?, None);
    Ok(())
}

#[test]
fn every_op_has_a_strategy_from_its_own_list_and_a_block() -> cfp::Result<()> {
    let (graph, plan) = optimized_gpt();
    let options = mesh_2x2();
    let blocks = plan.block_count()?;
    assert!(blocks > 0);
    assert_eq!(plan.stat(Stat::Blocks)?, blocks as f64);
    assert_eq!(plan.stat(Stat::Ops)?, graph.op_count()? as f64);
    assert_eq!(plan.stat(Stat::Segments)?, plan.segment_count()? as f64);
    assert!(plan.unique_segment_count()? <= plan.segment_count()?);
    for op in 0..graph.op_count()? {
        assert!(plan.op_strategy(op)? < cfp::strategy_count(graph, &options, op)?, "op {}", op);
        assert!(matches!(plan.op_block(op)?, Some(b) if b < blocks), "op {}", op);
    }
    for tensor in 0..graph.tensor_count()? {
        assert!(plan.tensor_sharding(tensor)?.starts_with('['), "tensor {}", tensor);
    }
    assert_eq!(plan.op_strategy(graph.op_count()?).unwrap_err().status(), Status::OutOfRange);
    assert_eq!(plan.tensor_sharding(graph.tensor_count()?).unwrap_err().status(), Status::OutOfRange);
    Ok(())
}

#[test]
fn strategies_are_described_in_words() -> cfp::Result<()> {
    let (graph, plan) = optimized_gpt();
    let options = mesh_2x2();
    let dot = (0..graph.op_count()?).find(|&op| graph.op_kind(op).unwrap() == OpKind::Dot).unwrap();
    let count = cfp::strategy_count(graph, &options, dot)?;
    assert!(count > 1);
    assert!(!cfp::describe_strategy(graph, &options, dot, plan.op_strategy(dot)?)?.is_empty());
    assert_ne!(cfp::describe_strategy(graph, &options, dot, 0)?, cfp::describe_strategy(graph, &options, dot, 1)?);
    let e = cfp::describe_strategy(graph, &options, dot, count).unwrap_err();
    assert_eq!(e.status(), Status::OutOfRange);
    assert!(e.message().contains("out of range"), "{}", e);
    Ok(())
}

#[test]
fn plan_round_trips_through_bytes() -> cfp::Result<()> {
    let (graph, plan) = optimized_gpt();
    let bytes = plan.to_bytes()?;
    let loaded = Plan::from_bytes(&bytes)?;
    assert_eq!(loaded.step_time()?, plan.step_time()?);
    assert_eq!(loaded.objective()?, plan.objective()?);
    assert_eq!(loaded.compute_time()?, plan.compute_time()?);
    assert_eq!(loaded.peak_memory()?, plan.peak_memory()?);
    assert_eq!(loaded.is_optimal()?, plan.is_optimal()?);
    assert_eq!(loaded.collectives()?, plan.collectives()?);
    assert_eq!(loaded.op_strategies(graph.op_count()?)?, plan.op_strategies(graph.op_count()?)?);
    for tensor in 0..graph.tensor_count()? {
        assert_eq!(loaded.tensor_sharding(tensor)?, plan.tensor_sharding(tensor)?);
    }
    assert_eq!(loaded.to_bytes()?, bytes);
    Ok(())
}

#[test]
fn json_names_the_graph() -> cfp::Result<()> {
    let (graph, plan) = optimized_gpt();
    let name = graph.name()?;
    let json = plan.to_json()?;
    assert!(!name.is_empty());
    assert!(json.starts_with('{'));
    assert!(json.contains(&format!("\"{}\"", name)), "{:.200}", json);
    Ok(())
}

#[test]
fn garbage_is_not_a_plan() {
    let e = Plan::from_bytes(&[1, 2, 3, 4, 5, 6, 7, 8]).unwrap_err();
    assert_eq!(e.status(), Status::InvalidData);
    assert!(e.message().starts_with("cfp_plan_from_buffer: "), "{}", e);
}

#[test]
fn an_infeasible_budget_says_what_the_smallest_plan_needs() -> cfp::Result<()> {
    let mlp = cfp::model(MLP)?;
    let mut options = Options::new()?;
    options.set_mesh(&[2, 2])?.set_memory_budget(1)?;
    let e = cfp::optimize(&mlp, &options).unwrap_err();
    assert_eq!(e.status(), Status::Infeasible);
    assert!(e.best_so_far().is_none());
    assert!(e.message().starts_with("cfp_optimize: no plan fits the memory budget"), "{}", e);
    let needs: u64 = e
        .message()
        .split("smallest plan needs ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{} does not say what the smallest plan needs", e));
    let smallest = cfp::min_memory(&mlp, &options)?;
    assert_eq!(smallest, needs);

    // At exactly that budget a plan exists, and it fits.
    options.set_memory_budget(smallest)?;
    let fits = cfp::optimize(&mlp, &options)?;
    assert!(fits.peak_memory()? <= smallest);

    // `?` turns the optimizer's error into the crate's.
    let as_error: cfp::Error = e.into();
    assert_eq!(as_error.status(), Status::Infeasible);
    Ok(())
}

/// Layers of dots on a [256,256] activation, each layer's dot reading the sum of every
/// earlier layer's output: its blocks and costs take milliseconds, but its exact search on a
/// 2x2 mesh runs for minutes.
fn densely_connected(layers: usize) -> cfp::Result<Graph> {
    let mut b = GraphBuilder::new("densely-connected")?;
    let (rows, width) = (256, 256);
    let act = [rows, width];
    let mut outs = vec![b.add_tensor("x", DType::F32, &act, TensorRole::DataInput)?];
    for l in 0..layers {
        // Latest first, so every add follows the previous layer's dot and reads the others.
        let mut sum = *outs.last().unwrap();
        for j in (0..outs.len() - 1).rev() {
            let next = b.add_tensor(&format!("layer{l}.sum{j}"), DType::F32, &act, TensorRole::Activation)?;
            b.add_op(&format!("layer{l}.add{j}"), OpKind::Add, &[sum, outs[j]], &[next])?;
            sum = next;
        }
        let w = b.add_tensor(&format!("layer{l}.w"), DType::F32, &[width, width], TensorRole::Parameter)?;
        let h = b.add_tensor(&format!("layer{l}.h"), DType::F32, &act, TensorRole::Activation)?;
        let dot = b.add_op(&format!("layer{l}.dot"), OpKind::Dot, &[sum, w], &[h])?;
        b.set_op_ints(dot, Attr::LhsContract, &[1])?;
        b.set_op_ints(dot, Attr::RhsContract, &[0])?;
        outs.push(h);
    }
    b.finish()
}

#[test]
fn hitting_the_time_limit_is_an_error() -> cfp::Result<()> {
    // A nanosecond passes before the search starts, so there is no plan yet.
    let (graph, _) = optimized_gpt();
    let mut hurried = mesh_2x2();
    hurried.set_time_limit(Duration::from_nanos(1))?;
    let e = cfp::optimize(graph, &hurried).unwrap_err();
    assert_eq!(e.status(), Status::TimeLimit);
    assert!(e.message().contains("time limit"), "{}", e);
    assert!(e.best_so_far().is_none(), "a time limit that passes before the search has no plan to return");

    // The exact search of this graph on a 2x2 mesh runs for minutes.
    let dense = densely_connected(10)?;
    let mut limited = Options::new()?;
    limited.set_mesh(&[2, 2])?.set_threads(1)?.set_time_limit(Duration::from_millis(500))?;
    let e = cfp::optimize(&dense, &limited).unwrap_err();
    assert_eq!(e.status(), Status::TimeLimit);
    assert!(e.message().contains("passed during search"), "{}", e);
    let best = e.into_best_so_far().expect("a search stopped by its time limit returns the best plan found");
    assert!(best.step_time()? > 0.0);
    assert!(!best.is_optimal()?);
    Ok(())
}

#[test]
fn cost_settings_change_the_price() -> cfp::Result<()> {
    let mlp = cfp::model(MLP)?;
    let mut options = mesh_2x2();
    let zeros = vec![0; mlp.op_count()? as usize];
    let compute = cfp::evaluate(&mlp, &options, &zeros)?.compute_time()?;
    assert!(compute > 0.0);
    options.set_compute_scale(2.0)?;
    assert_close("doubled compute", 2.0 * compute, cfp::evaluate(&mlp, &options, &zeros)?.compute_time()?);
    // Two micro-batches: forward and backward twice, the update once.
    options.set_compute_scale(1.0)?.set_microbatches(2)?;
    let twice = cfp::evaluate(&mlp, &options, &zeros)?.compute_time()?;
    assert!(twice > compute && twice < 2.0 * compute, "{twice} vs {compute}");
    assert_eq!(options.set_microbatches(0).unwrap_err().status(), Status::InvalidArgument);
    options.set_microbatches(1)?.set_compute_scale(2.0)?;
    options.use_alpa_test_convention()?;
    let alpa = cfp::evaluate(&mlp, &options, &zeros)?;
    assert_eq!(alpa.compute_time()?, 0.0);
    assert_close("step time under Alpa's convention", alpa.comm_time()?, alpa.step_time()?);
    Ok(())
}

#[test]
fn the_objective_adds_the_replicated_parameter_penalty() -> cfp::Result<()> {
    let (_, plan) = optimized_gpt();
    assert_eq!(plan.objective()?, plan.step_time()?); // no penalty set
    let mlp = cfp::model(MLP)?;
    let mut options = mesh_2x2();
    options.set_replicated_parameter_penalty(1e-9)?;
    let replicated = cfp::evaluate(&mlp, &options, &vec![0; mlp.op_count()? as usize])?;
    assert!(replicated.objective()? > replicated.step_time()?);
    assert_eq!(Plan::from_bytes(&replicated.to_bytes()?)?.objective()?, replicated.objective()?);
    Ok(())
}

#[test]
fn evaluate_checks_its_choices() -> cfp::Result<()> {
    let mlp = cfp::model(MLP)?;
    let options = mesh_2x2();
    let e = cfp::evaluate(&mlp, &options, &[0]).unwrap_err();
    assert_eq!(e.status(), Status::InvalidArgument);
    assert!(e.message().contains("one choice per op"), "{}", e);
    let mut choice = vec![0; mlp.op_count()? as usize];
    choice[0] = cfp::strategy_count(&mlp, &options, 0)?;
    assert_eq!(cfp::evaluate(&mlp, &options, &choice).unwrap_err().status(), Status::OutOfRange);
    Ok(())
}

#[test]
fn invalid_meshes_are_invalid_arguments() -> cfp::Result<()> {
    let mut options = Options::new()?;
    let e = options.set_mesh(&[2, 0]).unwrap_err();
    assert_eq!(e.status(), Status::InvalidArgument);
    assert!(e.message().starts_with("cfp_options_set_mesh: "), "{}", e);
    assert_eq!(options.set_mesh(&[]).unwrap_err().status(), Status::InvalidArgument);
    assert_eq!(options.set_mesh(&[2, 2, 2, 2]).unwrap_err().status(), Status::InvalidArgument);
    assert_eq!(options.set_axis_link(1, 1e9, 0.0).unwrap_err().status(), Status::OutOfRange);
    assert_eq!(options.set_axis_link(0, -1.0, 0.0).unwrap_err().status(), Status::InvalidArgument);
    assert_eq!(options.set_device("tpu-v9").unwrap_err().status(), Status::InvalidArgument);
    assert_eq!(options.set_device("h100\0").unwrap_err().status(), Status::InvalidArgument);
    // The options are unchanged by the failures and still usable.
    options.set_mesh(&[4])?.set_axis_link(0, 1e11, 1e-6)?.set_device("a100-80gb")?;
    Ok(())
}

#[test]
fn threads_share_graph_and_plan_and_move_options() -> cfp::Result<()> {
    fn send_and_sync<T: Send + Sync>() {}
    fn send<T: Send>() {}
    send_and_sync::<Plan>();
    send::<Options>();

    let (graph, plan) = optimized_gpt();
    let choice = plan.op_strategies(graph.op_count()?)?;
    let expected = plan.step_time()?;
    thread::scope(|s| {
        let workers: Vec<_> = (0..4)
            .map(|_| {
                let options = mesh_2x2();
                let choice = &choice;
                s.spawn(move || cfp::evaluate(graph, &options, choice).and_then(|p| p.step_time()))
            })
            .collect();
        for w in workers {
            assert_eq!(w.join().unwrap().unwrap(), expected);
        }
    });
    Ok(())
}
