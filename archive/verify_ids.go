package archive

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"iter"
	"slices"
	"strconv"
)

// The cross-checks of identity: every unit's systemID is unique (N5.47), and
// every reference, from arkivstruktur.xml (N5.48) or from the change log
// (N5.62), names a unit of the extract. The scans collect the keys; checkIDs
// merges them once every file has been read.

// unitElements are the units whose systemID must be unique.
var unitElements = map[string]bool{
	"arkiv": true, "arkivdel": true, "klassifikasjonssystem": true, "klasse": true,
	"mappe": true, "registrering": true, "dokumentbeskrivelse": true, "dokumentobjekt": true,
}

// refElements are the arkivstruktur elements that hold a systemID of another
// unit of the same extract.
var refElements = []string{
	"referanseArkivdel", "referanseTilKlasse", "referanseTilMappe", "referanseTilRegistrering",
	"referanseSekundaerKlassifikasjon", "referanseAvskrivesAvJournalpost",
	"referanseTilMoeteregistrering", "referanseFraMoeteregistrering",
	"referanseForrigeMoete", "referanseNesteMoete",
}

// refChange marks a reference from endringslogg.xml.
const refChange = 255

// unitID collects a unit's systemID.
func (v *verifier) unitID(s *xmlScan, f frame) {
	v.ids.add(record{key: v.idKey("N5.47", s.loc(f.line), s.leafText()), line: uint32(f.line)})
}

// reference collects a reference element of arkivstruktur.xml.
func (v *verifier) reference(s *xmlScan, f frame) {
	if k := slices.Index(refElements, f.name); k >= 0 {
		v.refs.add(record{key: v.idKey("N5.48", s.loc(f.line), s.leafText()), line: uint32(f.line), kind: uint8(k)})
	}
}

// changeReference collects an endring's referanseArkivenhet.
func (v *verifier) changeReference(s *xmlScan, f frame) {
	v.refs.add(record{key: v.idKey("N5.62", s.loc(f.line), s.leafText()), line: uint32(f.line), kind: refChange})
}

// idKey packs a UUID into 16 bytes. Anything else is reported and hashed, so
// that uniqueness can still be checked.
func (v *verifier) idKey(test, loc, s string) [16]byte {
	var k [16]byte
	if IsSystemID(s) {
		hex.Decode(k[:4], []byte(s[0:8]))
		hex.Decode(k[4:6], []byte(s[9:13]))
		hex.Decode(k[6:8], []byte(s[14:18]))
		hex.Decode(k[8:10], []byte(s[19:23]))
		hex.Decode(k[10:], []byte(s[24:36]))
		return k
	}
	v.add(test, Error, loc, "%q is not a UUID", clip(s))
	sum := sha256.Sum256([]byte(s))
	copy(k[:], sum[:16])
	return k
}

func formatID(k [16]byte) string {
	h := hex.EncodeToString(k[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// checkIDs runs N5.47 (unique systemIDs), N5.48 and N5.62 (references
// resolve) as one merge over the sorted systemIDs and references.
func (v *verifier) checkIDs() {
	refs, stop := iter.Pull(v.refs.all())
	defer stop()
	ref, ok := refs()
	var prev record
	n, dup := 0, false
	for r := range v.ids.all() {
		if n > 0 && r.key == prev.key {
			if !dup {
				v.add("N5.47", Error, FileArkivstruktur+":"+strconv.Itoa(int(r.line)), "systemID %s occurs more than once", formatID(r.key))
			}
			dup = true
		} else {
			dup = false
		}
		for ok && bytes.Compare(ref.key[:], r.key[:]) < 0 {
			v.unresolved(ref)
			ref, ok = refs()
		}
		for ok && ref.key == r.key {
			ref, ok = refs()
		}
		prev = r
		n++
	}
	for ok {
		v.unresolved(ref)
		ref, ok = refs()
	}
	for _, err := range []error{v.ids.err, v.refs.err} {
		if err != nil {
			v.add("N5.47", Error, "", "cannot sort the systemIDs: %v", err)
		}
	}
	v.add("N5.47", Info, FileArkivstruktur, "%d systemIDs", n)
	v.add("N5.48", Info, FileArkivstruktur, "%d references checked", v.refs.n)
}

// unresolved reports a reference that names no unit.
func (v *verifier) unresolved(r record) {
	if r.kind == refChange {
		v.add("N5.62", Error, FileEndringslogg+":"+strconv.Itoa(int(r.line)),
			"referanseArkivenhet %s refers to no unit in arkivstruktur.xml", formatID(r.key))
		return
	}
	v.add("N5.48", Error, FileArkivstruktur+":"+strconv.Itoa(int(r.line)),
		"%s %s refers to no unit in the extract", refElements[r.kind], formatID(r.key))
}
