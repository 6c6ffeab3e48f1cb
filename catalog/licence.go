package catalog

import "regexp"

var ccLicence = regexp.MustCompile(`^CC BY(-SA|-ND|-NC|-NC-SA|-NC-ND)? (1\.0|2\.0|2\.5|3\.0|4\.0)( [A-Z]{2})?$`)

// OpenLicence reports whether licence names a licence under which a film may be
// shared, as Marquee writes them: "Public Domain", "Public Domain Mark 1.0", "CC0 1.0",
// or "CC BY[-SA|-ND|-NC|-NC-SA|-NC-ND] <version>[ <jurisdiction>]". needsAttribution is
// true for the CC BY family, which requires a credit.
func OpenLicence(licence string) (ok, needsAttribution bool) {
	switch licence {
	case "Public Domain", "Public Domain Mark 1.0", "CC0 1.0":
		return true, false
	}
	if ccLicence.MatchString(licence) {
		return true, true
	}
	return false, false
}
