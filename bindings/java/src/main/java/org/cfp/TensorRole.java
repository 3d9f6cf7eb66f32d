package org.cfp;

import org.cfp.internal.CfpNative;

/** What a tensor is in the training step ({@code cfp_tensor_role}). */
public enum TensorRole {
  DATA_INPUT(0),
  PARAMETER(1),
  OPTIMIZER_STATE(2),
  ACTIVATION(3),
  GRADIENT(4),
  CONSTANT(5);

  private final int code;

  TensorRole(int code) {
    this.code = code;
  }

  /** The numeric value of {@code cfp.h}. */
  public int code() {
    return code;
  }

  /** The library's name, e.g. "parameter". */
  public String libraryName() {
    return CfpNative.cfp_tensor_role_name(code);
  }

  /** The constant with this code; IllegalArgumentException if there is none. */
  public static TensorRole fromCode(int code) {
    for (TensorRole v : values()) {
      if (v.code == code) return v;
    }
    throw new IllegalArgumentException("unknown TensorRole code " + code);
  }
}
