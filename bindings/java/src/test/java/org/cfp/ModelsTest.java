package org.cfp;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.Test;

public class ModelsTest {
  @Test
  public void presetsIncludeTheGptAndLlamaFamilies() {
    List<String> presets = Models.presets();
    assertTrue(presets.toString(), presets.contains("gpt3-175b"));
    assertTrue(presets.toString(), presets.stream().anyMatch(p -> p.startsWith("llama")));
    assertThrows(UnsupportedOperationException.class, () -> presets.add("mine"));
  }

  @Test
  public void aBadSpecNamesTheProblem() {
    CfpException e = assertThrows(CfpException.class, () -> Models.build("gpt:layers=2,colour=blue"));
    assertEquals(Status.INVALID_ARGUMENT, e.status());
    assertTrue(e.libraryMessage(), e.libraryMessage().contains("colour"));
    assertEquals(Status.INVALID_ARGUMENT, assertThrows(CfpException.class, () -> Models.build("no-such-preset")).status());
  }

  @Test
  public void theTrainingTransformAddsBackwardAndUpdatePhases() {
    try (Graph forward = Models.build("mlp:layers=2,hidden=64,batch=4,optimizer=none");
        Graph training = forward.makeTraining("sgd")) {
      assertEquals(EnumSet.of(Phase.FORWARD), phasesOf(forward));
      assertEquals(EnumSet.allOf(Phase.class), phasesOf(training));
      assertTrue(training.opCount() > forward.opCount());
      assertEquals(forward.parameterCount(), training.parameterCount());
      CfpException e = assertThrows(CfpException.class, () -> forward.makeTraining("lion"));
      assertEquals(Status.INVALID_ARGUMENT, e.status());
      assertTrue(e.libraryMessage(), e.libraryMessage().contains("lion"));
    }
  }

  private static Set<Phase> phasesOf(Graph g) {
    Set<Phase> phases = EnumSet.noneOf(Phase.class);
    for (int op = 0; op < g.opCount(); op++) phases.add(g.opPhase(op));
    return phases;
  }

  @Test
  public void operandsAndProducersDescribeTheSameEdges() {
    try (Graph g = Models.build("gpt:layers=1,hidden=64,heads=2,seq=16,batch=2,vocab=50")) {
      int[] producedBy = new int[g.tensorCount()];
      java.util.Arrays.fill(producedBy, Graph.NO_OP);
      for (int op = 0; op < g.opCount(); op++) {
        for (int t : g.opOutputs(op)) producedBy[t] = op;
        for (int t : g.opInputs(op)) assertTrue(t >= 0 && t < g.tensorCount());
      }
      int inputs = 0;
      for (int t = 0; t < g.tensorCount(); t++) {
        assertEquals(g.tensorName(t), producedBy[t], g.tensorProducer(t));
        if (producedBy[t] == Graph.NO_OP) {
          inputs++;
          assertFalse(g.tensorRole(t) == TensorRole.ACTIVATION || g.tensorRole(t) == TensorRole.GRADIENT);
        }
      }
      assertTrue(inputs > 0);
      assertEquals(Status.OUT_OF_RANGE, assertThrows(CfpException.class, () -> g.opInputs(g.opCount())).status());
      assertEquals(Status.OUT_OF_RANGE,
          assertThrows(CfpException.class, () -> g.tensorProducer(g.tensorCount())).status());
    }
  }

  @Test
  public void builderGraphsAnswerTheSameQueries() {
    try (Graph g = TinyMlp.build(4, 8)) {
      assertArrayEquals(new int[] {0, 1}, g.opInputs(0));
      assertArrayEquals(new int[] {4}, g.opOutputs(0));
      assertEquals(0, g.tensorProducer(4));
      assertEquals(Graph.NO_OP, g.tensorProducer(0));
      assertEquals(-1, Graph.NO_OP);
      assertEquals(Phase.FORWARD, g.opPhase(4));
    }
  }
}
