package org.cfp;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * The "cuda" cost model through the binding. The build's tests run with CFP_FAKE_DEVICE (see
 * pom.xml), a simulated GPU that times kernels by their roofline, so the whole path (profile,
 * save, reuse) runs without one.
 */
public class ProfileTest {
  static final String MLP = "mlp:layers=2,hidden=256,batch=8";

  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void analyticPlansHaveNoCostNotes() {
    try (Graph mlp = Models.build(MLP);
        Options options = new Options().setMesh(2);
        Plan plan = Optimizer.optimize(mlp, options)) {
      assertEquals("", plan.costNotes());
    }
  }

  @Test
  public void profilingNeedsTheCudaCostModel() {
    try (Graph mlp = Models.build(MLP);
        Options options = new Options().setMesh(2)) {
      CfpException e = assertThrows(CfpException.class, () -> Optimizer.profile(mlp, options));
      assertEquals(Status.INVALID_ARGUMENT, e.status());
      assertTrue(e.libraryMessage(), e.libraryMessage().contains("\"cuda\" cost model"));
    }
  }

  @Test
  public void aProfiledModelIsPlannedFromTheDatabaseAlone() {
    Path db = tmp.getRoot().toPath().resolve("profile.cfpdb");
    try (Graph mlp = Models.build(MLP);
        Options options = new Options().setMesh(2).setCostModel("cuda").setProfileDb(db)) {
      String report = Optimizer.profile(mlp, options);
      assertTrue(report, report.startsWith("profiled on demo-gpu"));
      assertTrue(report, report.contains(" 0 reused"));
      assertTrue(report, report.contains(db.toString()));
      assertTrue(db.toFile().isFile());
      try (Plan plan = Optimizer.optimize(mlp, options)) {
        assertEquals(0.0, plan.stat(Stat.CONFIGURATIONS_PROFILED), 0.0);
        assertTrue(plan.stat(Stat.CONFIGURATIONS_REUSED) > 0);
        String notes = plan.costNotes();
        assertTrue(notes, notes.contains("demo-gpu"));
        assertTrue(notes, notes.contains(db.toString()));
      }
    }
  }
}
