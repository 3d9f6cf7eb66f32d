package org.cfp;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
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
