package org.cfp;

/** A search statistic of a plan ({@code cfp_stat}); times are in seconds. */
public enum Stat {
  TIME_LOAD(0),
  TIME_BLOCKS(1),
  TIME_SEGMENTS(2),
  TIME_COSTS(3),
  TIME_SEARCH(4),
  OPS(5),
  BLOCKS(6),
  SEGMENTS(7),
  UNIQUE_SEGMENTS(8),
  CONFIGURATIONS_COSTED(9),
  CONFIGURATIONS_PROFILED(10),
  CONFIGURATIONS_REUSED(11),
  OPS_OUTSIDE_BLOCKS(12);

  private final int code;

  Stat(int code) {
    this.code = code;
  }

  /** The numeric value of {@code cfp.h}. */
  public int code() {
    return code;
  }

  /** The constant with this code; IllegalArgumentException if there is none. */
  public static Stat fromCode(int code) {
    for (Stat v : values()) {
      if (v.code == code) return v;
    }
    throw new IllegalArgumentException("unknown Stat code " + code);
  }
}
