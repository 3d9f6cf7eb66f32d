//! The model zoo, the training transform and the graph queries that walk edges.
use cfp::{Phase, Status, TensorRole};
use std::collections::BTreeSet;

#[test]
fn presets_include_the_gpt_and_llama_families() -> cfp::Result<()> {
    let presets = cfp::model_presets()?;
    assert!(presets.contains(&"gpt3-175b"), "{:?}", presets);
    assert!(presets.iter().any(|p| p.starts_with("llama")), "{:?}", presets);
    Ok(())
}

#[test]
fn a_bad_spec_names_the_problem() {
    let e = cfp::model("gpt:layers=2,colour=blue").unwrap_err();
    assert_eq!(e.status(), Status::InvalidArgument);
    assert!(e.message().contains("colour"), "{}", e);
    assert_eq!(cfp::model("no-such-preset").unwrap_err().status(), Status::InvalidArgument);
    assert_eq!(cfp::model("gpt\0").unwrap_err().status(), Status::InvalidArgument);
}

fn phases(g: &cfp::Graph) -> cfp::Result<BTreeSet<u32>> {
    (0..g.op_count()?).map(|op| Ok(g.op_phase(op)?.code())).collect()
}

#[test]
fn the_training_transform_adds_backward_and_update_phases() -> cfp::Result<()> {
    let forward = cfp::model("mlp:layers=2,hidden=64,batch=4,optimizer=none")?;
    let training = forward.make_training("sgd")?;
    assert_eq!(phases(&forward)?, [Phase::Forward.code()].into());
    assert_eq!(phases(&training)?, [Phase::Forward, Phase::Backward, Phase::Update].map(Phase::code).into());
    assert!(training.op_count()? > forward.op_count()?);
    assert_eq!(training.parameter_count()?, forward.parameter_count()?);
    let e = forward.make_training("lion").unwrap_err();
    assert_eq!(e.status(), Status::InvalidArgument);
    assert!(e.message().contains("lion"), "{}", e);
    Ok(())
}

#[test]
fn operands_and_producers_describe_the_same_edges() -> cfp::Result<()> {
    let g = cfp::model("gpt:layers=1,hidden=64,heads=2,seq=16,batch=2,vocab=50")?;
    let mut produced_by = vec![None; g.tensor_count()? as usize];
    for op in 0..g.op_count()? {
        for t in g.op_outputs(op)? {
            produced_by[t as usize] = Some(op);
        }
        assert!(g.op_inputs(op)?.iter().all(|&t| t < g.tensor_count().unwrap()));
    }
    let mut inputs = 0;
    for t in 0..g.tensor_count()? {
        assert_eq!(g.tensor_producer(t)?, produced_by[t as usize], "tensor {}", g.tensor_name(t)?);
        if produced_by[t as usize].is_none() {
            inputs += 1;
            assert!(!matches!(g.tensor_role(t)?, TensorRole::Activation | TensorRole::Gradient));
        }
    }
    assert!(inputs > 0);
    assert_eq!(g.op_inputs(g.op_count()?).unwrap_err().status(), Status::OutOfRange);
    assert_eq!(g.tensor_producer(g.tensor_count()?).unwrap_err().status(), Status::OutOfRange);
    Ok(())
}
