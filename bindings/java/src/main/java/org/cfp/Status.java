package org.cfp;

import org.cfp.internal.CfpNative;

/** A libcfp status code ({@code cfp_status}). Codes are only ever added, never renumbered. */
public enum Status {
  OK(0),
  INVALID_ARGUMENT(1),
  INVALID_GRAPH(2),
  INVALID_DATA(3),
  IO(4),
  OUT_OF_MEMORY(5),
  OUT_OF_RANGE(6),
  BUFFER_TOO_SMALL(7),
  INFEASIBLE(8),
  UNSUPPORTED(9),
  DEVICE(10),
  TIME_LIMIT(11),
  MEMORY_LIMIT(12),
  CANCELLED(13),
  INTERNAL(14),
  /** A code this binding does not know yet (from a newer library). */
  UNKNOWN(-1);

  private final int code;

  Status(int code) {
    this.code = code;
  }

  /** The numeric code of {@code cfp.h}. */
  public int code() {
    return code;
  }

  /** The library's name of the code, e.g. "CFP_ERR_INVALID_GRAPH". */
  public String libraryName() {
    return CfpNative.cfp_status_string(code);
  }

  /** The status with this code, or {@link #UNKNOWN}. */
  public static Status fromCode(int code) {
    for (Status s : values()) {
      if (s.code == code) return s;
    }
    return UNKNOWN;
  }
}
