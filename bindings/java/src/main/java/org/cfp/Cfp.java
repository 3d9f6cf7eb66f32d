package org.cfp;

import org.cfp.internal.CfpNative;

/** The loaded library's version. */
public final class Cfp {
  private Cfp() {}

  /** Version of the loaded library, e.g. "0.1.0". */
  public static String version() {
    return CfpNative.cfp_version_string();
  }

  /** Version of the loaded library as MAJOR*10000 + MINOR*100 + PATCH. */
  public static long versionNumber() {
    return CfpNative.cfp_version_number();
  }
}
