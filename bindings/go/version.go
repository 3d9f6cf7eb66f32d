package cfp

import "cfp/internal/capi"

// Version is the loaded library's version, e.g. "0.1.0".
func Version() string { return capi.Cfp_version_string() }

// VersionNumber is the loaded library's version as MAJOR*10000 + MINOR*100 + PATCH.
func VersionNumber() uint { return capi.Cfp_version_number() }
