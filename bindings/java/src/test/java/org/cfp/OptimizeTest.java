package org.cfp;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

/** A small GPT optimized once on a 2x2 mesh, then the plan examined from every side. */
public class OptimizeTest {
  static final String GPT = "gpt:layers=2,hidden=256,heads=4,seq=128,batch=8,vocab=1000";
  /** Optimizes in milliseconds: for the checks that need a search but not a GPT. */
  static final String MLP = "mlp:layers=2,hidden=256,batch=8";

  private static Graph gpt;
  private static Options mesh2x2;
  private static Plan plan;

  @BeforeClass
  public static void optimizeTheGpt() {
    gpt = Models.build(GPT);
    mesh2x2 = new Options().setMesh(2, 2).setThreads(2);
    plan = Optimizer.optimize(gpt, mesh2x2);
  }

  @AfterClass
  public static void closeAll() {
    plan.close();
    mesh2x2.close();
    gpt.close();
  }

  private static void assertClose(double expected, double actual) {
    assertEquals(expected, actual, 1e-9 * Math.max(1e-12, Math.abs(expected)));
  }

  private static int[] strategiesOf(Plan p, Graph g) {
    int[] choice = new int[g.opCount()];
    for (int op = 0; op < choice.length; op++) choice[op] = p.opStrategy(op);
    return choice;
  }

  @Test
  public void stepTimeIsComputePlusCommunication() {
    assertTrue(plan.computeTime() > 0);
    assertTrue(plan.commTime() > 0);
    assertClose(plan.computeTime() + plan.commTime(), plan.stepTime());
    assertTrue(plan.peakMemory() > 0);
  }

  @Test
  public void collectivesAddUpToTheCommunicationTime() {
    List<Collective> all = plan.collectives();
    assertEquals(plan.collectiveCount(), all.size());
    assertFalse(all.isEmpty());
    double sum = 0;
    for (Collective c : all) {
      sum += c.time();
      assertTrue(c.toString(), c.tensor() >= 0 && c.tensor() < gpt.tensorCount());
      assertTrue(c.toString(), c.meshAxesMask() != 0 && (c.meshAxesMask() & ~0b11) == 0);
      assertTrue(c.toString(), c.bytes() > 0);
      assertTrue(c.toString(), c.atEndOfStep() || c.beforeOp() < gpt.opCount());
    }
    assertClose(plan.commTime(), sum);
    assertEquals(all.get(0), plan.collective(0));
    CfpException e = assertThrows(CfpException.class, () -> plan.collective(all.size()));
    assertEquals(Status.OUT_OF_RANGE, e.status());
  }

  @Test
  public void evaluatingThePlansOwnStrategiesReproducesIt() {
    int[] choice = strategiesOf(plan, gpt);
    try (Plan again = Optimizer.evaluate(gpt, mesh2x2, choice)) {
      assertClose(plan.stepTime(), again.stepTime());
      assertClose(plan.computeTime(), again.computeTime());
      assertEquals(plan.peakMemory(), again.peakMemory());
      assertEquals(plan.collectives(), again.collectives());
      assertArrayEquals(choice, strategiesOf(again, gpt));
      assertEquals(Plan.NO_BLOCK, again.opBlock(0));
    }
  }

  @Test
  public void everyOpHasAStrategyFromItsOwnListAndABlock() {
    int blocks = plan.blockCount();
    assertTrue(blocks > 0);
    assertEquals(blocks, (int) plan.stat(Stat.BLOCKS));
    assertEquals(gpt.opCount(), (int) plan.stat(Stat.OPS));
    assertEquals(plan.segmentCount(), (int) plan.stat(Stat.SEGMENTS));
    assertTrue(plan.uniqueSegmentCount() <= plan.segmentCount());
    assertTrue(plan.stat(Stat.TIME_SEARCH) >= 0);
    for (int op = 0; op < gpt.opCount(); op++) {
      int count = Optimizer.strategyCount(gpt, mesh2x2, op);
      int chosen = plan.opStrategy(op);
      assertTrue(gpt.opName(op), chosen >= 0 && chosen < count);
      int block = plan.opBlock(op);
      assertTrue(gpt.opName(op), block >= 0 && block < blocks);
    }
    for (int t = 0; t < gpt.tensorCount(); t++) {
      assertTrue(gpt.tensorName(t), plan.tensorSharding(t).startsWith("["));
    }
    assertEquals(Status.OUT_OF_RANGE,
        assertThrows(CfpException.class, () -> plan.opStrategy(gpt.opCount())).status());
    assertEquals(Status.OUT_OF_RANGE,
        assertThrows(CfpException.class, () -> plan.tensorSharding(gpt.tensorCount())).status());
  }

