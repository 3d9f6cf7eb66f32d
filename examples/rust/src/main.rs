//! Builds a GPT training step from the libcfp model zoo (or loads a .cfpg graph file),
//! finds its parallelism plan on a 2-D device mesh, and prints the step time, the peak
//! memory and the strategy chosen for every forward contraction.
//!
//!     cargo run -- [--mesh 2x4] [--graph FILE.cfpg | SPEC | PRESET]
//!
//! SPEC is a model zoo spec such as "gpt:layers=2,hidden=256,heads=4,seq=128,batch=8,vocab=1000"
//! (the default) or a preset such as "gpt3-1.3b"; see docs/models.md.
use std::path::PathBuf;
use std::process::ExitCode;

use cfp::{Graph, OpKind, Options, Phase, Plan};

const DEFAULT_SPEC: &str = "gpt:layers=2,hidden=256,heads=4,seq=128,batch=8,vocab=1000";

enum Source {
    Zoo(String),
    File(PathBuf),
}

fn main() -> ExitCode {
    let (source, mesh) = match parse_args(std::env::args().skip(1)) {
        Ok(parsed) => parsed,
        Err(problem) => {
            eprintln!("usage: cfp-example [--mesh AxB] [--graph FILE.cfpg | SPEC | PRESET] ({})", problem);
            return ExitCode::from(2);
        }
    };
    match run(&source, &mesh) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", e);
            ExitCode::FAILURE
        }
    }
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<(Source, Vec<u32>), String> {
    let mut source = Source::Zoo(DEFAULT_SPEC.to_string());
    let mut mesh = vec![2, 4];
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--mesh" => {
                let text = args.next().ok_or("--mesh needs a value")?;
                mesh = text
                    .split('x')
                    .map(|n| n.parse().map_err(|_| format!("bad mesh {}", text)))
                    .collect::<Result<_, _>>()?;
            }
            "--graph" => source = Source::File(args.next().ok_or("--graph needs a file")?.into()),
            option if option.starts_with('-') => return Err(format!("unknown option {}", option)),
            spec => source = Source::Zoo(spec.to_string()),
        }
    }
    Ok((source, mesh))
}

fn run(source: &Source, mesh: &[u32]) -> cfp::Result<()> {
    println!("libcfp {}", cfp::version());
    let (graph, origin) = match source {
        Source::Zoo(spec) => (cfp::model(spec)?, "model zoo".to_string()),
        Source::File(path) => (Graph::from_file(path)?, path.display().to_string()),
    };
    println!(
        "graph        {} ({}): {} ops, {} parameters",
        graph.name()?,
        origin,
        graph.op_count()?,
        graph.parameter_count()?
    );
    let mut options = Options::new()?;
    options.set_mesh(mesh)?;
    let plan = cfp::optimize(&graph, &options)?;
    report(&graph, &options, &plan, mesh)
}

fn report(graph: &Graph, options: &Options, plan: &Plan, mesh: &[u32]) -> cfp::Result<()> {
    let axes: Vec<String> = mesh.iter().map(|n| n.to_string()).collect();
    println!("mesh         {}", axes.join("x"));
    println!(
        "step time    {} = compute {} + communication {}",
        seconds(plan.step_time()?),
        seconds(plan.compute_time()?),
        seconds(plan.comm_time()?)
    );
    println!("peak memory  {:.2} MiB per device", plan.peak_memory()? as f64 / (1u64 << 20) as f64);
    println!(
        "plan         {}, {} collectives per step",
        if plan.is_optimal()? { "proven optimal" } else { "best found" },
        plan.collective_count()?
    );
    println!("strategies of the forward contractions:");
    for op in 0..graph.op_count()? {
        if graph.op_kind(op)? != OpKind::Dot || graph.op_phase(op)? != Phase::Forward {
            continue;
        }
        let scope = match graph.op_scope(op)? {
            "" => "-",
            scope => scope,
        };
        let strategy = cfp::describe_strategy(graph, options, op, plan.op_strategy(op)?)?;
        println!("  {:<16} {:<24} {}", scope, graph.op_name(op)?, strategy);
    }
    Ok(())
}

/// A time in seconds, with a unit that keeps it readable.
fn seconds(s: f64) -> String {
    if s >= 1.0 {
        format!("{:.3} s", s)
    } else if s >= 1e-3 {
        format!("{:.3} ms", s * 1e3)
    } else {
        format!("{:.3} us", s * 1e6)
    }
}
