package org.cfp;

import org.cfp.internal.CfpNative;

/** Turns the status of a native call into an exception. */
final class Native {
  private Native() {}

  /**
   * Throws if {@code code} is a failure. Call it straight after the native call: the
   * library's message is per thread and the next cfp_ call replaces it.
   */
  static void check(int code) {
    if (code != 0) throw new CfpException(code, CfpNative.cfp_last_error_message());
  }

  /** Strings cross the boundary NUL-terminated; an embedded NUL would cut them short. */
  static String text(String what, String s) {
    if (s != null && s.indexOf('\0') >= 0) {
      throw new CfpException(Status.INVALID_ARGUMENT, what + " contains a NUL character");
    }
    return s;
  }
}