  @Test
  public void strategiesAreDescribedInWords() {
    int dot = -1;
    for (int op = 0; op < gpt.opCount() && dot < 0; op++) {
      if (gpt.opKind(op) == OpKind.DOT) dot = op;
    }
    assertTrue(dot >= 0);
    int count = Optimizer.strategyCount(gpt, mesh2x2, dot);
    assertTrue(count > 1);
    String chosen = Optimizer.describeStrategy(gpt, mesh2x2, dot, plan.opStrategy(dot));
    assertFalse(chosen.isEmpty());
    assertNotEquals(Optimizer.describeStrategy(gpt, mesh2x2, dot, 0), Optimizer.describeStrategy(gpt, mesh2x2, dot, 1));
    final int op = dot;
    CfpException e = assertThrows(CfpException.class, () -> Optimizer.describeStrategy(gpt, mesh2x2, op, count));
    assertEquals(Status.OUT_OF_RANGE, e.status());
    assertTrue(e.libraryMessage(), e.libraryMessage().contains("out of range"));
  }

  @Test
  public void planRoundTripsThroughBytes() {
    byte[] bytes = plan.toBytes();
    try (Plan loaded = Plan.fromBytes(bytes)) {
      assertEquals(plan.stepTime(), loaded.stepTime(), 0.0);
      assertEquals(plan.objective(), loaded.objective(), 0.0);
      assertEquals(plan.computeTime(), loaded.computeTime(), 0.0);
      assertEquals(plan.peakMemory(), loaded.peakMemory());
      assertEquals(plan.isOptimal(), loaded.isOptimal());
      assertEquals(plan.collectives(), loaded.collectives());
      assertArrayEquals(strategiesOf(plan, gpt), strategiesOf(loaded, gpt));
      for (int t = 0; t < gpt.tensorCount(); t++) assertEquals(plan.tensorSharding(t), loaded.tensorSharding(t));
      assertArrayEquals(bytes, loaded.toBytes());
    }
  }

  @Test
  public void jsonNamesTheGraph() {
    String name = gpt.name();
    assertFalse(name.isEmpty());
    String json = plan.toJson();
    assertTrue(json.startsWith("{"));
    assertTrue(json, json.contains("\"" + name + "\""));
  }

