package archive

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/grunnmur/grunnmur/civil"
)

// The checks of arkivstruktur.xml on its own: counts, statuses and dates
// (N5.04–N5.29). The document files (verify_documents.go) and the systemIDs
// and references (verify_ids.go) are collected in the same pass.

// structureInfo is what the scan of arkivstruktur.xml collects.
type structureInfo struct {
	counts    map[string]int             // element (and "mappe:"+xsi:type) -> count
	perYear   map[string]int             // saksaar -> folders
	statuses  map[string]map[string]*int // element -> value -> count
	regMin    time.Time                  // earliest registration opprettetDato
	regMax    time.Time                  // latest
	regDates  int                        // registrations with a readable opprettetDato
	noDocDesc int                        // registrations without dokumentbeskrivelse
	partStart civil.Date                 // earliest arkivperiodeStartDato
	partEnd   civil.Date                 // latest arkivperiodeSluttDato
	typeKeys  map[string]string          // xsi:type -> "mappe:"+xsi:type, not to build it for every mappe
}

// typeKey is "mappe:"+typ, made once per type (up to 1000 of them).
func (st *structureInfo) typeKey(typ string) string {
	if k, ok := st.typeKeys[typ]; ok {
		return k
	}
	k := "mappe:" + typ
	if len(st.typeKeys) < 1000 {
		st.typeKeys[typ] = k
	}
	return k
}

func newStructureInfo() structureInfo {
	return structureInfo{
		counts:   make(map[string]int),
		perYear:  make(map[string]int),
		statuses: make(map[string]map[string]*int),
		typeKeys: make(map[string]string),
	}
}

// valueOwners are the elements whose values are counted (N5.06, N5.15,
// N5.17, N5.22, N5.29), each under the element it belongs to.
var valueOwners = map[string]string{
	"saksstatus": "mappe", "journalposttype": "registrering", "journalstatus": "registrering",
	"arkivdelstatus": "arkivdel", "format": "dokumentobjekt",
}

func (v *verifier) scanArkivstruktur(s *xmlScan) error {
	every := v.cfg.ProgressEvery
	if every <= 0 {
		every = 1000
	}
	defer v.docs.drain(v) // the documents are checked in the scan's time
	return s.walk(
		func(t xml.StartElement) error { return v.structureStart(s, t, every) },
		func(f, parent *frame) { v.structureEnd(s, f, parent) })
}

// structureStart counts the units as they open.
func (v *verifier) structureStart(s *xmlScan, t xml.StartElement, every int) error {
	name := t.Name.Local
	parent := s.parent()
	if parent == nil && name != "arkiv" {
		return fmt.Errorf("root element is <%s>, not <arkiv>", name)
	}
	if parent != nil {
		switch name {
		case "klasse", "mappe", "registrering", "dokumentbeskrivelse":
			parent.content++
		}
	}
	c := v.structure.counts
	switch name {
	case "arkiv", "arkivdel", "klassifikasjonssystem", "klasse", "dokumentbeskrivelse":
		c[name]++
	case "mappe":
		c[name]++
		if typ := xsiType(t); typ != "" {
			c[v.structure.typeKey(typ)]++
		}
		if v.cfg.Progress != nil && c["mappe"]%every == 0 {
			v.cfg.Progress(v.progress())
		}
	case "registrering":
		c[name]++
		if xsiType(t) == "journalpost" {
			c["journalpost"]++
		}
	case "dokumentobjekt":
		c[name]++
		v.doc = docObject{line: s.line()}
	}
	return nil
}

// structureEnd reads each element's value as it closes.
func (v *verifier) structureEnd(s *xmlScan, f *frame, parent *frame) {
	switch f.name {
	case "systemID":
		if unitElements[parent.name] {
			v.unitID(s, f)
		}
	case "opprettetDato":
		if parent.name == "registrering" {
			v.registrationCreated(s, f)
		}
	case "arkivperiodeStartDato", "arkivperiodeSluttDato":
		if parent.name == "arkivdel" {
			v.archivalPeriod(s, f)
		}
	case "saksaar":
		if parent.name == "mappe" {
			v.structure.perYear[s.leafText()]++
		}
	case "saksstatus", "journalposttype", "journalstatus", "arkivdelstatus", "format":
		if parent.name == valueOwners[f.name] {
			v.countValue(f.name, bytes.TrimSpace(s.text))
		}
	case "klasse", "mappe", "registrering":
		v.emptyUnit(s, f)
	case "dokumentobjekt":
		v.checkDocument(v.doc)
	default:
		if parent.name == "dokumentobjekt" {
			v.docObjectField(s, f)
		} else if strings.HasPrefix(f.name, "referanse") {
			v.reference(s, f)
		}
	}
}

// registrationCreated keeps the first and last creation time (N5.27).
func (v *verifier) registrationCreated(s *xmlScan, f *frame) {
	st := &v.structure
	t, ok := parseDateTime(s.leafText())
	if !ok {
		v.add("N5.27", Warning, s.loc(f.line), "opprettetDato %q is not an xs:dateTime", clip(s.leafText()))
		return
	}
	if st.regDates == 0 || t.Before(st.regMin) {
		st.regMin = t
	}
	if st.regDates == 0 || t.After(st.regMax) {
		st.regMax = t
	}
	st.regDates++
}

