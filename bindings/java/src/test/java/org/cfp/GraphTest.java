package org.cfp;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class GraphTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void versionMatchesTheLoadedLibrary() {
    String[] parts = Cfp.version().split("\\.");
    assertEquals(3, parts.length);
    long expected = Long.parseLong(parts[0]) * 10000 + Long.parseLong(parts[1]) * 100 + Long.parseLong(parts[2]);
    assertEquals(expected, Cfp.versionNumber());
  }

  @Test
  public void buildsSerializesReloadsAndAnswersQueries() {
    byte[] data;
    try (Graph g = TinyMlp.build(8, 16)) {
      data = g.toBytes();
    }
    assertEquals("CFPG", new String(Arrays.copyOfRange(data, 4, 8), StandardCharsets.US_ASCII));
    try (Graph g = Graph.fromBytes(data)) {
      assertEquals("tiny-mlp", g.name());
      assertEquals(5, g.opCount());
      assertEquals(10, g.tensorCount());
      assertEquals(16 * 16 + 16 + 16 * 16, g.parameterCount());
      assertEquals(2 * (2.0 * 8 * 16 * 16) + 2 * 8 * 16, g.flops(), 0.0);
      assertEquals("dot2", g.opName(4));
      assertEquals("mlp.1", g.opScope(4));
      assertEquals("", g.opScope(2));
      assertEquals(OpKind.BROADCAST, g.opKind(1));
      assertEquals("broadcast", g.opKind(1).libraryName());
      assertEquals("zero", g.tensorName(7));
      assertEquals(DType.F32, g.tensorDType(0));
      assertEquals("f32", DType.F32.libraryName());
      assertEquals(TensorRole.PARAMETER, g.tensorRole(1));
      assertArrayEquals(new long[] {16, 16}, g.tensorShape(1));
      assertArrayEquals(new long[0], g.tensorShape(7));
      assertArrayEquals(data, g.toBytes());
    }
  }

  @Test
  public void fileRoundTrip() throws Exception {
    Path path = tmp.getRoot().toPath().resolve("mlp.cfpg");
    try (Graph g = TinyMlp.build(4, 8)) {
      g.toFile(path);
    }
    assertTrue(Files.size(path) > 0);
    try (Graph g = Graph.fromFile(path)) {
      assertEquals(5, g.opCount());
    }
  }

  @Test
  public void namesKeepEveryUnicodeCharacter() {
    String name = "层.😀.mlp";
    try (GraphBuilder b = new GraphBuilder(name)) {
      int x = b.addTensor("x€", DType.BF16, new long[] {4}, TensorRole.DATA_INPUT);
      int y = b.addTensor("y𝔂", DType.BF16, new long[] {4}, TensorRole.ACTIVATION);
      int op = b.addOp("neg😀", OpKind.NEG, new int[] {x}, new int[] {y});
      b.setOpScope(op, "scope.层");
      try (Graph g = b.finish()) {
        assertEquals(name, g.name());
        assertEquals("x€", g.tensorName(x));
        assertEquals("y𝔂", g.tensorName(y));
        assertEquals("neg😀", g.opName(op));
        assertEquals("scope.层", g.opScope(op));
        assertEquals(DType.BF16, g.tensorDType(y));
      }
    }
  }

  @Test
  public void trainingGraphsLinkGradientsUpdatesAndBackwardOps() {
    try (Graph g = Models.build("mlp:layers=2,hidden=16,batch=4")) {
      int gradients = 0;
      int updates = 0;
      for (int t = 0; t < g.tensorCount(); t++) {
        int of = g.tensorGradientOf(t);
        if (of != Graph.NO_TENSOR) {
          gradients++;
          assertArrayEquals(g.tensorName(t), g.tensorShape(of), g.tensorShape(t));
        }
        int replaced = g.tensorUpdates(t);
        if (replaced != Graph.NO_TENSOR) {
          updates++;
          assertEquals(Graph.NO_OP, g.tensorProducer(replaced));
          assertArrayEquals(g.tensorShape(replaced), g.tensorShape(t));
        }
      }
      assertTrue(gradients > 0);
      assertTrue(updates > 0);
      assertEquals(-1, Graph.NO_TENSOR);
      int hinted = 0;
      for (int op = 0; op < g.opCount(); op++) {
        int forward = g.opGradOf(op);
        if (forward == Graph.NO_OP) continue;
        hinted++;
        assertEquals(Phase.BACKWARD, g.opPhase(op));
        assertEquals(Phase.FORWARD, g.opPhase(forward));
      }
      assertTrue(hinted > 0);
      CfpException e = assertThrows(CfpException.class, () -> g.tensorGradientOf(g.tensorCount()));
      assertEquals(Status.OUT_OF_RANGE, e.status());
    }
  }

  @Test
  public void iterationSpaceOfAMatmul() {
    try (Graph g = TinyMlp.build(8, 16); Options o = new Options().setMesh(2)) {
      IterationSpace s = g.opIterationSpace(0);  // dot1: x[8,16] @ w1[16,16]
      assertEquals(3, s.axisCount());
      assertEquals(2, s.inputCount());
      assertEquals(3, s.operandCount());
      int reductions = 0;
      for (int a = 0; a < s.axisCount(); a++) {
        if (s.isReduction(a)) reductions++;
        assertTrue(s.isSplittable(a));
      }
      assertEquals(1, reductions);
      // m k / k n / m n, with axes a = m, b = n, c = k.
      assertEquals("ac,cb->ab", s.toString());
      assertArrayEquals(new int[] {2}, s.dimAxes(0, 1));
      assertEquals(16, s.axisSize(2));
      assertTrue(s.isReduction(2));
      // The strategies' own einsum text names the same axes.
      String described = Optimizer.describeStrategy(g, o, 0, 0);
      assertTrue(described, described.endsWith(" : " + s));
      // The bias broadcast's operand b1[16] is dim 1 of its output.
      IterationSpace bcast = g.opIterationSpace(1);
      assertArrayEquals(bcast.dimAxes(1, 1), bcast.dimAxes(0, 0));
      assertEquals(s, g.opIterationSpace(0));
      assertEquals(Status.OUT_OF_RANGE, assertThrows(CfpException.class, () -> g.opIterationSpace(5)).status());
    }
  }

  @Test
  public void builderStaysUsableAfterFinish() {
    try (GraphBuilder b = new GraphBuilder(null)) {
      int x = b.addTensor("x", DType.F32, new long[] {2, 3}, TensorRole.DATA_INPUT);
      int y = b.addTensor("y", DType.F32, new long[] {2, 3}, TensorRole.ACTIVATION);
      b.addOp("exp", OpKind.EXP, new int[] {x}, new int[] {y});
      try (Graph first = b.finish()) {
        assertEquals(1, first.opCount());
        int z = b.addTensor("z", DType.F32, new long[] {2, 3}, TensorRole.ACTIVATION);
        b.addOp("neg", OpKind.NEG, new int[] {y}, new int[] {z});
        try (Graph second = b.finish()) {
          assertEquals(2, second.opCount());
          assertEquals(1, first.opCount());
        }
      }
    }
  }
}
