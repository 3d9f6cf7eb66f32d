package org.cfp;

import org.cfp.internal.CfpNative;

/** An element type ({@code cfp_dtype}). */
public enum DType {
  F32(0),
  BF16(1),
  F16(2),
  F8E4M3(3),
  I32(4),
  I64(5),
  BOOL(6);

  private final int code;

  DType(int code) {
    this.code = code;
  }

  /** The numeric value of {@code cfp.h}. */
  public int code() {
    return code;
  }

  /** The library's name, e.g. "bf16". */
  public String libraryName() {
    return CfpNative.cfp_dtype_name(code);
  }

  /** The constant with this code; IllegalArgumentException if there is none. */
  public static DType fromCode(int code) {
    for (DType v : values()) {
      if (v.code == code) return v;
    }
    throw new IllegalArgumentException("unknown DType code " + code);
  }
}