// archivalPeriod keeps the widest arkivdel period (N5.60).
func (v *verifier) archivalPeriod(s *xmlScan, f *frame) {
	st := &v.structure
	d, err := parseXSDate(s.leafText())
	switch {
	case err != nil:
		v.add("N5.60", Error, s.loc(f.line), "%s %q is not a date", f.name, clip(s.leafText()))
	case f.name == "arkivperiodeStartDato" && (st.partStart.IsZero() || d.Before(st.partStart)):
		st.partStart = d
	case f.name == "arkivperiodeSluttDato" && (st.partEnd.IsZero() || d.After(st.partEnd)):
		st.partEnd = d
	}
}

// countValue counts one status, type or format value (the leaf text); a
// value counted before costs no allocation.
func (v *verifier) countValue(element string, value []byte) {
	m := v.structure.statuses[element]
	if m == nil {
		m = make(map[string]*int)
		v.structure.statuses[element] = m
	}
	if len(m) >= 1000 { // distinct values are few in real extracts; cap a hostile one
		return
	}
	if len(value) <= 80 { // as clip leaves it
		if n := m[string(value)]; n != nil {
			*n++
			return
		}
	}
	k := clip(string(value))
	n := m[k]
	if n == nil {
		n = new(int)
		m[k] = n
	}
	*n++
}

// emptyUnit is N5.09, N5.14 and N5.21: units with nothing in them.
func (v *verifier) emptyUnit(s *xmlScan, f *frame) {
	if f.content > 0 {
		return
	}
	switch f.name {
	case "klasse":
		v.add("N5.09", Warning, s.loc(f.line), "class without subclasses, folders or registrations")
	case "mappe":
		v.add("N5.14", Warning, s.loc(f.line), "folder without registrations or subfolders")
	case "registrering":
		v.structure.noDocDesc++
	}
}

func parseDateTime(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// afterArkivstruktur reports the counts, which need the whole structure.
func (v *verifier) afterArkivstruktur() {
	st := &v.structure
	c := st.counts
	for _, n := range []struct{ id, what string }{
		{"N5.04", "arkiv"}, {"N5.05", "arkivdel"}, {"N5.07", "klassifikasjonssystem"},
		{"N5.08", "klasse"}, {"N5.23", "dokumentbeskrivelse"}, {"N5.26", "dokumentobjekt"},
	} {
		v.add(n.id, Info, FileArkivstruktur, "%d %s", c[n.what], n.what)
	}
	if c["arkiv"] == 0 {
		v.add("N5.04", Error, FileArkivstruktur, "no arkiv")
	}
	v.listCounts("N5.06", "arkivdelstatus")
	v.listCounts("N5.15", "saksstatus")
	v.listCounts("N5.17", "journalposttype")
	v.listCounts("N5.22", "journalstatus")
	v.listCounts("N5.29", "format")
	years := make([]string, 0, len(st.perYear))
	for y := range st.perYear {
		years = append(years, y)
	}
	slices.Sort(years)
	for _, y := range years {
		v.add("N5.11", Info, FileArkivstruktur, "%s: %d folders", y, st.perYear[y])
	}
	v.add("N5.10", Info, FileArkivstruktur, "%d folders (%d saksmappe)", c["mappe"], c["mappe:saksmappe"])
	v.compareCount("N5.10", FileArkivstruktur, "mappe", c["mappe"])
	v.add("N5.16", Info, FileArkivstruktur, "%d registrations (%d journalpost)", c["registrering"], c["journalpost"])
	v.compareCount("N5.16", FileArkivstruktur, "registrering", c["registrering"])
	v.add("N5.21", Info, FileArkivstruktur, "%d registrations without document descriptions", st.noDocDesc)
	if st.regDates > 0 {
		v.add("N5.27", Info, FileArkivstruktur, "first registration created %s, last %s",
			st.regMin.Format(time.DateOnly), st.regMax.Format(time.DateOnly))
	}
	v.findDuplicateRefs()
}

func (v *verifier) listCounts(id, element string) {
	m := v.structure.statuses[element]
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v.add(id, Info, FileArkivstruktur, "%s %q: %d", element, k, *m[k])
	}
	if len(keys) == 0 {
		v.add(id, Info, FileArkivstruktur, "no %s", element)
	}
}

// compareCount checks a count against the ADDML numberOfOccurrences.
func (v *verifier) compareCount(id, file, element string, got int) {
	if v.addml == nil {
		return
	}
	obj := v.addml.byFile(file)
	if obj == nil {
		return
	}
	want, ok := obj.occurrences[element]
	if !ok {
		return
	}
	if want != got {
		v.add(id, Error, file, "%d %s, arkivuttrekk.xml says %d", got, element, want)
	}
}
