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
func (v *verifier) unitID(s *xmlScan, f *frame) {
	v.ids.add(record{key: v.idKey("N5.47", s, f.line), line: uint32(f.line)})
}

// reference collects a reference element of arkivstruktur.xml.
func (v *verifier) reference(s *xmlScan, f *frame) {
	if k := slices.Index(refElements, f.name); k >= 0 {
		v.refs.add(record{key: v.idKey("N5.48", s, f.line), line: uint32(f.line), kind: uint8(k)})
	}
}

// changeReference collects an endring's referanseArkivenhet.
func (v *verifier) changeReference(s *xmlScan, f *frame) {
	v.refs.add(record{key: v.idKey("N5.62", s, f.line), line: uint32(f.line), kind: refChange})
}

// idKey packs the UUID of the element just closed (at line) into 16 bytes.
// Anything else is reported and hashed, so that uniqueness can still be
// checked.
func (v *verifier) idKey(test string, sc *xmlScan, line int) [16]byte {
	var k [16]byte
	if s := bytes.TrimSpace(sc.text); isUUID(s) {
		hex.Decode(k[:4], s[0:8])
		hex.Decode(k[4:6], s[9:13])
		hex.Decode(k[6:8], s[14:18])
		hex.Decode(k[8:10], s[19:23])
		hex.Decode(k[10:], s[24:36])
		return k
	}
	s := sc.leafText()
	v.add(test, Error, sc.loc(line), "%q is not a UUID", clip(s))
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
	all, nRefs := v.refs.all(), v.refs.n
	if v.changes != nil {
		all, nRefs = mergeRecords(all, v.changes.all()), nRefs+v.changes.n
	}
	refs, stop := iter.Pull(all)
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
	errs := []error{v.ids.err, v.refs.err}
	if v.changes != nil {
		errs = append(errs, v.changes.err)
	}
	for _, err := range errs {
		if err != nil {
			v.add("N5.47", Error, "", "cannot sort the systemIDs: %v", err)
		}
	}
	v.add("N5.47", Info, FileArkivstruktur, "%d systemIDs", n)
	v.add("N5.48", Info, FileArkivstruktur, "%d references checked", nRefs)
}

// mergeRecords yields the records of two sorted streams in order.
func mergeRecords(a, b iter.Seq[record]) iter.Seq[record] {
	return func(yield func(record) bool) {
		nb, stop := iter.Pull(b)
		defer stop()
		rb, okb := nb()
		for ra := range a {
			for okb && compareRecords(rb, ra) < 0 {
				if !yield(rb) {
					return
				}
				rb, okb = nb()
			}
			if !yield(ra) {
				return
			}
		}
		for okb {
			if !yield(rb) {
				return
			}
			rb, okb = nb()
		}
	}
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
