package org.cfp;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class ErrorTest {
  @Rule public TemporaryFolder tmp = new TemporaryFolder();

  @Test
  public void invalidGraphBytesThrowWithStatusAndLibraryMessage() {
    byte[] garbage = "this is not a graph, just some bytes".getBytes(StandardCharsets.US_ASCII);
    CfpException e = assertThrows(CfpException.class, () -> Graph.fromBytes(garbage));
    assertEquals(Status.INVALID_GRAPH, e.status());
    assertEquals(2, e.code());
    assertTrue(e.libraryMessage(), e.libraryMessage().startsWith("cfp_graph_from_buffer: "));
    assertTrue(e.getMessage(), e.getMessage().endsWith("[INVALID_GRAPH]"));
    assertEquals("CFP_ERR_INVALID_GRAPH", e.status().libraryName());
  }

  @Test
  public void emptyBufferIsRejected() {
    CfpException e = assertThrows(CfpException.class, () -> Graph.fromBytes(new byte[0]));
    assertTrue(e.status() == Status.INVALID_GRAPH || e.status() == Status.INVALID_ARGUMENT);
    assertFalse(e.libraryMessage().isEmpty());
  }

  @Test
  public void missingFileIsAnIoError() {
    CfpException e =
        assertThrows(CfpException.class, () -> Graph.fromFile(tmp.getRoot().toPath().resolve("absent.cfpg")));
    assertEquals(Status.IO, e.status());
    assertTrue(e.libraryMessage(), e.libraryMessage().contains("absent.cfpg"));
  }

  @Test
  public void outOfRangeIdsThrow() {
    try (Graph g = TinyMlp.build(4, 8)) {
      CfpException e = assertThrows(CfpException.class, () -> g.opName(5));
      assertEquals(Status.OUT_OF_RANGE, e.status());
      assertTrue(e.libraryMessage(), e.libraryMessage().contains("op 5 is out of range (graph has 5 ops)"));
      assertEquals(Status.OUT_OF_RANGE, assertThrows(CfpException.class, () -> g.tensorShape(10)).status());
      assertEquals(Status.OUT_OF_RANGE, assertThrows(CfpException.class, () -> g.opKind(-1)).status());
    }
  }

  @Test
  public void builderReportsTheProblem() {
    try (GraphBuilder b = new GraphBuilder("bad")) {
      int x = b.addTensor("x", DType.F32, new long[] {4, 8}, TensorRole.DATA_INPUT);
      int y = b.addTensor("y", DType.F32, new long[] {4, 9}, TensorRole.ACTIVATION);
      b.addOp("neg", OpKind.NEG, new int[] {x}, new int[] {y});
      CfpException e = assertThrows(CfpException.class, b::finish);
      assertEquals(Status.INVALID_GRAPH, e.status());
      assertTrue(e.libraryMessage(), e.libraryMessage().contains("neg"));

      CfpException nul = assertThrows(CfpException.class,
          () -> b.addTensor("nul\0name", DType.F32, null, TensorRole.CONSTANT));
      assertEquals(Status.INVALID_ARGUMENT, nul.status());
    }
  }

  @Test
  public void closeTwiceIsSafeAndUseAfterCloseThrows() {
    Graph g = TinyMlp.build(4, 8);
    assertFalse(g.isClosed());
    g.close();
    g.close();
    assertTrue(g.isClosed());
    IllegalStateException e = assertThrows(IllegalStateException.class, g::opCount);
    assertEquals("Graph is closed", e.getMessage());
    assertThrows(IllegalStateException.class, g::toBytes);

    GraphBuilder b = new GraphBuilder("closed");
    b.close();
    b.close();
    assertThrows(IllegalStateException.class, () -> b.addTensor("x", DType.F32, null, TensorRole.CONSTANT));
    assertThrows(IllegalStateException.class, b::finish);
  }

  /** Graphs are thread-safe: concurrent readers agree, and each thread gets its own message. */
  @Test
  public void concurrentReadersGetTheirOwnErrors() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try (Graph g = TinyMlp.build(4, 8)) {
      List<Future<?>> results = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        final int bad = 100 + t;
        results.add(pool.submit(() -> {
          for (int i = 0; i < 200; i++) {
            assertEquals(5, g.opCount());
            CfpException e = assertThrows(CfpException.class, () -> g.opName(bad));
            assertTrue(e.libraryMessage(), e.libraryMessage().contains("op " + bad + " is out of range"));
          }
          return null;
        }));
      }
      for (Future<?> f : results) f.get(60, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
  }

  /** close() waits for calls in flight instead of freeing the graph under them. */
  @Test
  public void closeWhileReadingNeverCrashes() throws Exception {
    for (int round = 0; round < 20; round++) {
      Graph g = TinyMlp.build(4, 8);
      Thread reader = new Thread(() -> {
        try {
          while (true) g.toBytes();
        } catch (IllegalStateException closed) {
          // expected once close() has run
        }
      });
      reader.start();
      Thread.sleep(2);
      g.close();
      reader.join(10_000);
      assertFalse(reader.isAlive());
    }
  }
}
