package org.cfp;

import java.util.ArrayList;
import java.util.List;

/**
 * Layers of dots on a [256,256] activation, each layer's dot reading the sum of every earlier
 * layer's output, built with the builder: its blocks and costs take milliseconds, but its exact
 * search on a 2x2 mesh runs for minutes.
 */
final class DenselyConnected {
  private DenselyConnected() {}

  static Graph build(int layers) {
    try (GraphBuilder b = new GraphBuilder("densely-connected")) {
      long rows = 256, width = 256;
      long[] act = {rows, width};
      List<Integer> outs = new ArrayList<>();
      outs.add(b.addTensor("x", DType.F32, act, TensorRole.DATA_INPUT));
      for (int l = 0; l < layers; l++) {
        String layer = "layer" + l;
        // Latest first, so every add follows the previous layer's dot and reads the others.
        int sum = outs.get(outs.size() - 1);
        for (int j = outs.size() - 2; j >= 0; j--) {
          int next = b.addTensor(layer + ".sum" + j, DType.F32, act, TensorRole.ACTIVATION);
          b.addOp(layer + ".add" + j, OpKind.ADD, new int[] {sum, outs.get(j)}, new int[] {next});
          sum = next;
        }
        int w = b.addTensor(layer + ".w", DType.F32, new long[] {width, width}, TensorRole.PARAMETER);
        int h = b.addTensor(layer + ".h", DType.F32, act, TensorRole.ACTIVATION);
        int dot = b.addOp(layer + ".dot", OpKind.DOT, new int[] {sum, w}, new int[] {h});
        b.setOpInts(dot, Attr.LHS_CONTRACT, 1);
        b.setOpInts(dot, Attr.RHS_CONTRACT, 0);
        outs.add(h);
      }
      return b.finish();
    }
  }
}
