//! The "cuda" cost model through the binding. CFP_FAKE_DEVICE selects a simulated GPU that
//! times kernels by their roofline, so the whole path (profile, save, reuse) runs without one.
//! One test in its own binary: it sets the variable while no other test thread can read it.
use cfp::{Options, Stat, Status};

const MLP: &str = "mlp:layers=2,hidden=256,batch=8";

fn options(mesh: &[u32]) -> Options {
    let mut options = Options::new().unwrap();
    options.set_mesh(mesh).unwrap();
    options
}

#[test]
fn profiling_then_planning_from_the_database() -> cfp::Result<()> {
    std::env::set_var("CFP_FAKE_DEVICE", "name=demo-gpu,devices=1");
    let graph = cfp::model(MLP)?;

    // The analytic model neither profiles nor leaves cost notes.
    let analytic = options(&[2]);
    let err = cfp::profile(&graph, &analytic).unwrap_err();
    assert_eq!(err.status(), Status::InvalidArgument);
    assert!(err.message().contains("\"cuda\" cost model"), "{}", err.message());
    assert_eq!(cfp::optimize(&graph, &analytic).unwrap().cost_notes()?, "");

    // Profiled once, then planned from the database alone.
    let dir = std::env::temp_dir().join(format!("cfp-rust-profile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("profile.cfpdb");
    let mut cuda = options(&[2]);
    cuda.set_cost_model("cuda")?.set_profile_db(&db)?;
    let report = cfp::profile(&graph, &cuda)?;
    let db_text = db.to_str().unwrap();
    assert!(report.starts_with("profiled on demo-gpu"), "{}", report);
    assert!(report.contains(" 0 reused") && report.contains(db_text), "{}", report);
    assert!(db.is_file());
    let plan = cfp::optimize(&graph, &cuda).unwrap();
    assert_eq!(plan.stat(Stat::ConfigurationsProfiled)?, 0.0);
    assert!(plan.stat(Stat::ConfigurationsReused)? > 0.0);
    let notes = plan.cost_notes()?;
    assert!(notes.contains("demo-gpu") && notes.contains(db_text), "{}", notes);
    std::fs::remove_dir_all(&dir).unwrap();
    Ok(())
}