  @Test
  public void garbageIsNotAPlan() {
    CfpException e = assertThrows(CfpException.class, () -> Plan.fromBytes(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}));
    assertEquals(Status.INVALID_DATA, e.status());
    assertTrue(e.libraryMessage(), e.libraryMessage().startsWith("cfp_plan_from_buffer: "));
  }

  @Test
  public void anInfeasibleBudgetSaysWhatTheSmallestPlanNeeds() {
    try (Graph mlp = Models.build(MLP); Options tiny = new Options().setMesh(2, 2).setMemoryBudget(1)) {
      CfpException e = assertThrows(CfpException.class, () -> Optimizer.optimize(mlp, tiny));
      assertEquals(Status.INFEASIBLE, e.status());
      assertTrue(e.libraryMessage(), e.libraryMessage().startsWith("cfp_optimize: no plan fits the memory budget"));
      Matcher needs = Pattern.compile("smallest plan needs (\\d+) bytes").matcher(e.libraryMessage());
      assertTrue(e.libraryMessage(), needs.find());
      long smallest = Optimizer.minMemory(mlp, tiny);
      assertEquals(smallest, Long.parseLong(needs.group(1)));

      // At exactly that budget a plan exists, and it fits.
      tiny.setMemoryBudget(smallest);
      try (Plan fits = Optimizer.optimize(mlp, tiny)) {
        assertTrue(fits.peakMemory() + " > " + smallest, fits.peakMemory() <= smallest);
      }
    }
  }

  @Test
  public void hittingTheTimeLimitIsASearchLimitException() {
    // A nanosecond passes before the search starts, so there is no plan yet.
    try (Options hurried = new Options().setMesh(2, 2).setTimeLimit(Duration.ofNanos(1))) {
      SearchLimitException e = assertThrows(SearchLimitException.class, () -> Optimizer.optimize(gpt, hurried));
      assertEquals(Status.TIME_LIMIT, e.status());
      assertTrue(e.libraryMessage(), e.libraryMessage().contains("time limit"));
      assertFalse("a time limit that passes before the search has no plan to return", e.bestSoFar().isPresent());
    }
    // The exact search of this graph on a 2x2 mesh runs for minutes.
    try (Graph dense = DenselyConnected.build(10);
        Options limited = new Options().setMesh(2, 2).setThreads(1).setTimeLimit(Duration.ofMillis(500))) {
      SearchLimitException e = assertThrows(SearchLimitException.class, () -> Optimizer.optimize(dense, limited));
      assertEquals(Status.TIME_LIMIT, e.status());
      assertTrue(e.libraryMessage(), e.libraryMessage().contains("passed during search"));
      assertTrue("a search stopped by its time limit returns the best plan found", e.bestSoFar().isPresent());
      try (Plan best = e.bestSoFar().get()) {
        assertTrue(best.stepTime() > 0);
        assertFalse(best.isOptimal());
      }
    }
  }

  @Test
  public void costSettingsChangeThePrice() {
    try (Graph mlp = Models.build(MLP); Options base = new Options().setMesh(2, 2)) {
      int[] zeros = new int[mlp.opCount()];
      double compute;
      try (Plan p = Optimizer.evaluate(mlp, base, zeros)) {
        compute = p.computeTime();
        assertTrue(compute > 0);
      }
      assertSame(base, base.setComputeScale(2));
      try (Plan p = Optimizer.evaluate(mlp, base, zeros)) {
        assertClose(2 * compute, p.computeTime());
      }
      // Two micro-batches: forward and backward twice, the update once.
      assertSame(base, base.setComputeScale(1).setMicrobatches(2));
      try (Plan p = Optimizer.evaluate(mlp, base, zeros)) {
        assertTrue(p.computeTime() > compute && p.computeTime() < 2 * compute);
      }
      CfpException e = assertThrows(CfpException.class, () -> base.setMicrobatches(0));
      assertEquals(Status.INVALID_ARGUMENT, e.status());
      base.setMicrobatches(1).setComputeScale(2);
      base.useAlpaTestConvention();
      try (Plan p = Optimizer.evaluate(mlp, base, zeros)) {
        assertEquals(0.0, p.computeTime(), 0.0);
        assertClose(p.commTime(), p.stepTime());
      }
    }
  }

  @Test
  public void theObjectiveAddsTheReplicatedParameterPenalty() {
    assertEquals(plan.stepTime(), plan.objective(), 0.0);  // no penalty set
    try (Graph mlp = Models.build(MLP); Options o = new Options().setMesh(2, 2).setReplicatedParameterPenalty(1e-9)) {
      try (Plan replicated = Optimizer.evaluate(mlp, o, new int[mlp.opCount()])) {
        assertTrue(replicated.objective() + " vs " + replicated.stepTime(), replicated.objective() > replicated.stepTime());
        try (Plan loaded = Plan.fromBytes(replicated.toBytes())) {
          assertEquals(replicated.objective(), loaded.objective(), 0.0);
        }
      }
    }
  }

  @Test
  public void evaluateChecksItsChoices() {
    try (Graph mlp = Models.build(MLP); Options o = new Options().setMesh(2, 2)) {
      CfpException wrongLength = assertThrows(CfpException.class, () -> Optimizer.evaluate(mlp, o, new int[] {0}));
      assertEquals(Status.INVALID_ARGUMENT, wrongLength.status());
      assertTrue(wrongLength.libraryMessage(), wrongLength.libraryMessage().contains("one choice per op"));
      int[] choice = new int[mlp.opCount()];
      choice[0] = Optimizer.strategyCount(mlp, o, 0);
      assertEquals(Status.OUT_OF_RANGE, assertThrows(CfpException.class, () -> Optimizer.evaluate(mlp, o, choice)).status());
    }
  }

  @Test
  public void invalidMeshesAreInvalidArguments() {
    try (Options o = new Options()) {
      CfpException zero = assertThrows(CfpException.class, () -> o.setMesh(2, 0));
      assertEquals(Status.INVALID_ARGUMENT, zero.status());
      assertTrue(zero.libraryMessage(), zero.libraryMessage().startsWith("cfp_options_set_mesh: "));
      assertEquals(Status.INVALID_ARGUMENT, assertThrows(CfpException.class, () -> o.setMesh()).status());
      assertEquals(Status.INVALID_ARGUMENT, assertThrows(CfpException.class, () -> o.setMesh(2, 2, 2, 2)).status());
      assertEquals(Status.OUT_OF_RANGE, assertThrows(CfpException.class, () -> o.setAxisLink(1, 1e9, 0)).status());
      assertEquals(Status.INVALID_ARGUMENT, assertThrows(CfpException.class, () -> o.setDevice("tpu-v9")).status());
      assertEquals(Status.INVALID_ARGUMENT, assertThrows(CfpException.class, () -> o.setAxisLink(0, -1, 0)).status());
      // The options are unchanged by the failures and still usable.
      assertSame(o, o.setMesh(4).setAxisLink(0, 1e11, 1e-6).setDevice("a100-80gb"));
    }
  }

  @Test
  public void concurrentEvaluationsShareGraphAndOptions() throws Exception {
    int[] choice = strategiesOf(plan, gpt);
    double expected = plan.stepTime();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Double>> results = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        results.add(pool.submit(() -> {
          try (Plan p = Optimizer.evaluate(gpt, mesh2x2, choice)) {
            return p.stepTime();
          }
        }));
      }
      for (Future<Double> f : results) assertClose(expected, f.get(120, TimeUnit.SECONDS));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  public void closeTwiceIsSafeAndUseAfterCloseThrows() {
    Options o = new Options();
    o.close();
    o.close();
    assertTrue(o.isClosed());
    assertEquals("Options is closed", assertThrows(IllegalStateException.class, () -> o.setMesh(2, 2)).getMessage());
    assertThrows(IllegalStateException.class, () -> Optimizer.strategyCount(gpt, o, 0));

    Plan p = Plan.fromBytes(plan.toBytes());
    p.close();
    p.close();
    assertEquals("Plan is closed", assertThrows(IllegalStateException.class, p::stepTime).getMessage());
    assertThrows(IllegalStateException.class, p::collectives);
    assertThrows(IllegalStateException.class, () -> Optimizer.optimize(gpt, o));
  }
}
